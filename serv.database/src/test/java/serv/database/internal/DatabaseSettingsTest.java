package serv.database.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import serv.database.internal.DatabaseSettings.ConfigurationException;

class DatabaseSettingsTest {

    @TempDir
    Path home;

    private DatabaseSettings settings(Object... kv) throws ConfigurationException {
        Map<String, Object> props = new HashMap<>();
        props.put("url", "sqlite:///data/app.db");
        for (int i = 0; i < kv.length; i += 2) {
            props.put((String) kv[i], kv[i + 1]);
        }
        return DatabaseSettings.from(props, home);
    }

    private String error(Object... kv) {
        return assertThrows(ConfigurationException.class, () -> settings(kv)).getMessage();
    }

    @Test
    void defaultsAreTheEmbeddedDatabase() throws Exception {
        DatabaseSettings s = settings();
        assertEquals("default", s.name());
        assertEquals("jdbc:sqlite:" + home.resolve("data/app.db"), s.url().jdbcUrl());
        assertEquals(10, s.minIdle());
        assertEquals(10, s.maxPoolSize());
        assertEquals(5000, s.connectionTimeoutMs());
    }

    @Test
    void noUrlIsNoDatabaseNeverTheEmbeddedFile() {
        // a url line deleted or left empty in an edit moved a PostgreSQL database's writes to data/app.db
        assertEquals("key 'url' is missing: give the database's URL (postgresql://user@host:5432/db, or"
                + " sqlite:///data/app.db for an embedded one)", error("url", null));
        assertEquals("key 'url' is missing: give the database's URL (postgresql://user@host:5432/db, or"
                + " sqlite:///data/app.db for an embedded one)", error("url", " "));
    }

    @Test
    void portsControlCharactersFractionsAndHugePoolsAreRefused() {
        assertEquals("key 'url': port 154320 is not a port (1-65535); PostgreSQL's is 5432",
                error("url", "postgresql://postgres@127.0.0.1:154320/main"));
        assertEquals("key 'url': port 99999 is not a port (1-65535); PostgreSQL's is 5432",
                error("url", "jdbc:postgresql://127.0.0.1:99999/main?user=postgres"));
        assertEquals("key 'url' holds a control character (U+0000); remove it", error("url", "sqlite:///data/d\u0000.db"));
        assertEquals("key 'pool_size': '1.5' is not a whole number", error("pool_size", 1.5));
        assertTrue(error("pool_size", 99999).startsWith("key 'pool_size': 99999 connections are more than a database"
                + " server takes"));
        assertTrue(error("max_overflow", "5000").startsWith("key 'max_overflow': 5000 connections"));
    }

    @Test
    void bothSizeVocabulariesMapToHikari() throws Exception {
        DatabaseSettings seed = settings("pool_size", "10", "max_overflow", 20);
        assertEquals(10, seed.minIdle());
        assertEquals(30, seed.maxPoolSize());
        DatabaseSettings asyncpg = settings("pool_size", 10, "min_size", 1, "max_size", "5");
        assertEquals(1, asyncpg.minIdle());
        assertEquals(5, asyncpg.maxPoolSize());
    }

    @Test
    void badValuesNameTheKeyAndTheFix() {
        assertTrue(error("pool_size", "-1").startsWith("key 'pool_size': -1 is too small"));
        assertTrue(error("pool_size", "ten").startsWith("key 'pool_size': 'ten' is not a whole number"));
        assertTrue(error("min_size", 8, "max_size", 4).startsWith("key 'min_size': 8 is larger than the maximum of 4"));
        assertTrue(error("connection_timeout", "soon").startsWith("key 'connection_timeout'"));
        assertTrue(error("name", "Bad Name").startsWith("key 'name'"));
        assertTrue(error("url", "sqlite:///x.db", "ssl_mode", "require").startsWith("key 'ssl_mode'"));
        assertTrue(error("url", "postgresql://h/db", "ssl_mode", "maybe").startsWith("key 'ssl_mode'"));
        assertTrue(error("password_file", "missing.txt").startsWith("key 'password_file': cannot read"));
    }

