package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import serv.database.Database;
import serv.database.MigrationException;
import serv.database.Migrations;
import serv.testkit.ServTestSupport;

/**
 * The migrations extender on PostgreSQL, with extensions hot-deployed as resource-only bundles: applied once and in
 * order, a changed checksum or a failing migration stops its own extension (named, with the reason) and leaves the schema
 * as it was, and removing the offending extension brings it back; statements prepared before a migration changed
 * their table still run after it. Also: no connection leaks after many mixed requests, errors included.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MigrationsIT extends ServTestSupport {

    @Configuration
    public Option[] config() {
        return serv("""
                databases:
                  default:
                    url: "%s"
                    pool_size: 2
                    max_overflow: 6
                """.formatted(freshPostgres()));
    }


    private static Database db() {
        return context().getService(context().getServiceReference(Database.class));
    }

    private static List<String> column(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = db().connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Waits until {@code count} migrations of {@code extension} are in the history. */
    private static void awaitApplied(String extension, int count) throws InterruptedException {
        await(count + " migrations of " + extension, Duration.ofSeconds(20), () -> {
            try {
                return column("SELECT version FROM serv_migrations WHERE extension = '" + extension + "'").size() == count;
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static boolean tableExists(String table) throws Exception {
        return !column("SELECT table_name FROM information_schema.tables WHERE table_name = '" + table + "'").isEmpty();
    }

    private static String state() {
        return db().state().name();
    }

    @Test
    public void migrationsApplyOnceInOrderAndAChangedChecksumFails() throws Exception {
        Path jar = home().resolve("deploy/it-ordered.jar");
        Map<String, String> v1 = Map.of(
                "serv/migrations/default/V10__fill_numbers.sql", "INSERT INTO numbers (n) VALUES (10);\n",
                "serv/migrations/default/V2__create_numbers.postgresql.sql", "CREATE TABLE numbers (n INTEGER NOT NULL);\n",
                "serv/migrations/default/V2__create_numbers.sqlite.sql", "this file is for SQLite and never runs here;\n",
                "serv/migrations/default/V3__fill_more.sql", "INSERT INTO numbers (n) VALUES (3);\nINSERT INTO numbers (n) VALUES (4);\n");
        writeAtomically(jar, resourceBundle("it.ordered", v1));
        awaitApplied("it.ordered", 3);
        assertEquals(List.of("2", "3", "10"), column(
                "SELECT version FROM serv_migrations WHERE extension = 'it.ordered' ORDER BY applied_at, version"));
        assertEquals(List.of("3", "4", "10"), column("SELECT n FROM numbers ORDER BY n"));
        await("UP", Duration.ofSeconds(10), () -> "UP".equals(state()));

        // The same bundle again: nothing runs twice.
        Files.delete(jar);
        Thread.sleep(1500);
        writeAtomically(jar, resourceBundle("it.ordered", v1));
        Thread.sleep(1500);
        await("UP", Duration.ofSeconds(10), () -> "UP".equals(state()));
        assertEquals(List.of("3", "4", "10"), column("SELECT n FROM numbers ORDER BY n"));

        // An applied migration edited: refused, named, nothing re-run.
        Files.delete(jar);
        Thread.sleep(1500);
        Map<String, String> edited = new java.util.HashMap<>(v1);
        edited.put("serv/migrations/default/V3__fill_more.sql", "INSERT INTO numbers (n) VALUES (33);\n");
        writeAtomically(jar, resourceBundle("it.ordered", edited));
        await("it.ordered refused", Duration.ofSeconds(20), () -> db().failedExtensions().containsKey("it.ordered"));
        String reason = db().failedExtensions().get("it.ordered");
        assertTrue(reason, reason.startsWith("migration it.ordered V3 (fill more) was changed after it was applied: its checksum does not match"));
        Answer health = health();
        assertEquals(200, health.status());
        assertTrue(health.body(), health.body().contains("checksum does not match"));
        assertEquals("only the edited extension stops", 200, get("/posts").status());
        assertEquals("UP", state());
        assertEquals(List.of("3", "4", "10"), column("SELECT n FROM numbers ORDER BY n"));

        // Taking the extension away forgets its failure.
        Files.delete(jar);
        await("it.ordered forgotten", Duration.ofSeconds(20), () -> db().failedExtensions().isEmpty());
        awaitStatus("/posts", 200, Duration.ofSeconds(10));
    }

    @Test
    public void functionBodiesWithSemicolonsAreOneStatement() throws Exception {
        Path jar = home().resolve("deploy/it-function.jar");
        writeAtomically(jar, resourceBundle("it.function", Map.of(
                "serv/migrations/default/V1__counters_with_a_trigger.sql", """
                        -- a table; a function whose body has semicolons; a trigger that calls it
                        CREATE TABLE counters (name TEXT PRIMARY KEY, hits INTEGER NOT NULL DEFAULT 0,
                                               note TEXT NOT NULL DEFAULT 'a;b');
                        CREATE FUNCTION counters_bump() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN
                            NEW.hits := OLD.hits + 1; -- one more; always
                            RETURN NEW;
                        END;
                        $$;
                        CREATE TRIGGER counters_bump BEFORE UPDATE ON counters
                            FOR EACH ROW EXECUTE FUNCTION counters_bump();
                        INSERT INTO counters (name) VALUES ('x;y');
                        """)));
        awaitApplied("it.function", 1);
        try (Connection c = db().connection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE counters SET name = name");
            st.executeUpdate("UPDATE counters SET name = name");
        }
        assertEquals(List.of("2"), column("SELECT hits FROM counters WHERE name = 'x;y'"));
        assertEquals(List.of("a;b"), column("SELECT note FROM counters"));
        Files.delete(jar);
        await("UP", Duration.ofSeconds(10), () -> "UP".equals(state()));
    }

    @Test
    public void aFailingMigrationIsRolledBackNamedAndStopsOnlyItsExtension() throws Exception {
        Path jar = home().resolve("deploy/it-failing.jar");
        writeAtomically(jar, resourceBundle("it.failing", Map.of(
                "serv/migrations/default/V1__create_good.sql", "CREATE TABLE good_table (id INTEGER);\n",
                "serv/migrations/default/V2__half_done.sql",
                "CREATE TABLE half_table (id INTEGER);\nINSERT INTO no_such_table VALUES (1);\n")));
        await("it.failing to fail", Duration.ofSeconds(20), () -> db().failedExtensions().containsKey("it.failing"));
        String reason = db().failedExtensions().get("it.failing");
        assertTrue(reason, reason.startsWith("migration it.failing V2 (half done) failed and was rolled back: "));
        assertFalse(reason, reason.contains("INSERT"));
        assertTrue(tableExists("good_table"));
        assertFalse("the failing migration's first statement was rolled back", tableExists("half_table"));
        assertEquals(List.of("1"), column("SELECT version FROM serv_migrations WHERE extension = 'it.failing'"));
        // The failure is the extension's: the database stays UP and the other extensions serve.
        assertEquals("UP", state());
        assertEquals(200, get("/posts").status());
        Answer health = health();
        assertEquals(health.body(), 200, health.status());
        assertTrue(health.body(), health.body().contains("\"failed_extensions\":{\"it.failing\":\"migration it.failing V2"));

        Files.delete(jar);
        await("it.failing forgotten", Duration.ofSeconds(20), () -> db().failedExtensions().isEmpty());
        assertEquals("UP", state());
    }

    @Test
    public void migrationsGoDownToAVersionThroughTheApi() throws Exception {
        Migrations migrations = context().getService(context().getServiceReference(Migrations.class));
        Path jar = home().resolve("deploy/it-down.jar");
        writeAtomically(jar, resourceBundle("it.down", Map.of(
                "serv/migrations/default/V1__create_letters.sql", "CREATE TABLE letters (c VARCHAR(1));\n",
                "serv/migrations/default/U1__create_letters.sql", "DROP TABLE letters;\n",
                "serv/migrations/default/V2__fill_letters.sql", "INSERT INTO letters VALUES ('a');\nINSERT INTO letters VALUES ('b');\n",
                "serv/migrations/default/U2__fill_letters.sql", "DELETE FROM letters;\n",
                "serv/migrations/default/V3__more_letters.sql", "INSERT INTO letters VALUES ('c');\n")));
        awaitApplied("it.down", 3);

        // V3 has no down script: nothing is touched.
        try {
            migrations.rollback(db(), "it.down", "1");
            org.junit.Assert.fail("V3 has no down script");
        } catch (MigrationException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().startsWith("migration it.down V3 has no down script"));
        }
        assertEquals(List.of("a", "b", "c"), column("SELECT c FROM letters ORDER BY c"));

        // Going down to V3 (the top) does nothing; to V2 needs U3, which is missing; V1 and V2 can go.
        assertEquals(List.of(), migrations.rollback(db(), "it.down", "3"));
        assertEquals(List.of("1", "2", "3"), migrations.applied(db()).stream()
                .filter(a -> a.extension().equals("it.down")).map(Migrations.Applied::version).toList());
        Files.delete(jar);
        await("UP", Duration.ofSeconds(10), () -> "UP".equals(state()));
    }

    @Test
    public void downScriptsRunNewestFirstAndLeaveTheHistory() throws Exception {
        Migrations migrations = context().getService(context().getServiceReference(Migrations.class));
        Path jar = home().resolve("deploy/it-down2.jar");
        writeAtomically(jar, resourceBundle("it.down2", Map.of(
                "serv/migrations/default/V1__create_colors.sql", "CREATE TABLE colors (c VARCHAR(10));\n",
                "serv/migrations/default/U1__create_colors.sql", "DROP TABLE colors;\n",
                "serv/migrations/default/V2__fill_colors.sql", "INSERT INTO colors VALUES ('red');\n",
                "serv/migrations/default/U2__fill_colors.postgresql.sql", "DELETE FROM colors;\n",
                "serv/migrations/default/U2__fill_colors.sqlite.sql", "this is for SQLite and never runs here;\n")));
        awaitApplied("it.down2", 2);
        assertEquals(List.of("2"), migrations.rollback(db(), "it.down2", "1"));
        assertEquals(List.of(), column("SELECT c FROM colors"));
        assertEquals(List.of("1"), migrations.applied(db()).stream()
                .filter(a -> a.extension().equals("it.down2")).map(Migrations.Applied::version).toList());
        assertEquals(List.of("1"), migrations.rollback(db(), "it.down2", "0"));
        assertFalse(tableExists("colors"));
        assertEquals(List.of(), column("SELECT version FROM serv_migrations WHERE extension = 'it.down2'"));
        Files.delete(jar);
        await("UP", Duration.ofSeconds(10), () -> "UP".equals(state()));
    }

    /**
     * A rollback of a deployed extension holds on PostgreSQL too: the extension is not ready (held back, named in
     * failedExtensions), its start again applies nothing, and applyAgain applies them.
     */
    @Test
    public void aRollbackHoldsUntilAppliedAgain() throws Exception {
        Migrations migrations = context().getService(context().getServiceReference(Migrations.class));
        Path jar = home().resolve("deploy/it-hold.jar");
        writeAtomically(jar, resourceBundle("it.hold", Map.of(
                "serv/migrations/default/V1__create_shapes.sql", "CREATE TABLE shapes (s VARCHAR(10));\n",
                "serv/migrations/default/U1__create_shapes.sql", "DROP TABLE shapes;\n",
                "serv/migrations/default/V2__fill_shapes.sql", "INSERT INTO shapes VALUES ('circle');\n",
                "serv/migrations/default/U2__fill_shapes.sql", "DELETE FROM shapes;\n")));
        awaitApplied("it.hold", 2);
        assertEquals(List.of("2"), migrations.rollback(db(), "it.hold", "1"));
        await("it.hold held back", Duration.ofSeconds(10),
                () -> db().failedExtensions().getOrDefault("it.hold", "").contains("above V1 were rolled back"));
        org.osgi.framework.Bundle hold = null;
        for (org.osgi.framework.Bundle b : context().getBundles()) {
            if ("it.hold".equals(b.getSymbolicName())) {
                hold = b;
            }
        }
        assertFalse(db().readyFor(hold.getBundleId()));
        hold.stop();
        hold.start(); // checked again as it arrives: still held
        await("it.hold held back again", Duration.ofSeconds(10),
                () -> db().failedExtensions().getOrDefault("it.hold", "").contains("above V1 were rolled back"));
        assertEquals(List.of(), column("SELECT s FROM shapes"));
        assertEquals(List.of("1"), column("SELECT version FROM serv_migrations WHERE extension = 'it.hold'"));
        assertTrue(migrations.applyAgain(db(), "it.hold"));
        awaitApplied("it.hold", 2);
        org.osgi.framework.Bundle started = hold;
        await("it.hold ready", Duration.ofSeconds(10), () -> db().readyFor(started.getBundleId()));
        assertEquals(List.of("circle"), column("SELECT s FROM shapes"));
        assertFalse(migrations.applyAgain(db(), "it.hold"));
        Files.delete(jar);
        await("UP", Duration.ofSeconds(10), () -> "UP".equals(state()));
    }

    /**
     * A new version of an extension alters a table its statements use while the server runs. Statements PostgreSQL
     * prepared on the pool's connections before (pgjdbc does so from a statement's 5th use) would fail once each
     * with "cached plan must not change result type" (an INSERT ... RETURNING, as RETURN_GENERATED_KEYS asks for,
     * returns a column more) in a transaction, as a request's: the extension's first statements after the
     * migration run on fresh connections.
     */
    @Test
    public void statementsPreparedBeforeAMigrationThatChangesTheirTableStillRun() throws Exception {
        Path jar = home().resolve("deploy/it-reshape.jar");
        Map<String, String> v1 = Map.of("serv/migrations/default/V1__create_shelves.sql",
                "CREATE TABLE shelves (id SERIAL PRIMARY KEY, title TEXT NOT NULL);\n");
        writeAtomically(jar, resourceBundle("it.reshape", v1));
        awaitApplied("it.reshape", 1);
        org.osgi.framework.Bundle reshape = java.util.Arrays.stream(context().getBundles())
                .filter(b -> "it.reshape".equals(b.getSymbolicName())).findFirst().orElseThrow();
        await("it.reshape ready", Duration.ofSeconds(10), () -> db().readyFor(reshape.getBundleId()));

        int max = prepareOnEveryConnection("shelves");

        Map<String, String> v2 = new java.util.HashMap<>(v1);
        v2.put("serv/migrations/default/V2__shelves_get_a_column.sql", "ALTER TABLE shelves ADD COLUMN c INT;\n");
        writeAtomically(jar, resourceBundle("it.reshape", v2));
        awaitApplied("it.reshape", 2);
        await("it.reshape ready again", Duration.ofSeconds(10), () -> db().readyFor(reshape.getBundleId()));

        List<Connection> all = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try {
            for (int i = 0; i < max; i++) {
                Connection c = db().connection();
                all.add(c);
                c.setAutoCommit(false); // as a request's transaction: pgjdbc retries a failed statement only outside one
                try {
                    insertShelf(c);
                    c.commit();
                } catch (java.sql.SQLException e) {
                    failures.add(e.getMessage());
                    if (!c.isClosed()) { // Hikari closes a connection that failed with SQLState 0A000
                        c.rollback();
                    }
                }
            }
        } finally {
            for (Connection c : all) {
                c.close();
            }
        }
        assertEquals(List.of(), failures);
        Files.delete(jar);
        await("UP", Duration.ofSeconds(10), () -> "UP".equals(state()));
    }

    /**
     * Another server of the cluster applied the migration (or a connection was held across it): this server's run
     * applied nothing, its connections still hold the statement prepared on the table as it was. The first statement
     * that meets it fails as a retry (a 503 with Retry-After for a request, not a 500), and the pool's connections are
     * replaced then: the next ones run.
     */
    @Test
    public void aTableChangedByAnotherServerCostsOneRetry() throws Exception {
        Path jar = home().resolve("deploy/it-reshaped-elsewhere.jar");
        writeAtomically(jar, resourceBundle("it.reshaped.elsewhere", Map.of(
                "serv/migrations/default/V1__create_racks.sql",
                "CREATE TABLE racks (id SERIAL PRIMARY KEY, title TEXT NOT NULL);\n")));
        awaitApplied("it.reshaped.elsewhere", 1);
        int max = prepareOnEveryConnection("racks");
        sql(column("SELECT current_database()").get(0), "ALTER TABLE racks ADD COLUMN c INT"); // as elsewhere
        List<Connection> all = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try {
            for (int i = 0; i < max; i++) {
                Connection c = db().connection();
                all.add(c);
                c.setAutoCommit(false);
                try {
                    insertInto("racks", c);
                    c.commit();
                } catch (java.sql.SQLException e) {
                    assertEquals(e.getMessage(), serv.database.SqlError.Kind.UNAVAILABLE,
                            serv.database.SqlError.classify(e).kind());
                    failures.add(e.getMessage());
                    if (!c.isClosed()) {
                        c.rollback();
                    }
                }
            }
        } finally {
            for (Connection c : all) {
                c.close();
            }
        }
        assertTrue("one retry at most, then fresh connections: " + failures, failures.size() <= 1);
        Files.delete(jar);
    }

    private static void insertInto(String table, Connection c) throws java.sql.SQLException {
        try (java.sql.PreparedStatement st = c.prepareStatement("INSERT INTO " + table + " (title) VALUES (?)",
                Statement.RETURN_GENERATED_KEYS)) {
            st.setString(1, "t");
            st.executeUpdate();
            try (ResultSet keys = st.getGeneratedKeys()) {
                assertTrue(keys.next());
            }
        }
    }

    private static void insertShelf(Connection c) throws java.sql.SQLException {
        insertInto("shelves", c);
    }

    /**
     * Every connection of the pool at once, each with {@code table}'s INSERT prepared on the server (pgjdbc does so
     * from a statement's 5th use); returns the pool's size.
     */
    private static int prepareOnEveryConnection(String table) throws Exception {
        int max = db().stats().max();
        List<Connection> all = new ArrayList<>();
        try {
            for (int i = 0; i < max; i++) {
                Connection c = db().connection();
                all.add(c);
                for (int k = 0; k < 6; k++) {
                    insertInto(table, c);
                }
                assertEquals("prepared on the server", List.of("1"), column(c,
                        "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO " + table + "%'"));
            }
        } finally {
            for (Connection c : all) {
                c.close();
            }
        }
        return max;
    }

    private static List<String> column(Connection c, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    public void aThousandMixedRequestsLeaveThePoolIdle() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(20));
        String user = send("POST", "/users", "application/x-www-form-urlencoded",
                "username=leaky&email=leaky%40example.com&password=long+enough").body();
        String author = user.replaceAll("^\\{\"id\":(\\d+),.*", "$1");
        String form = "application/x-www-form-urlencoded";
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            int k = i;
            answers.add(pool.submit(() -> switch (k % 6) {
                case 0 -> get("/posts?limit=5").status();
                case 1 -> send("POST", "/posts", form, "title=t" + k + "&content=c&author_id=" + author).status();
                case 2 -> send("POST", "/posts", form, "title=t&content=c&author_id=999999").status();
                case 3 -> get("/posts/abc").status();
                case 4 -> get("/posts/2147483647").status();
                default -> send("POST", "/users", form, "username=leaky&email=x%40y.z&password=long+enough").status();
            }));
        }
        int[] expected = { 200, 201, 400, 400, 404, 409 };
        for (int i = 0; i < answers.size(); i++) {
            assertEquals("request " + i, expected[i % 6], (int) answers.get(i).get());
        }
        pool.shutdown();
        await("every connection back in the pool", Duration.ofSeconds(10), () -> db().stats().active() == 0);
        assertEquals(0, db().stats().pending());
        assertEquals("167", column("SELECT count(*) FROM posts WHERE title LIKE 't%'").get(0));
    }
}
