package serv.cli.config;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

import serv.core.internal.config.OfflineValidation;
import serv.database.internal.DatabaseSettings;

/**
 * serv config validate applies the rules the running server holds tenants to among themselves and against the
 * server's own databases (serv.core's TenantRegistry): a configuration it says nothing about is one the server
 * applies. Each problem is said once with its tenant's name.
 */
public class ValidateTest {

    private static final String SERVER = "postgresql://serv@127.0.0.1:5432/main";

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
    public void aSchemaTenantOnTheEmbeddedSqliteDefaultIsToFix() throws Exception {
        String tenant = """
                tenants:
                  acme: {hosts: [acme.localhost]}
                """;
        String fix = "serv.config.yaml: tenant acme: key 'database_url': the shared database default is SQLite, which"
                + " has no schemas to hold a tenant's data; give the tenant a database_url of its own"
                + " (sqlite:///data/acme.db, or a postgresql:// url), or make default a PostgreSQL database";
        assertEquals("a new server's embedded default", List.of(fix), validate(tenant));
        assertEquals("a configured SQLite default", List.of(fix), validate("""
                databases:
                  default: {url: "sqlite:///data/app.db"}
                """ + tenant));
        assertEquals("beside another database, the embedded default is still made", List.of(fix), validate("""
                databases:
                  analytics: {url: "%s"}
                """.formatted(SERVER) + tenant));
        assertEquals("on PostgreSQL it has its schema", List.of(), validate("""
                databases:
                  default: {url: "%s"}
                """.formatted(SERVER) + tenant));
        assertEquals("a database of its own", List.of(), validate("""
                tenants:
                  acme: {hosts: [acme.localhost], database: {url: "sqlite:///data/acme.db"}}
                """));
    }

    @Test
    public void twoTenantsOnOneSqliteFileAreToFix() throws Exception {
        assertEquals(List.of("serv.config.yaml: tenant two: key 'database_url': its SQLite file is tenant one's"
                + " database (they would share their data); give each tenant its own database, or its own"
                + " currentSchema in it"), validate("""
                tenants:
                  one: {hosts: [one.localhost], database: {url: "sqlite:///data/tenants.db"}}
                  two: {hosts: [two.localhost], database: {url: "sqlite:///./data/../data/tenants.db"}}
                """));
        // Every two that share something are named, though the server would refuse two for its host first.
        assertEquals(List.of("serv.config.yaml: tenant two: key 'hosts': 'one.localhost' is tenant one's; give each"
                + " tenant its own hosts and path prefix", "serv.config.yaml: tenant three: key 'database_url': its"
                + " SQLite file is tenant two's database (they would share their data); give each tenant its own"
                + " database, or its own currentSchema in it"), validate("""
                tenants:
                  one: {hosts: [one.localhost], database: {url: "sqlite:///data/one.db"}}
                  two: {hosts: [one.localhost], database: {url: "sqlite:///data/tenants.db"}}
                  three: {hosts: [three.localhost], database: {url: "sqlite:///data/tenants.db"}}
                """));
    }

    @Test
    public void twoTenantsWithOneHostAreToFix() throws Exception {
        assertEquals(List.of("serv.config.yaml: tenant two: key 'hosts': 'shared.example.com' is tenant one's; give"
                + " each tenant its own hosts and path prefix"), validate("""
                tenants:
                  one: {hosts: [one.localhost, shared.example.com], database: {url: "sqlite:///data/one.db"}}
                  two: {hosts: [Shared.Example.com], database: {url: "sqlite:///data/two.db"}}
                """));
        assertEquals(List.of("serv.config.yaml: tenant two: key 'path_prefix': '/t/one' is tenant one's; give each"
                + " tenant its own hosts and path prefix"), validate("""
                tenants:
                  one: {path_prefix: /t/one, database: {url: "sqlite:///data/one.db"}}
                  two: {path_prefix: /t/one, database: {url: "sqlite:///data/two.db"}}
                """));
    }

