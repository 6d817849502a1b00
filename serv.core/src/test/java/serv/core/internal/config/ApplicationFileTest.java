package serv.core.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

class ApplicationFileTest {

    private static Map<String, Object> yaml(String text) throws Exception {
        return new ObjectMapper(new YAMLFactory()).readValue(text, new TypeReference<Map<String, Object>>() {
        });
    }

    @Test
    void databasesMapBecomesOneEntryPerDatabase() throws Exception {
        var dbs = ApplicationFile.databases(yaml("""
                site_info: {name: "My Blog App"}
                databases:
                  default:
                    url: "${DATABASE_URL:sqlite:///data/app.db}"
                    pool_size: "${DB_POOL_SIZE:10}"
                    max_overflow: 20
                  analytics:
                    url: "postgresql://reporter@db.internal:5432/analytics?sslmode=require"
                    password: "${ANALYTICS_DB_PASSWORD}"
                extensions:
                  - extension: blog
                    settings: {database: default}
                """));
        assertEquals(List.of("default", "analytics"), List.copyOf(dbs.keySet()));
        assertEquals("${DB_POOL_SIZE:10}", dbs.get("default").get("pool_size"));
        assertEquals(20, dbs.get("default").get("max_overflow"));
    }

    @Test
    void theSeedsExtensionFormConfiguresDefault() throws Exception {
        var dbs = ApplicationFile.databases(yaml("""
                extensions:
                  - extension: database
                    settings:
                      database_url: "${DATABASE_URL:postgresql://localhost/myapp}"
                      pool_size: "${DB_POOL_SIZE:10}"
                """));
        assertEquals(Map.of("url", "${DATABASE_URL:postgresql://localhost/myapp}", "pool_size", "${DB_POOL_SIZE:10}"),
                dbs.get("default"));
    }

