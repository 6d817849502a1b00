package serv.core.internal.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import serv.core.tenant.Tenant;

/** A tenant's data is its own: no other tenant, and not the server, reads or writes it under another name. */
class TenantIsolationTest {

    @TempDir
    Path home;
    RegistryHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new RegistryHarness(home);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private static Map<String, Object> own(String id, String url) {
        return Map.of("id", id, "hosts", id + ".localhost", "database_url", url);
    }

    private void assertRefused(String pid, String... words) {
        String why = h.registry.refused().get(pid);
        assertNotNull(why, pid + " was applied");
        for (String w : words) {
            assertTrue(why.contains(w), why);
        }
    }

    @Test
    void oneDatabaseUnderAnotherUrlIsAnotherTenantsDatabase() {
        h.database("default", "postgresql://postgres@127.0.0.1:5432/h1_main");
        h.tenant("serv.tenant~a", own("a", "postgresql://postgres:pw@127.0.0.1:5432/h1_other"));
        String[] sameDatabase = { "jdbc:postgresql://127.0.0.1:5432/h1_other?ssl=false",
            "postgresql://postgres@localhost:5432/h1_other", "postgresql://postgres@127.0.0.1/h1_other" };
        for (String url : sameDatabase) {
            List<String> problems = h.check(own("b", url));
            assertEquals(List.of("tenant b: key 'database_url': postgresql://localhost:5432/h1_other is tenant a's"
                    + " database (they would share their data); give each tenant its own database, or its own"
                    + " currentSchema in it"), problems, url);
            h.tenant("serv.tenant~b", own("b", url));
            assertRefused("serv.tenant~b", "key 'database_url'", "is tenant a's database");
            assertTrue(h.registry.find("b").isEmpty(), url);
        }
        h.tenant("serv.tenant~b", own("b", "postgresql://postgres@127.0.0.1/h1_b"));
        assertTrue(h.registry.find("b").isPresent());
        // its own schema in a tenant's database is its own
        assertEquals(List.of(), h.check(own("c", "postgresql://127.0.0.1/h1_other?currentSchema=c")));
    }

    @Test
    void aServerDatabaseIsNoTenantsDatabase() throws Exception {
        h.database("default", "postgresql://postgres@127.0.0.1:5432/h1_main");
        h.tenant("serv.tenant~acme", own("acme", "postgresql://postgres:pw@127.0.0.1:5432/h1_acme"));
        h.tenant("serv.tenant~s1", Map.of("id", "s1", "hosts", "s1.localhost"));
        String acmes = "database reports: key 'url': postgresql://localhost:5432/h1_acme is tenant acme's database (the"
                + " site's writes would go into the tenant's tables, and its rows show on the site); give the server's"
                + " database one of its own, or its own schema in it";
        assertEquals(acmes, h.registry.refusal(Map.of("name", "reports", "url", "jdbc:postgresql://localhost/h1_acme")));
        assertTrue(h.registry.refusal(Map.of("name", "reports", "url", "postgresql://127.0.0.1/h1_acme",
                "schema", "x")).contains("(schema x) is tenant acme's database")); // the tenant has the whole database
        assertTrue(h.registry.refusal(Map.of("name", "reports", "url", "postgresql://127.0.0.1/h1_main",
                "schema", "s1")).contains("is tenant s1's database"));
        // the shared default itself, another database, another schema of the shared one: the server's own
        assertNull(h.registry.refusal(Map.of("name", "default", "url", "postgresql://127.0.0.1/h1_main")));
        assertNull(h.registry.refusal(Map.of("name", "reports", "url", "postgresql://127.0.0.1/h1_reports")));
        assertNull(h.registry.refusal(Map.of("name", "reports", "url", "postgresql://127.0.0.1/h1_main",
                "schema", "reports")));

        // after a restart, before the tenants are loaded: what they had is still theirs
        h.close();
        h = new RegistryHarness(home);
        assertEquals(acmes, h.registry.refusal(Map.of("name", "reports", "url", "postgresql://127.0.0.1/h1_acme")));
        // a tenant removed on purpose lets its database go
        h.tenant("serv.tenant~acme", own("acme", "postgresql://postgres:pw@127.0.0.1:5432/h1_acme"));
        h.registry.deleted("serv.tenant~acme");
        assertNull(h.registry.refusal(Map.of("name", "reports", "url", "postgresql://127.0.0.1/h1_acme")));
    }

    @Test
    void aSchemaOfTheSharedDatabaseNamedInAUrlIsThatSchemaTenants() {
        h.database("default", "postgresql://postgres@127.0.0.1:5432/h1_main");
        h.tenant("serv.tenant~s1", Map.of("id", "s1", "hosts", "s1.localhost"));
        h.tenant("serv.tenant~x", own("x", "postgresql://postgres@localhost/h1_main?currentSchema=s1"));
        assertRefused("serv.tenant~x", "key 'database_schema': 's1' is tenant s1's schema");
        assertTrue(h.registry.find("x").isEmpty());
        // and the other way round
        h.tenant("serv.tenant~y", own("y", "jdbc:postgresql://localhost/h1_main?currentSchema=s2"));
        assertTrue(h.registry.find("y").isPresent());
        h.tenant("serv.tenant~s2", Map.of("id", "s2", "hosts", "s2.localhost"));
        assertRefused("serv.tenant~s2", "is tenant y's database");
    }

