package serv.core.internal.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class TenantSettingsTest {

    private static String refusal(Map<String, Object> props) {
        return assertThrows(IllegalArgumentException.class, () -> TenantSettings.from(props)).getMessage();
    }

    @Test
    void aHostIsNoLongerThanDnsAllows() {
        String label63 = "a".repeat(63);
        String host253 = String.join(".", label63, label63, label63, "a".repeat(61));
        assertEquals(253, host253.length());
        assertEquals(List.of(host253), TenantSettings.from(Map.of("id", "d", "hosts", host253)).tenant().hosts());
        assertEquals("tenant d: key 'hosts': '" + "a".repeat(64) + ".example' is longer than a host name"
                + " can be (253 characters, 63 between dots); no request can name it",
                refusal(Map.of("id", "d", "hosts", "a".repeat(64) + ".example")));
        assertEquals("tenant d: key 'hosts': '" + "a".repeat(60) + "... (255 characters)' is longer than a host"
                + " name can be (253 characters, 63 between dots); no request can name it",
                refusal(Map.of("id", "d", "hosts", host253 + ".a")));
        // echoed cut: a 70,000-character value is not repeated whole in the answer and the log
        assertTrue(refusal(Map.of("id", "d", "hosts", "a".repeat(70_000) + "-")).endsWith("... (70001 characters)'"
                + " is not a host name (no port, no scheme; *.example.com for every subdomain)"));
    }

    @Test
    void settingsAreTextWithoutControlCharactersOrHalvesOfPairs() {
        assertEquals("tenant d: key 'database_url' holds a control character (U+0000); remove it",
                refusal(Map.of("id", "d", "hosts", "d.test", "database_url", "sqlite:///data/d\u0000.db")));
        assertEquals("tenant d: key 'name' holds half of a surrogate pair, which is no character; remove it",
                refusal(Map.of("id", "d", "hosts", "d.test", "name", "x\ud83d")));
        assertEquals("tenant d: key 'hosts' holds a control character (U+000A); remove it",
                refusal(Map.of("id", "d", "hosts", List.of("d.test", "e\n.test"))));
        assertEquals("Grüße 😀\tok", TenantSettings.from(Map.of("id", "d", "hosts", "d.test", "name", "Grüße 😀\tok"))
                .tenant().name());
        // a null host is none (it was the host "null")
        java.util.List<Object> withNull = new java.util.ArrayList<>();
        withNull.add(null);
        withNull.add("d.test");
        assertEquals(List.of("d.test"), TenantSettings.from(Map.of("id", "d", "hosts", withNull)).tenant().hosts());
    }

    @Test
    void aPathPrefixIsNeitherTheServersOwnPathsNorADotSegment() {
        assertEquals("tenant acme: key 'path_prefix': '/health' is the server's own /health; give the tenant a prefix"
                + " of its own, such as /t/acme", refusal(Map.of("id", "acme", "path_prefix", "/health")));
        assertEquals("tenant acme: key 'path_prefix': '/metrics/x' is the server's own /metrics; give the tenant a"
                + " prefix of its own, such as /t/acme", refusal(Map.of("id", "acme", "path_prefix", "/metrics/x")));
        assertEquals("tenant acme: key 'path_prefix': '/system/console' is the Web Console's path; give the tenant a"
                + " prefix of its own, such as /t/acme", refusal(Map.of("id", "acme", "path_prefix", "/system/console")));
        assertEquals("tenant acme: key 'path_prefix': '/../x' must look like /t/acme (segments after '/', no '/' at"
                + " the end, no '.' or '..' segment)", refusal(Map.of("id", "acme", "path_prefix", "/../x")));
        assertEquals("/healthy", TenantSettings.from(Map.of("id", "acme", "path_prefix", "/healthy")).tenant()
                .pathPrefix());
        assertEquals("/t/a.b", TenantSettings.from(Map.of("id", "acme", "path_prefix", "/t/a.b")).tenant()
                .pathPrefix());
    }

    @Test
    void aSchemaOfTheSharedDatabaseIsNeitherTheServersNorPostgresqls() {
        assertEquals("tenant public: key 'database_schema': 'public' is the shared database's own schema, where the"
                + " server's own tables are: a tenant there would share them; give the tenant a schema of its own"
                + " (database_schema: t_public)", refusal(Map.of("id", "public", "hosts", "p.test")));
        assertEquals("tenant acme: key 'database_schema': 'pg_catalog' is PostgreSQL's own; give the tenant a schema"
                + " of its own (database_schema: t_acme)", refusal(Map.of("id", "acme", "hosts", "a.test",
                        "database_schema", "pg_catalog")));
        assertEquals("tenant acme: key 'database_schema': 'information_schema' is PostgreSQL's own; give the tenant a"
                + " schema of its own (database_schema: t_acme)", refusal(Map.of("id", "acme", "hosts", "a.test",
                        "database_schema", "information_schema")));
        assertEquals("tenant acme: key 'database_schema': 'serv_cluster' is the schema of Serv's cluster store; give"
                + " the tenant a schema of its own (database_schema: t_acme)", refusal(Map.of("id", "acme", "hosts",
                        "a.test", "database_schema", "serv_cluster")));
        // A database of its own: its public schema is its own.
        assertEquals(null, TenantSettings.from(Map.of("id", "public", "hosts", "p.test", "database_url",
                "postgresql://db/public_tenant")).schema());
    }
}