    @Test
    void aKeyGivenTwiceIsRefusedNotReplaced() {
        // A second `databases:` would have replaced the first: default gone, its routes 503.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ApplicationFile.parse("""
                databases:
                  default: {url: "postgresql://h/app"}
                extensions: []
                databases:
                  analytics: {url: "postgresql://h/analytics"}
                """, "serv.config.yaml"));
        assertEquals("serv.config.yaml (line 4): key 'databases' appears twice in one mapping, and its second value"
                + " would replace the first; keep one. Nothing of the file was applied", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ApplicationFile.parse("""
                databases:
                  default:
                    url: "postgresql://h/app"
                    pool_size: 5
                    pool_size: 50
                """, "serv.config.yaml"));
        assertTrue(e.getMessage().startsWith("serv.config.yaml (line 5): key 'pool_size' appears twice"),
                e.getMessage());
    }

    @Test
    void aKeyWithNoValueIsNull() {
        // "databases:" alone, as a file saved half-way has it: no databases (not one named "").
        Map<String, Object> doc = ApplicationFile.parse("databases:\n", "serv.config.yaml");
        assertTrue(doc.containsKey("databases"));
        assertEquals(null, doc.get("databases"));
    }

    @Test
    void aSyntaxErrorNamesTheLineOfTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ApplicationFile.parse("databases:\n  default:\n\turl: x\n", "serv.config.yaml"));
        assertTrue(e.getMessage().startsWith("serv.config.yaml is not valid YAML (line 3): "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; fix the file, nothing of it was applied"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ApplicationFile.parse("databases:\n  default:\n    url: x\n   pool_size: 6\n", "a.yaml"));
        assertTrue(e.getMessage().startsWith("a.yaml is not valid YAML (line 4): "), e.getMessage());
    }

    @Test
    void wrongShapesAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> ApplicationFile.databases(yaml("databases: [a, b]")));
        assertThrows(IllegalArgumentException.class, () -> ApplicationFile.databases(yaml("databases: {a: 1}")));
        assertThrows(IllegalArgumentException.class, () -> ApplicationFile.databases(yaml("extensions: {a: 1}")));
    }

    @Test
    void tenantsFlattenTheirDatabaseAndKeepListsAsArrays() {
        java.util.Map<String, Object> doc = new java.util.LinkedHashMap<>();
        doc.put("tenants", java.util.Map.of("acme", new java.util.LinkedHashMap<>(java.util.Map.of(
                "hosts", java.util.List.of("acme.localhost", "acme.example.com"),
                "database", java.util.Map.of("url", "postgresql://acme@h/acme", "pool_size", 5)))));
        java.util.Map<String, Object> acme = ApplicationFile.tenants(doc).get("acme");
        org.junit.jupiter.api.Assertions.assertEquals("acme", acme.get("id"));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new String[] { "acme.localhost", "acme.example.com" },
                (String[]) acme.get("hosts"));
        org.junit.jupiter.api.Assertions.assertEquals("postgresql://acme@h/acme", acme.get("database_url"));
        org.junit.jupiter.api.Assertions.assertEquals(5, acme.get("pool_size"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ApplicationFile.tenants(java.util.Map.of("tenants", java.util.List.of("acme"))));
    }

    @Test
    void extensionSettingsBecomeTheirConfiguration() {
        java.util.Map<String, Object> doc = java.util.Map.of("extensions", java.util.List.of(
                java.util.Map.of("extension", "database", "settings", java.util.Map.of("database_url", "sqlite:///x.db")),
                java.util.Map.of("extension", "blog", "settings", java.util.Map.of("repository", "jpa")),
                java.util.Map.of("extension", "blog", "settings", java.util.Map.of("database", "main"))));
        java.util.Map<String, java.util.Map<String, Object>> out = ApplicationFile.extensions(doc);
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Set.of("serv.blog"), out.keySet());
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Map.of("repository", "jpa", "database", "main"),
                out.get("serv.blog"));
    }

    @Test
    void healthIsTheConfigurationServHealth(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
            throws Exception {
        java.nio.file.Files.writeString(home.resolve(ApplicationFile.FILE), """
                health: {details: always}
                """);
        var snapshot = ApplicationFile.read(home, null, new java.util.ArrayList<>());
        assertTrue(snapshot.valid(), snapshot.problems().toString());
        assertEquals(List.of(serv.core.config.Desired.configuration("serv.health", Map.of("details", "always"))),
                snapshot.desired());
        assertEquals(List.of(), snapshot.problems());

        java.nio.file.Files.writeString(home.resolve(ApplicationFile.FILE), "health: always\n");
        var wrong = ApplicationFile.read(home, null, new java.util.ArrayList<>());
        assertTrue(!wrong.valid() && wrong.problems().toString().contains("'health' must be a map (details:"),
                wrong.problems().toString());
    }

    @Test
    void metricsIsTheConfigurationServMetrics(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
            throws Exception {
        java.nio.file.Files.writeString(home.resolve(ApplicationFile.FILE), """
                metrics: {details: always}
                """);
        var snapshot = ApplicationFile.read(home, null, new java.util.ArrayList<>());
        assertTrue(snapshot.valid(), snapshot.problems().toString());
        assertEquals(List.of(serv.core.config.Desired.configuration("serv.metrics", Map.of("details", "always"))),
                snapshot.desired());
        assertEquals(List.of(), snapshot.problems());

        java.nio.file.Files.writeString(home.resolve(ApplicationFile.FILE), "metrics: always\n");
        var wrong = ApplicationFile.read(home, null, new java.util.ArrayList<>());
        assertTrue(!wrong.valid() && wrong.problems().toString().contains("'metrics' must be a map (details:"),
                wrong.problems().toString());
    }

    @Test
    void httpIsTheConfigurationServHttpWithItsListAsAnArray(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
            throws Exception {
        java.nio.file.Files.writeString(home.resolve(ApplicationFile.FILE), """
                http: {trusted_proxies: [10.0.0.0/8, 127.0.0.1, "::1"]}
                """);
        var snapshot = ApplicationFile.read(home, null, new java.util.ArrayList<>());
        assertTrue(snapshot.valid(), snapshot.problems().toString());
        assertEquals(1, snapshot.desired().size());
        serv.core.config.Desired http = snapshot.desired().get(0);
        assertEquals("serv.http", http.pid());
        assertEquals(List.of("10.0.0.0/8", "127.0.0.1", "::1"),
                List.of((String[]) http.properties().get("trusted_proxies")));
        assertEquals(List.of(), snapshot.problems());

        java.nio.file.Files.writeString(home.resolve(ApplicationFile.FILE), "http: 10.0.0.0/8\n");
        var wrong = ApplicationFile.read(home, null, new java.util.ArrayList<>());
        assertTrue(!wrong.valid() && wrong.problems().toString().contains("'http' must be a map (trusted_proxies:"),
                wrong.problems().toString());
    }

    /**
     * A database whose name serv.database would refuse is left out with a warning: configured, it was a database
     * that never started (/health DOWN for the whole server), its name, line break and all, in its PID and the log.
     */
    @Test
    void aDatabaseWithANameServCannotTakeIsLeftOut(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
            throws Exception {
        java.nio.file.Files.writeString(home.resolve(ApplicationFile.FILE), """
                databases:
                  default: {url: "sqlite:///data/app.db"}
                  "bad\\nname": {url: "sqlite:///data/b.db"}
                  Reports: {url: "sqlite:///data/r.db"}
                """);
        var snapshot = ApplicationFile.read(home, null, new java.util.ArrayList<>());
        assertTrue(snapshot.valid(), snapshot.problems().toString());
        assertEquals(List.of("serv.database~default"), snapshot.desired().stream().map(d -> d.pid()).toList());
        assertEquals(List.of("databases: 'bad\\u000aname' is not a valid database name (left out); use lower-case"
                + " letters, digits, '_' or '-', starting with a letter, at most 63", "databases: 'Reports' is not a"
                + " valid database name (left out); use lower-case letters, digits, '_' or '-', starting with a"
                + " letter, at most 63"), snapshot.problems());
    }

    /**
     * A 10 MB value pasted into the file: refused at once, naming the file and its size. The parser refused it too,
     * but only after 20 s of one core spent on the configuration's thread, every change saved meanwhile waiting.
     */
    @Test
    void aFileLargerThanTheParserTakesIsRefusedAtOnce(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
            throws Exception {
        java.nio.file.Files.writeString(home.resolve(ApplicationFile.FILE), "databases:\n  default: {url: \""
                + "sqlite:///data/app.db\"}\nsite_info:\n  name: \"" + "x".repeat(10_000_000) + "\"\n");
        long start = System.nanoTime();
        var big = ApplicationFile.read(home, null, new java.util.ArrayList<>());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(!big.valid() && big.problems().toString().contains("serv.config.yaml has 10,000,075 characters,"
                + " more than the 3,145,728 characters a YAML file may have"), big.problems().toString());
        assertTrue(big.problems().toString().contains("nothing of it was applied"), big.problems().toString());
        assertTrue(ms < 2_000, "read in " + ms + " ms");

        // Characters, not bytes: 2 M characters in 4 MB of UTF-8 are within the limit, as the parser counts.
        java.nio.file.Files.writeString(home.resolve(ApplicationFile.FILE), "site_info:\n  name: \""
                + "\u20ac ".repeat(1_000_000) + "\"\n");
        var wide = ApplicationFile.read(home, null, new java.util.ArrayList<>());
        assertTrue(wide.valid(), wide.problems().toString());
    }

    /**
     * A YAML alias is refused, naming the line: the parser gave the anchor's name as text, so {@code hosts: *h}
     * made a tenant of host "h" and {@code name: *n} one named "n", and the file was applied without a word.
     */
    @Test
    void anAliasIsRefusedNotReadAsItsName(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
            throws Exception {
        java.nio.file.Files.writeString(home.resolve(ApplicationFile.FILE), """
                databases:
                  default: {url: "postgresql://db.internal/main"}
                tenants:
                  acme: {hosts: &h [a.test, b.test], name: &n ACME}
                  globex: {hosts: [g.test]}
                  initech: {hosts: *h}
                """);
        var aliased = ApplicationFile.read(home, null, new java.util.ArrayList<>());
        assertTrue(!aliased.valid() && aliased.problems().equals(List.of("serv.config.yaml (line 6): '*h' is a YAML"
                + " alias, which Serv does not expand (it would be read as the text 'h'); write the value out in full."
                + " Nothing of the file was applied")), aliased.problems().toString());

        // An anchor that no alias names is harmless: the file is read as without it.
        java.nio.file.Files.writeString(home.resolve(ApplicationFile.FILE), """
                tenants:
                  acme: {hosts: &h [a.test, b.test], name: &n ACME}
                """);
        var anchored = ApplicationFile.read(home, null, new java.util.ArrayList<>());
        assertTrue(anchored.valid(), anchored.problems().toString());
        assertEquals("ACME", anchored.desired().get(0).properties().get("name"));
    }

    /** A file saved in Latin-1: its line and byte, and the fix (it was "/home/.../serv.config.yaml cannot be read:
     * Input length = 1", in the log and /health). */
    @Test
    void aFileThatIsNotUtf8IsSaidWithItsLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
            throws Exception {
        java.nio.file.Files.write(home.resolve(ApplicationFile.FILE), ("databases:\n  default:\n    url: \"sqlite:"
                + "///data/app.db\"\n\nsite_info: {name: \"caf\u00e9\"}\n").getBytes(
                        java.nio.charset.StandardCharsets.ISO_8859_1));
        var latin = ApplicationFile.read(home, null, new java.util.ArrayList<>());
        assertEquals(List.of("serv.config.yaml is not UTF-8 text (line 5, byte 0xE9): save it as UTF-8; nothing of"
                + " it was applied"), latin.problems());
        assertTrue(!latin.valid());
    }
}
