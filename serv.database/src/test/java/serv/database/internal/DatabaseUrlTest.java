package serv.database.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import serv.database.Dialect;
import serv.database.internal.DatabaseSettings.ConfigurationException;

class DatabaseUrlTest {

    private static final Path HOME = Path.of("/srv/serv");

    @Test
    void postgresUrlIsSplitIntoJdbcUrlAndCredentials() throws Exception {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://app:s%40cret@db.internal:5433/blog?sslmode=require", HOME);
        assertEquals(Dialect.POSTGRESQL, url.dialect());
        assertEquals("jdbc:postgresql://db.internal:5433/blog?sslmode=require", url.jdbcUrl());
        assertEquals("app", url.user());
        assertEquals("s@cret", url.password());
        assertFalse(url.safeDescription().contains("cret"));
        assertFalse(url.toString().contains("cret"));
    }

    @Test
    void postgresWithoutHostOrPortUsesLocalhost() throws Exception {
        DatabaseUrl url = DatabaseUrl.parse("postgres:///blog", HOME);
        assertEquals("jdbc:postgresql://localhost/blog", url.jdbcUrl());
        assertNull(url.user());
    }

    @Test
    void sqliteRelativeAndAbsolutePaths() throws Exception {
        assertEquals("jdbc:sqlite:/srv/serv/data/app.db", DatabaseUrl.parse("sqlite:///data/app.db", HOME).jdbcUrl());
        assertEquals("jdbc:sqlite:/var/lib/app.db", DatabaseUrl.parse("sqlite:////var/lib/app.db", HOME).jdbcUrl());
        assertEquals(Dialect.SQLITE, DatabaseUrl.parse("jdbc:sqlite:data/x.db", HOME).dialect());
        assertEquals("jdbc:sqlite:/srv/serv/data/x.db", DatabaseUrl.parse("jdbc:sqlite:data/x.db", HOME).jdbcUrl());
    }

    @Test
    void jdbcPostgresUrlIsKeptAndItsQueryHidden() throws Exception {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://h/db?password=x", HOME);
        assertEquals("jdbc:postgresql://h/db?password=x", url.jdbcUrl());
        assertEquals("jdbc:postgresql://h/db", url.safeDescription());
    }

    @Test
    void badUrlsNameTheKeyAndTheFix() {
        ConfigurationException unknown = assertThrows(ConfigurationException.class,
                () -> DatabaseUrl.parse("mysql://u:pw@h/db", HOME));
        assertTrue(unknown.getMessage().startsWith("key 'url': unknown scheme 'mysql'"), unknown.getMessage());
        assertFalse(unknown.getMessage().contains("pw"));
        assertThrows(ConfigurationException.class, () -> DatabaseUrl.parse("sqlite://", HOME));
        assertThrows(ConfigurationException.class, () -> DatabaseUrl.parse("sqlite:///:memory:", HOME));
        assertThrows(ConfigurationException.class, () -> DatabaseUrl.parse("postgresql://h:5432/", HOME));
        ConfigurationException query = assertThrows(ConfigurationException.class,
                () -> DatabaseUrl.parse("postgresql://h/db?password=x", HOME));
        assertTrue(query.getMessage().contains("'password' key"), query.getMessage());
    }

    /** A host name longer than DNS allows never resolves: refused with the key, not retried for ever. */
    @Test
    void aHostNameTooLongIsRefused() throws Exception {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> DatabaseUrl.parse("postgresql://u:pw@" + "a".repeat(100_000) + "/db", HOME));
        assertEquals("key 'url': the host name has 100000 characters, more than the 253 a host name may have;"
                + " expected postgresql://user@host:5432/database", e.getMessage());
        assertEquals("jdbc:postgresql://" + "a".repeat(253) + "/db",
                DatabaseUrl.parse("postgresql://" + "a".repeat(253) + "/db", HOME).jdbcUrl());
    }

    @Test
    void withParameterReplacesAnExistingOne() throws Exception {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://h/db?sslmode=disable&ApplicationName=x", HOME)
                .withParameter("sslmode", "require");
        assertEquals("jdbc:postgresql://h/db?ApplicationName=x&sslmode=require", url.jdbcUrl());
    }
}
