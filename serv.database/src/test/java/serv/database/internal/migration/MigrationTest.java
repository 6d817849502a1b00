package serv.database.internal.migration;

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

    @Test
    void semicolonsInStringsCommentsAndQuotedIdentifiersDoNotSplit() {
        assertEquals(List.of("INSERT INTO a VALUES ('x;y', 'it''s; fine', E'back\\'s;lash')",
                "SELECT \"odd;name\" FROM a /* a ; comment */ WHERE b = 1",
                "SELECT 2"),
                SqlScript.statements("""
                        INSERT INTO a VALUES ('x;y', 'it''s; fine', E'back\\'s;lash');
                        -- a comment; with a semicolon
                        SELECT "odd;name" FROM a /* a ; comment */ WHERE b = 1; SELECT 2;
                        /* only a comment; */
                        """));
    }

    @Test
    void dollarQuotedFunctionBodiesStayWhole() {
        String function = """
                CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.updated_at := now();
                    RETURN NEW;
                END;
                $$""";
        String tagged = """
                CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS $body$ SELECT $1 + 1; $body$""";
        assertEquals(List.of(function, tagged, "SELECT 1"),
                SqlScript.statements(function + ";\n" + tagged + ";\nSELECT 1;\n"));
    }

    @Test
    void triggerAndAtomicBlocksEndAtTheirEnd() {
        String trigger = """
                CREATE TRIGGER t AFTER UPDATE ON posts
                BEGIN
                    UPDATE posts SET n = CASE WHEN n > 1 THEN n ELSE 0 END WHERE id = NEW.id;
                    DELETE FROM x;
                END""";
        String atomic = """
                CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END""";
        assertEquals(List.of(trigger, "CREATE TABLE b (begin_at INT)", atomic, "SELECT 3"),
                SqlScript.statements(trigger + ";\nCREATE TABLE b (begin_at INT);\n" + atomic + ";\nSELECT 3"));
    }
}
