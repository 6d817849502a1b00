package serv.cli.config;

import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Test;

import serv.core.internal.config.OfflineValidation;
import serv.database.internal.DatabaseSettings;

/**
 * serv config validate says each problem once with its tenant's name.
 */
public class ValidateTest {

    /** What serv config validate says of a home whose serv.config.yaml is {@code yaml}, as the server's check. */
    private static List<String> validate(String yaml) throws Exception {
        Path home = Files.createTempDirectory("serv-validate-test-");
        Files.writeString(home.resolve("serv.config.yaml"), yaml);
        return validate(home);
    }

    private static List<String> validate(Path home) throws Exception {
        return OfflineValidation.problems(home, null, List.of(), settings -> {
            try {
                DatabaseSettings.from(settings, home);
                return List.of();
            } catch (DatabaseSettings.ConfigurationException e) {
                return List.of(e.getMessage());
            }
        }, name -> null);
    }

    @Test
    public void aTenantsProblemNamesItOnce() throws Exception {
        assertEquals(List.of("serv.config.yaml: tenant four: key 'pool_size': 9 is larger than max_size 2; lower"
                + " pool_size or raise max_size"), validate("""
                tenants:
                  four: {hosts: [four.localhost], database: {url: "sqlite:///data/four.db", pool_size: 9, max_size: 2}}
                """));
        assertEquals(List.of("serv.config.yaml: tenant Four: key 'id': 'Four' is not a slug; use lower-case letters,"
                + " digits and '-', starting with a letter"), validate("""
                tenants:
                  Four: {hosts: [four.localhost], database: {url: "sqlite:///data/four.db"}}
                """));
    }

    /** A tenant of etc/ is named by its file, as the server names it (its id is not written in the file). */
    @Test
    public void aTenantOfEtcIsNamedByItsFile() throws Exception {
        Path home = Files.createTempDirectory("serv-validate-test-");
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/serv.tenant-five.cfg"), "hosts = five.localhost\n"
                + "database_url = sqlite:///data/five.db\n");
        assertEquals(List.of(), validate(home));
    }
}
