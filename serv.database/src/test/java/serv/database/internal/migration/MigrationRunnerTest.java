package serv.database.internal.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import serv.database.Dialect;
import serv.database.JavaMigration;

/** A run against a real (SQLite) database while the catalog changes under it. */
class MigrationRunnerTest {

    @TempDir
    Path dir;

    /** A Java migration that creates a table, and may undeploy others as it runs. */
    private record Step(String version, String table, Set<String> undeploys, Set<String> gone)
            implements JavaMigration {

        @Override
        public String description() {
            return "create " + table;
        }

        @Override
        public String checksum() {
            return table;
        }

        @Override
        public void migrate(Connection connection, Dialect dialect) throws SQLException {
            try (Statement st = connection.createStatement()) {
                st.execute("CREATE TABLE " + table + " (x INT)");
            }
            gone.addAll(undeploys);
        }
    }

    private SQLiteDataSource database() {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve("t.db"));
        return ds;
    }

    private static List<String> applied(SQLiteDataSource ds) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT extension || ' V' || version FROM serv_migrations"
                        + " ORDER BY extension, version")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void aMigrationUndeployedDuringTheRunIsNotAppliedAndTheRunSaysSo() throws Exception {
        Set<String> gone = ConcurrentHashMap.newKeySet();
        // By extension, as the catalog plans: V1 of "a" runs, and meanwhile V2 of "a" and all of "b" go (an operator undeploys them after a rollback).
        Migration a1 = Migration.of("a", "default", new Step("1", "a1", Set.of("a2", "b1"), gone));
        Migration a2 = Migration.of("a", "default", new Step("2", "a2", Set.of(), gone));
        Migration b1 = Migration.of("b", "default", new Step("1", "b1", Set.of(), gone));
        Migration c1 = Migration.of("c", "default", new Step("1", "c1", Set.of(), gone));
        MigrationCatalog.Plan plan = new MigrationCatalog.Plan(
                new TreeMap<>(Map.of("a", List.of(a1, a2), "b", List.of(b1), "c", List.of(c1))), Map.of(),
                Map.of("a", "1.0.0", "b", "1.0.0", "c", "1.0.0"), m -> !gone.contains(m.checksum().substring(5)));
        SQLiteDataSource ds = database();

        MigrationRunner.Outcome outcome = MigrationRunner.migrate(plan, Dialect.SQLITE, ds, "default");

        assertTrue(outcome.superseded(), "the run says a migration went away under it");
        assertEquals(Map.of(), outcome.failed(), "going away is not failing");
        assertEquals(2, outcome.applied());
        assertEquals(List.of("a V1", "c V1"), applied(ds));

        // Once the catalog holds still, a run is not superseded.
        MigrationCatalog.Plan now = new MigrationCatalog.Plan(new TreeMap<>(Map.of("a", List.of(a1), "c", List.of(c1))), Map.of(),
                Map.of("a", "1.0.0", "c", "1.0.0"), plan.deployed());
        MigrationRunner.Outcome again = MigrationRunner.migrate(now, Dialect.SQLITE, ds, "default");
        assertFalse(again.superseded());
        assertEquals(0, again.applied());
    }

    /**
     * What an extension's routes answer while its migrations do not run: migrations refused before any ran (a version
     * both a SQL file and a Java migration) say why, as /health does; "V004 failed" was said of a migration that never
     * ran. One that failed on the database names only the migration (the database's error is for operators).
     */
    @Test
    void migrationsRefusedBeforeAnyRanAreNotSaidToHaveFailed() {
        String why = "migration notes V004 is both a SQL file and a Java migration (backfill titles); give one of them"
                + " another version";
        assertEquals("extension notes is not available on database default: " + why,
                MigrationRunner.Failure.refused("notes V004 (backfill titles)", why).unavailable("notes", "default"));
        assertEquals("extension notes is not available: its migration notes V4 (fill) failed on database default",
                new MigrationRunner.Failure("notes V4 (fill)", "migration notes V4 (fill) failed and was rolled back:"
                        + " ERROR: relation \"nowhere\" does not exist").unavailable("notes", "default"));
    }
}