    @Test
    void aSchemaIsAPostgresqlSearchPathAndASafeName() throws Exception {
        DatabaseSettings s = settings("url", "postgresql://u@h:5432/db?sslmode=require", "schema", "acme_corp");
        assertEquals("acme_corp", s.schema());
        assertTrue(s.url().jdbcUrl().contains("currentSchema=acme_corp"), s.url().jdbcUrl());
        assertTrue(s.url().jdbcUrl().contains("sslmode=require"), s.url().jdbcUrl());
        assertTrue(error("schema", "x").startsWith("key 'schema': only PostgreSQL databases have schemas"));
        // A tenant's schema on an SQLite default: the fix names the tenant's own database, not a key it never set.
        assertEquals("tenant acme has no database of its own, so its data goes in schema acme of the shared database"
                + " default, which is sqlite and has no schemas; give the tenant a database of its own (database: {url:"
                + " \"sqlite:///data/acme.db\"} or a postgresql:// url), or make default a PostgreSQL database",
                error("schema", "acme", "tenant", "acme"));
        assertTrue(error("url", "postgresql://h/db", "schema", "a\"; DROP").startsWith("key 'schema': 'a\"; DROP'"));
        assertTrue(error("url", "postgresql://h/db", "schema", "pg_catalog").startsWith("key 'schema'"));
        assertTrue(settings("url", "postgresql://h/db", "schema", "a").needsNewPool(
                settings("url", "postgresql://h/db", "schema", "b")));
    }

    @Test
    void anUnresolvedVariableNamesTheVariable() {
        String message = error("password", "${ANALYTICS_DB_PASSWORD}");
        assertTrue(message.contains("environment variable ANALYTICS_DB_PASSWORD is not set"), message);
    }

    @Test
    void passwordComesFromTheFileOrTheKeyOrTheUrl() throws Exception {
        Files.writeString(home.resolve("pw.txt"), "from-file\nignored\n");
        assertEquals("from-file", settings("url", "postgresql://u:from-url@h/db", "password_file", "pw.txt").password());
        assertEquals("from-key", settings("url", "postgresql://u:from-url@h/db", "password", "from-key").password());
        assertEquals("from-url", settings("url", "postgresql://u:from-url@h/db").password());
        assertTrue(error("password", "a", "password_file", "pw.txt").contains("keep only one"));
        assertFalse(settings("url", "postgresql://u:from-url@h/db").toString().contains("from-url"));
    }

    @Test
    void onlyConnectionChangesNeedANewPool() throws Exception {
        DatabaseSettings a = settings("url", "postgresql://u@h/db", "pool_size", 2);
        assertFalse(a.needsNewPool(settings("url", "postgresql://u@h/db", "pool_size", 8, "idle_timeout", 30)));
        assertTrue(a.needsNewPool(settings("url", "postgresql://u@h/other")));
        assertTrue(a.needsNewPool(settings("url", "postgresql://u@h/db", "password", "new")));
    }

    /** A 10 MB value is repeated cut, not whole (in the log line, /health's reason and the console, at every poll). */
    @Test
    void aHugeValueIsRepeatedCut() {
        String huge = "1".repeat(10_000_000);
        for (String key : new String[] {"pool_size", "connection_timeout", "schema"}) {
            String message = error("url", "postgresql://db.internal/main", key, huge);
            assertTrue(message.length() < 300, () -> message.substring(0, 300));
            assertTrue(message.startsWith("key '" + key + "': "), message);
            assertTrue(message.contains("1".repeat(60) + "… (10000000 characters)"), message);
        }
    }

    @Test
    void aLineBreakInAValueDoesNotSplitTheLogLine() {
        String message = error("url", "postgresql://db.internal/main", "schema", "a\nb\r\u0000c");
        assertTrue(message.startsWith("key 'schema': 'a\\nb\\r\\u0000c' is not a valid schema name"), message);
        assertTrue(message.chars().noneMatch(Character::isISOControl), message);
    }
}
