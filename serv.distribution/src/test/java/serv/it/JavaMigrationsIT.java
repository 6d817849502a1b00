package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceRegistration;

import serv.database.Dialect;
import serv.database.JavaMigration;
import serv.database.Migrations;
import serv.testkit.ServTestSupport;

/**
 * Java migration services on PostgreSQL (database {@code jm}, beside the default one): applied once in version
 * order and recorded like SQL ones; a failing one rolls back and stops its extension, named; a changed
 * checksum is refused; going down runs {@link JavaMigration#undo}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class JavaMigrationsIT extends ServTestSupport {

    @Configuration
    public Option[] config() {
        return serv("databases:\n  jm: {url: \"" + freshPostgres() + "\"}\n  jm2: {url: \"" + freshPostgres()
                + "\"}\n");
    }

    /** A Java migration made of SQL statements, for the test. */
    private record Step(String version, String description, String checksum, List<String> sql, List<String> undoSql)
            implements JavaMigration {
        @Override
        public void migrate(Connection connection, Dialect dialect) throws SQLException {
            assertEquals(Dialect.POSTGRESQL, dialect);
            assertFalse("runs inside the migration's transaction", connection.getAutoCommit());
            try (Statement st = connection.createStatement()) {
                for (String s : sql) {
                    st.execute(s);
                }
            }
        }

        @Override
        public boolean undoable() {
            return !undoSql.isEmpty();
        }

        @Override
        public void undo(Connection connection, Dialect dialect) throws SQLException {
            try (Statement st = connection.createStatement()) {
                for (String s : undoSql) {
                    st.execute(s);
                }
            }
        }
    }

    private static ServiceRegistration<JavaMigration> register(Step step) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(JavaMigration.DATABASE, "jm");
        return context().registerService(JavaMigration.class, step, props);
    }

    private static List<String> column(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = database("jm").connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    public void javaMigrationsRunOnceInOrderFailCleanlyAndGoDown() throws Exception {
        awaitState("jm", "UP", Duration.ofSeconds(20));
        String extension = context().getBundle().getSymbolicName();
        // Registered out of order: they run by version.
        ServiceRegistration<JavaMigration> two = register(new Step("2", "fill things", "c2",
                List.of("INSERT INTO things (name) VALUES ('a'), ('b')"), List.of("DELETE FROM things")));
        ServiceRegistration<JavaMigration> one = register(new Step("1", "create things", "c1",
                List.of("CREATE TABLE things (name TEXT NOT NULL)"), List.of("DROP TABLE things")));
        await("both Java migrations applied", Duration.ofSeconds(20), () -> {
            try {
                return column("SELECT count(*) FROM things").equals(List.of("2"));
            } catch (Exception notYet) {
                return false;
            }
        });
        awaitState("jm", "UP", Duration.ofSeconds(20));
        assertEquals(List.of("1 create things java:c1", "2 fill things java:c2"), column(
                "SELECT version || ' ' || description || ' ' || checksum FROM serv_migrations WHERE extension = '"
                        + extension + "' ORDER BY version"));

        // A failing migration: rolled back (its first statement too), its extension stopped and named (the database
        // stays UP for the others); removing it recovers.
        ServiceRegistration<JavaMigration> bad = register(new Step("3", "half done", "c3",
                List.of("CREATE TABLE half (x INT)", "INSERT INTO nowhere VALUES (1)"), List.of()));
        await("the extension to fail", Duration.ofSeconds(20),
                () -> database("jm").failedExtensions().containsKey(extension));
        String reason = database("jm").failedExtensions().get(extension);
        assertTrue(reason, reason.startsWith("migration " + extension + " V3 (half done) failed and was rolled back"));
        assertEquals("UP", state("jm"));
        assertEquals(List.of("0"), column("SELECT count(*) FROM information_schema.tables WHERE table_name = 'half'"));
        Answer health = health();
        assertTrue(health.body(), health.body().contains("V3 (half done) failed"));
        bad.unregister();
        await("the failure to clear", Duration.ofSeconds(20), () -> database("jm").failedExtensions().isEmpty());

        // A changed checksum of an applied migration is refused, whatever the code does.
        two.unregister();
        ServiceRegistration<JavaMigration> changed = register(new Step("2", "fill things", "c2-edited",
                List.of("INSERT INTO things (name) VALUES ('c')"), List.of("DELETE FROM things")));
        await("the edit to be refused", Duration.ofSeconds(20),
                () -> database("jm").failedExtensions().containsKey(extension));
        reason = database("jm").failedExtensions().get(extension);
        assertTrue(reason, reason.contains("V2 (fill things) was changed after it was applied: its checksum does not match"));
        assertEquals(List.of("2"), column("SELECT count(*) FROM things"));
        changed.unregister();
        two = register(new Step("2", "fill things", "c2", List.of("SELECT 1"), List.of("DELETE FROM things")));
        await("the failure to clear", Duration.ofSeconds(20), () -> database("jm").failedExtensions().isEmpty());
        awaitState("jm", "UP", Duration.ofSeconds(20));

        // Down to version 0: undo 2 then 1, newest first.
        Migrations migrations = context().getService(context().getServiceReference(Migrations.class));
        assertEquals(List.of("2", "1"), migrations.rollback(database("jm"), extension, "0"));
        assertEquals(List.of("0"), column("SELECT count(*) FROM information_schema.tables WHERE table_name = 'things'"));
        assertEquals(List.of("0"), column("SELECT count(*) FROM serv_migrations WHERE extension = '" + extension + "'"));
        two.unregister();
        one.unregister();
        migrations.applyAgain(database("jm"), extension); // ends the rollback's hold: the extension migrates again
        await("the rollback's hold to end", Duration.ofSeconds(20), () -> {
            try {
                return database("jm").heldBackExtensions().isEmpty()
                        && column("SELECT count(*) FROM serv_migration_holds").equals(List.of("0"));
            } catch (Exception notYet) {
                return false;
            }
        });

        // A Java migration whose component did not start (SCR's getService answers null, as a ServiceFactory's here):
        // its version is not known, so none of the extension's migrations runs (V3 would have been applied without
        // it, and it could never run after V3); the extension is held and named. Once it starts, both run.
        AtomicBoolean broken = new AtomicBoolean(true);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(JavaMigration.DATABASE, "jm");
        props.put("component.name", "serv.it.BrokenMigration");
        ServiceRegistration<?> factory = context().registerService(JavaMigration.class.getName(),
                new ServiceFactory<JavaMigration>() {
                    @Override
                    public JavaMigration getService(Bundle bundle, ServiceRegistration<JavaMigration> registration) {
                        return broken.get() ? null : new Step("1", "create things", "c1",
                                List.of("CREATE TABLE things (name TEXT NOT NULL)"), List.of());
                    }

                    @Override
                    public void ungetService(Bundle bundle, ServiceRegistration<JavaMigration> registration,
                            JavaMigration service) {
                    }
                }, props);
        ServiceRegistration<JavaMigration> three = register(new Step("3", "after things", "c3",
                List.of("CREATE TABLE after_things (x INT)"), List.of()));
        await("the extension to be held", Duration.ofSeconds(20),
                () -> database("jm").failedExtensions().containsKey(extension));
        reason = database("jm").failedExtensions().get(extension);
        assertTrue(reason, reason.contains("Java migration serv.it.BrokenMigration did not start (its component failed"
                + " to activate; the server's log says why): none of " + extension + "'s migrations on database jm"
                + " runs until it does, so that none is skipped"));
        // Its routes (and serv deploy) say the same, not that a migration "failed": none ran (once no run is on
        // its way: each registration above asked for one, and a run that is asked for says "applying" meanwhile).
        String refused = "extension " + extension + " is not available on database jm: " + reason;
        long self = context().getBundle().getBundleId();
        await("the routes' reason", Duration.ofSeconds(20),
                () -> refused.equals(database("jm").reasonFor(self).orElse(null)));
        assertEquals(List.of("0"), column("SELECT count(*) FROM information_schema.tables WHERE table_name ="
                + " 'after_things'"));
        broken.set(false);
        props.put("configured", Boolean.TRUE);
        factory.setProperties(props); // a new configuration: it is tried again
        await("both to run", Duration.ofSeconds(20), () -> database("jm").failedExtensions().isEmpty());
        String applied = "SELECT version FROM serv_migrations WHERE extension = '" + extension + "' ORDER BY version";
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!column(applied).equals(List.of("1", "3"))) {
            assertTrue("V1 and V3 never recorded: " + column(applied) + ", failed: "
                    + database("jm").failedExtensions() + ", held back: " + database("jm").heldBackExtensions()
                    + ", holds: " + column("SELECT extension || ' ' || version FROM serv_migration_holds"),
                    System.nanoTime() < end);
            Thread.sleep(50);
        }
        three.unregister();
        factory.unregister();
    }

    /**
     * An extension whose migrations a target moves (its {@code database} setting: folder {@code jm2x} to database
     * {@code jm2}) has its Java migration of that name moved too: left behind, its version was skipped on the
     * database its SQL migrations went to, without a word.
     */
    @Test
    public void aJavaMigrationFollowsItsExtensionsMigrationTarget() throws Exception {
        awaitState("jm2", "UP", Duration.ofSeconds(20));
        String extension = context().getBundle().getSymbolicName();
        Hashtable<String, Object> target = new Hashtable<>();
        target.put(serv.database.MigrationTarget.FOLDER, "jm2x");
        target.put(serv.database.MigrationTarget.DATABASE, "jm2");
        ServiceRegistration<serv.database.MigrationTarget> moved = context().registerService(
                serv.database.MigrationTarget.class, new serv.database.MigrationTarget() {
                }, target);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(JavaMigration.DATABASE, "jm2x");
        ServiceRegistration<JavaMigration> step = context().registerService(JavaMigration.class, new Step("7",
                "create moved", "c7", List.of("CREATE TABLE moved (x INT)"), List.of()), props);
        try {
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            List<String> applied = List.of();
            while (System.nanoTime() < end) {
                try (Connection c = database("jm2").connection(); Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT version FROM serv_migrations WHERE extension = '"
                                + extension + "'")) {
                    List<String> found = new ArrayList<>();
                    while (rs.next()) {
                        found.add(rs.getString(1));
                    }
                    applied = found;
                } catch (SQLException notYet) {
                    // the history table comes with the first run
                }
                if (applied.equals(List.of("7"))) {
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals(List.of("7"), applied);
        } finally {
            step.unregister();
            moved.unregister();
        }
    }
}
