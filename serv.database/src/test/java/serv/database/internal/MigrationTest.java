package serv.database.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import serv.database.Dialect;

class MigrationTest {

    @Test
    void fileNamesGiveVersionDescriptionAndDialect() {
        Migration.Parsed p = Migration.parse("V001__create_users.sql", Dialect.SQLITE);
        assertEquals("001", p.version());
        assertEquals("create users", p.description());
        assertTrue(Migration.parse("V2_1__x.postgresql.sql", Dialect.POSTGRESQL).dialectSpecific());
        assertNull(Migration.parse("V2_1__x.postgresql.sql", Dialect.SQLITE));
        assertNull(Migration.parse("create_users.sql", Dialect.SQLITE));
        assertNull(Migration.parse("U001__create_users.sql", Dialect.SQLITE));
    }

    @Test
    void versionsOrderNumerically() {
        List<String> versions = new ArrayList<>(List.of("10", "2", "1.10", "1.2", "001"));
        versions.sort(Migration.VERSION_ORDER);
        assertEquals(List.of("001", "1.2", "1.10", "2", "10"), versions);
    }

    @Test
    void scriptsSplitAtSemicolonsEndingALine() {
        Migration m = new Migration("x", "default", "1", "d", """
                -- users
                CREATE TABLE a (id INT);
                INSERT INTO a VALUES (1);   
                CREATE INDEX i ON a(id)
                """);
        assertEquals(List.of("CREATE TABLE a (id INT)", "INSERT INTO a VALUES (1)", "CREATE INDEX i ON a(id)"),
                m.statements());
        assertEquals(64, m.checksum().length());
    }
}