    @Test
    void theServersOwnDatabasesAreNoTenants() {
        h.database("default", "postgresql://postgres@127.0.0.1:5432/h1_main");
        h.database("blog", "postgresql://blog@db.example.com/blog");
        String[] servers = { "postgresql://x:pw@localhost/h1_main", "jdbc:postgresql://127.0.0.1:5432/h1_main",
            "postgresql://127.0.0.1/h1_main?currentSchema=public", "postgresql://u@DB.example.com:5432/blog" };
        for (String url : servers) {
            List<String> problems = h.check(own("t", url));
            assertEquals(1, problems.size(), url + ": " + problems);
            assertTrue(problems.get(0).startsWith("tenant t: key 'database_url': "), problems.get(0));
            assertTrue(problems.get(0).contains("is the server's own database"), problems.get(0));
            h.tenant("serv.tenant~t", own("t", url));
            assertRefused("serv.tenant~t", "is the server's own database");
        }
        h.tenant("serv.tenant~t", own("t", "postgresql://127.0.0.1/h1_main?currentSchema=t"));
        assertTrue(h.registry.find("t").isPresent());
    }

    @Test
    void theEmbeddedDefaultIsNoTenants() {
        h.database("default", "sqlite:///data/app.db");
        String abs = home.toAbsolutePath().resolve("data/app.db").toString();
        for (String url : new String[] { "sqlite:///data/app.db", "sqlite:///" + abs, "jdbc:sqlite:./data/app.db" }) {
            h.tenant("serv.tenant~t", own("t", url));
            assertRefused("serv.tenant~t", "is the server's own database default");
        }
        h.tenant("serv.tenant~t", own("t", "sqlite:///data/t.db"));
        assertTrue(h.registry.find("t").isPresent());
        h.tenant("serv.tenant~u", own("u", "sqlite:///data/../data/t.db"));
        assertRefused("serv.tenant~u", "is tenant t's database");
    }

    @Test
    void aSchemaWhereAServerDatabaseHasItsTablesIsNoTenants() {
        h.database("default", "postgresql://postgres@127.0.0.1:5432/h1_main");
        Map<String, Object> shop = new java.util.HashMap<>(Map.of("url", "postgresql://localhost/h1_main",
                "schema", "shop"));
        h.database("shop", null);
        h.stored.get("serv.database~shop").putAll(shop);
        h.registry.serverDatabasesChanged();
        h.tenant("serv.tenant~shop", Map.of("id", "shop", "hosts", "shop.localhost"));
        assertRefused("serv.tenant~shop", "key 'database_schema': 'shop' is where the server's own database shop");
    }

    @Test
    void aTenantDoesNotMoveBetweenItsOwnDatabaseAndASchemaOfTheShared() {
        h.database("default", "postgresql://postgres@127.0.0.1:5432/h1_main");
        h.tenant("serv.tenant~epsilon", own("epsilon", "postgresql://127.0.0.1/h1_epsilon"));
        // the file saved half-written: no database_url
        Map<String, Object> cut = Map.of("id", "epsilon", "name", "Epsilon", "hosts", "epsilon.localhost");
        assertEquals(List.of("tenant epsilon: key 'database_url': missing, which would move the tenant from its own"
                + " database to schema epsilon of the shared database default (its data would stay behind); put"
                + " database_url back, or remove the tenant and add it again to move it"), h.check(cut));
        h.tenant("serv.tenant~epsilon", cut);
        assertRefused("serv.tenant~epsilon", "remove the tenant and add it again to move it",
                "(the previous configuration goes on serving)");
        Tenant still = h.registry.find("epsilon").orElseThrow();
        assertEquals("postgresql://127.0.0.1/h1_epsilon", still.databaseUrl());
        assertNull(still.schema());
        // the file written whole again
        h.tenant("serv.tenant~epsilon", own("epsilon", "postgresql://127.0.0.1/h1_epsilon"));
        assertNull(h.registry.refused().get("serv.tenant~epsilon"));
        // a new URL of its own database is an edit as before
        h.tenant("serv.tenant~epsilon", own("epsilon", "postgresql://127.0.0.1/h1_epsilon2"));
        assertEquals("postgresql://127.0.0.1/h1_epsilon2", h.registry.find("epsilon").orElseThrow().databaseUrl());

        // and the other way round
        h.tenant("serv.tenant~zeta", Map.of("id", "zeta", "hosts", "zeta.localhost"));
        h.tenant("serv.tenant~zeta", own("zeta", "postgresql://127.0.0.1/h1_zeta"));
        assertRefused("serv.tenant~zeta", "key 'database_url': set", "remove the tenant and add it again");
        assertEquals("zeta", h.registry.find("zeta").orElseThrow().schema());
        // removed and added again, it moves
        h.registry.deleted("serv.tenant~zeta");
        h.tenant("serv.tenant~zeta", own("zeta", "postgresql://127.0.0.1/h1_zeta"));
        assertNull(h.registry.find("zeta").orElseThrow().schema());
    }

