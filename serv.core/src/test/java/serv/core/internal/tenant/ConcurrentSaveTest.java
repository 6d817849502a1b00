package serv.core.internal.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A save is checked against what was saved a moment before and not applied yet: two saves at once that claim one
 * host or database were both checked against the running tenants only, and both stored.
 */
class ConcurrentSaveTest {

    @TempDir
    Path home;
    RegistryHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new RegistryHarness(home);
        h.database("default", "postgresql://postgres@127.0.0.1:5432/h1_main");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void aHostSavedAndNotYetAppliedIsTaken() {
        h.tenant("serv.tenant~r1", Map.of("id", "r1", "hosts", "r1.localhost"));
        h.tenant("serv.tenant~r2", Map.of("id", "r2", "hosts", "r2.localhost"));
        h.save("serv.tenant~r1", Map.of("id", "r1", "hosts", List.of("r1.localhost", "rx3.localhost")));
        assertEquals(List.of("tenant r2: key 'hosts': 'rx3.localhost' is tenant r1's; give each tenant its own hosts"
                + " and path prefix"), h.check(Map.of("id", "r2", "hosts", "rx3.localhost")));
        // r1's own next edit is not refused for what it saved itself
        assertEquals(List.of(), h.check(Map.of("id", "r1", "hosts", "rx3.localhost")));
        h.handOver("serv.tenant~r1");
        assertTrue(h.registry.find("r1").orElseThrow().hosts().contains("rx3.localhost"));
        assertEquals(1, h.check(Map.of("id", "r2", "hosts", "rx3.localhost")).size());
    }

    @Test
    void aDatabaseOrSchemaSavedAndNotYetAppliedIsTaken() {
        h.save("serv.tenant~n1", Map.of("id", "n1", "hosts", "n1.localhost", "database_url",
                "postgresql://u:pw@127.0.0.1/n_db"));
        assertEquals(List.of("tenant n2: key 'database_url': postgresql://localhost:5432/n_db is tenant n1's database"
                + " (they would share their data); give each tenant its own database, or its own currentSchema in it"),
                h.check(Map.of("id", "n2", "hosts", "n2.localhost", "database_url", "jdbc:postgresql://localhost/n_db")));
        h.save("serv.tenant~s1", Map.of("id", "s1", "hosts", "s1.localhost"));
        assertEquals(1, h.check(Map.of("id", "x", "hosts", "x.localhost", "database_url",
                "postgresql://localhost/h1_main?currentSchema=s1")).size());
        // a configuration removed before it was handed over claims nothing
        h.stored.remove("serv.tenant~n1");
        assertEquals(List.of(), h.check(Map.of("id", "n2", "hosts", "n2.localhost", "database_url",
                "jdbc:postgresql://localhost/n_db")));
    }
}