    @Test
    public void aTenantOnTheServersOwnDatabaseIsToFix() throws Exception {
        assertEquals(List.of("serv.config.yaml: tenant four: key 'database_url': postgresql://localhost:5432/main is"
                + " the server's own database default (the tenant would read and write the server's tables); give"
                + " the tenant a database of its own, or its own currentSchema in it"), validate("""
                databases:
                  default: {url: "%s"}
                tenants:
                  four: {hosts: [four.localhost], database: {url: "jdbc:postgresql://localhost/main?ssl=false"}}
                """.formatted(SERVER)));
        assertEquals("the embedded default's file", List.of("serv.config.yaml: tenant four: key 'database_url': its"
                + " SQLite file is the server's own database default (the tenant would read and write the server's"
                + " tables); give the tenant a database of its own, or its own currentSchema in it"), validate("""
                tenants:
                  four: {hosts: [four.localhost], database: {url: "sqlite:///data/./app.db"}}
                """));
        assertEquals("its own schema of that database", List.of(), validate("""
                databases:
                  default: {url: "%s"}
                tenants:
                  four: {hosts: [four.localhost], database: {url: "%s?currentSchema=four"}}
                """.formatted(SERVER, SERVER)));
    }

    @Test
    public void aTenantOnAnotherTenantsSchemaIsToFix() throws Exception {
        String database = """
                databases:
                  default: {url: "%s"}
                """.formatted(SERVER);
        assertEquals(List.of("serv.config.yaml: tenant two: key 'database_schema': 'one' is tenant one's schema of"
                + " the shared database (they would share their data); give each tenant its own schema"),
                validate(database + """
                        tenants:
                          one: {hosts: [one.localhost], database: {schema: one}}
                          two: {hosts: [two.localhost], database: {schema: one}}
                        """));
        // The server's words for it: the schema its URL names is the other tenant's.
        assertEquals("the same schema by its URL", List.of("serv.config.yaml: tenant two: key 'database_schema': 'one'"
                + " is tenant one's schema of the shared database (they would share their data); give each tenant its"
                + " own schema"),
                validate(database + """
                        tenants:
                          one: {hosts: [one.localhost]}
                          two: {hosts: [two.localhost], database: {url: "%s?currentSchema=one"}}
                        """.formatted(SERVER)));
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

    @Test
    public void aTenantOfEtcIsCheckedWithTheFilesTenants() throws Exception {
        Path home = Files.createTempDirectory("serv-validate-test-");
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/serv.tenant-five.cfg"), "hosts = five.localhost\n"
                + "database_url = sqlite:///data/five.db\n");
        assertEquals(List.of(), validate(home));
        Files.writeString(home.resolve("serv.config.yaml"), """
                tenants:
                  six: {hosts: [five.localhost], database: {url: "sqlite:///data/six.db"}}
                """);
        assertEquals(List.of("serv.config.yaml: tenant six: key 'hosts': 'five.localhost' is tenant five's; give each"
                + " tenant its own hosts and path prefix"), validate(home));
    }

    /** The check as the command runs it: serv.core and serv.database in a class loader of their own. */
    @Test
    public void theCommandsOwnClassLoaderRunsTheTenantRules() throws Exception {
        List<Path> classpath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            classpath.add(Path.of(entry));
        }
        Path home = Files.createTempDirectory("serv-validate-test-");
        Files.writeString(home.resolve("serv.config.yaml"), """
                tenants:
                  one: {hosts: [one.localhost], database: {url: "sqlite:///data/one.db"}}
                  two: {hosts: [one.localhost], database: {url: "sqlite:///data/two.db"}}
                """);
        List<String> problems = Config.validate(home, null, classpath, List.of());
        assertEquals(List.of("serv.config.yaml: tenant two: key 'hosts': 'one.localhost' is tenant one's; give each"
                + " tenant its own hosts and path prefix"), problems);
        assertTrue(Files.notExists(home.resolve("data")));
    }
}