    @Test
    void ofTwoStoredTenantsAskingForOneHostTheOneThatHadItKeepsItAtARestart() throws Exception {
        h.tenant("serv.tenant~acme", Map.of("id", "acme", "hosts", "acme.test"));
        // a second tenant given acme's host by a typo: refused, and stored as it is
        h.tenant("serv.tenant~beta", Map.of("id", "beta", "hosts", "acme.test,beta.test"));
        assertRefused("serv.tenant~beta", "'acme.test' is tenant acme's");
        h.close();

        // the restart: Configuration Admin hands beta over first
        h = new RegistryHarness(home);
        h.tenant("serv.tenant~beta", Map.of("id", "beta", "hosts", "acme.test,beta.test"));
        assertRefused("serv.tenant~beta", "'acme.test' is tenant acme's",
                "(when the server last ran; it stays acme's while acme is not loaded yet, or refused)");
        assertTrue(h.registry.find("beta").isEmpty());
        assertEquals(new TenantTable.Resolved(null, "/", "beta"), h.registry.table().resolve("acme.test", "/"));
        h.tenant("serv.tenant~acme", Map.of("id", "acme", "hosts", "acme.test"));
        assertEquals("acme", h.registry.table().resolve("acme.test", "/").tenant().id());
        assertRefused("serv.tenant~beta", "'acme.test' is tenant acme's");
        assertEquals(new TenantTable.Resolved(null, "/", "beta"), h.registry.table().resolve("beta.test", "/"));

        // acme removed on purpose: beta may have the host
        h.registry.deleted("serv.tenant~acme");
        assertEquals("beta", h.registry.table().resolve("acme.test", "/").tenant().id());
    }

    @Test
    void aTenantDoesNotMoveAtARestartEither() throws Exception {
        h.database("default", "postgresql://postgres@127.0.0.1:5432/h1_main");
        h.tenant("serv.tenant~epsilon", own("epsilon", "postgresql://127.0.0.1/h1_epsilon"));
        h.tenant("serv.tenant~zeta", Map.of("id", "zeta", "hosts", "zeta.localhost"));
        // the file saved half-written while the server ran: refused, and stored as it is
        Map<String, Object> cut = Map.of("id", "epsilon", "hosts", "epsilon.localhost");
        h.tenant("serv.tenant~epsilon", cut);
        h.close();

        // the restart: Configuration Admin hands over what it stored
        h = new RegistryHarness(home);
        h.database("default", "postgresql://postgres@127.0.0.1:5432/h1_main");
        h.tenant("serv.tenant~epsilon", cut);
        assertRefused("serv.tenant~epsilon", "key 'database_url': missing, which would move the tenant from the"
                + " database of its own it had when it last ran to schema epsilon of the shared database default",
                "put database_url back, or remove the tenant and add it again to move it");
        assertTrue(h.registry.find("epsilon").isEmpty());
        assertEquals(List.of("tenant epsilon: key 'database_url': missing, which would move the tenant from the"
                + " database of its own it had when it last ran to schema epsilon of the shared database default (its"
                + " data would stay behind); put database_url back, or remove the tenant and add it again to move it"),
                h.check(cut));
        // its host is held: neither the site nor another tenant answers it
        assertEquals(new TenantTable.Resolved(null, "/posts", "epsilon"),
                h.registry.table().resolve("epsilon.localhost", "/posts"));
        h.tenant("serv.tenant~zeta", own("zeta", "postgresql://127.0.0.1/h1_zeta"));
        assertRefused("serv.tenant~zeta", "key 'database_url': set, which would move the tenant from a schema of the"
                + " shared database default, where its data was when it last ran, to a database of its own");

        // the file written whole: it starts where its data is
        h.tenant("serv.tenant~epsilon", own("epsilon", "postgresql://127.0.0.1/h1_epsilon"));
        assertEquals("postgresql://127.0.0.1/h1_epsilon", h.registry.find("epsilon").orElseThrow().databaseUrl());
        assertEquals("epsilon", h.registry.table().resolve("epsilon.localhost", "/posts").tenant().id());
        // removed on purpose and added again, it may move
        h.registry.deleted("serv.tenant~zeta");
        assertNull(h.registry.table().resolve("zeta.localhost", "/posts"));
        h.tenant("serv.tenant~zeta2", own("zeta", "postgresql://127.0.0.1/h1_zeta"));
        assertNull(h.registry.find("zeta").orElseThrow().schema());
    }
}
