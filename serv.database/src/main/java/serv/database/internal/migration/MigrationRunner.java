package serv.database.internal.migration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.database.Dialect;
import serv.database.MigrationException;
import serv.database.Migrations.Applied;
import serv.database.internal.Errors;

/**
 * Applies and undoes migrations on one database: the history table {@value #TABLE} (extension, version,
 * description, checksum, applied_at, duration_ms), each migration in its own transaction, and on PostgreSQL a
 * session advisory lock so that concurrent servers apply each migration exactly once. A changed checksum or a
 * failing migration stops the run with a {@link MigrationException} naming it.
 */
public final class MigrationRunner {

    static final String TABLE = "serv_migrations";
    /** The PostgreSQL advisory lock key Serv's migrations hold ("serv" in ASCII). */
    static final long ADVISORY_LOCK = 0x73657276L;

    private static final Logger LOG = LoggerFactory.getLogger(MigrationRunner.class);

    private MigrationRunner() {
    }

    /**
     * Applies what the history lacks of every extension's migrations (by extension, then version).
     *
     * @return how many migrations were applied
     * @throws MigrationException naming the migration that failed or whose checksum changed
     */
    public static int migrate(Map<String, List<Migration>> all, Dialect dialect, DataSource dataSource)
            throws MigrationException {
        if (all.isEmpty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection()) {
            lock(c, dialect, true);
            try {
                ensureTable(c);
                int applied = 0;
                for (Map.Entry<String, List<Migration>> e : all.entrySet()) {
                    applied += apply(c, dialect, e.getKey(), e.getValue());
                }
                return applied;
            } finally {
                lock(c, dialect, false);
            }
        } catch (SQLException e) {
            throw new MigrationException("migrations could not run: " + Errors.describe(e));
        }
    }

    /** The history, by extension then version. */
    static List<Applied> applied(Connection c) throws SQLException {
        List<Applied> out = new ArrayList<>();
        ensureTable(c);
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT extension, version, description, checksum, duration_ms FROM "
                        + TABLE)) {
            while (rs.next()) {
                out.add(new Applied(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5)));
            }
        }
        out.sort(Comparator.comparing(Applied::extension).thenComparing(Applied::version, Migration.VERSION_ORDER));
        return out;
    }

    /**
     * Runs the down migrations of {@code extension} above {@code version}, newest first, each in its own
     * transaction that also removes it from the history; nothing runs unless every one of them has a down.
     *
     * @return the versions rolled back, newest first
     */
    static List<String> rollback(Connection c, Dialect dialect, String database, String extension, String version,
            Map<String, Migration> downs) throws SQLException, MigrationException {
        List<String> done = new ArrayList<>();
        lock(c, dialect, true);
        try {
            List<String> above = new ArrayList<>();
            for (Applied a : applied(c)) {
                if (a.extension().equals(extension) && Migration.VERSION_ORDER.compare(a.version(), version) > 0) {
                    above.add(a.version());
                }
            }
            above.sort(Migration.VERSION_ORDER.reversed());
            for (String v : above) {
                if (!downs.containsKey(v)) {
                    throw new MigrationException("migration " + extension + " V" + v + " has no down script (U" + v
                            + "__....sql) or undoable Java migration; nothing was rolled back");
                }
            }
            for (String v : above) {
                Migration down = downs.get(v);
                c.setAutoCommit(false);
                try {
                    if (down.code() != null) {
                        down.code().undo(c, dialect);
                    } else {
                        down.run(c, dialect);
                    }
                    try (PreparedStatement st = c.prepareStatement(
                            "DELETE FROM " + TABLE + " WHERE extension = ? AND version = ?")) {
                        st.setString(1, extension);
                        st.setString(2, v);
                        st.executeUpdate();
                    }
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    throw new MigrationException("down script of " + down.label() + " failed and was rolled back"
                            + (done.isEmpty() ? "" : " (already rolled back: " + String.join(", ", done) + ")")
                            + ": " + Errors.describe(e));
                } finally {
                    c.setAutoCommit(true);
                }
                done.add(v);
                LOG.info("Database {}: rolled back migration {}", database, down.label());
            }
        } finally {
            lock(c, dialect, false);
        }
        return done;
    }

    /** Takes or releases the PostgreSQL advisory lock that serializes migration work across servers. */
    private static void lock(Connection c, Dialect dialect, boolean take) throws SQLException {
        if (dialect == Dialect.POSTGRESQL) {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT " + (take ? "pg_advisory_lock(" : "pg_advisory_unlock(") + ADVISORY_LOCK + ")");
            }
        }
    }

    private static void ensureTable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " ("
                    + "extension VARCHAR(200) NOT NULL, version VARCHAR(50) NOT NULL, description VARCHAR(200) NOT NULL,"
                    + " checksum VARCHAR(64) NOT NULL, applied_at TIMESTAMP NOT NULL, duration_ms BIGINT NOT NULL,"
                    + " PRIMARY KEY (extension, version))");
        }
    }

    /**
     * Applies what is missing of one extension's migrations. Whether a version is applied is read inside the
     * migration's own transaction (on SQLite that transaction starts with BEGIN IMMEDIATE and holds the write lock;
     * on PostgreSQL the advisory lock is held), so two runs never apply the same migration twice.
     */
    private static int apply(Connection c, Dialect dialect, String extension, Collection<Migration> migrations)
            throws SQLException, MigrationException {
        int count = 0;
        for (Migration m : migrations) {
            String checksum = m.checksum();
            long start = System.nanoTime();
            c.setAutoCommit(false);
            try {
                String recorded = recordedChecksum(c, extension, m.version());
                if (recorded != null) {
                    c.rollback();
                    if (!recorded.equals(checksum)) {
                        throw new MigrationException("migration " + m.label() + " was changed after it was applied: its"
                                + " checksum does not match; restore the applied script and put the change in a new migration");
                    }
                    continue;
                }
                m.run(c, dialect);
                try (PreparedStatement st = c.prepareStatement("INSERT INTO " + TABLE
                        + " (extension, version, description, checksum, applied_at, duration_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
                    st.setString(1, extension);
                    st.setString(2, m.version());
                    st.setString(3, m.description());
                    st.setString(4, checksum);
                    st.setTimestamp(5, Timestamp.valueOf(LocalDateTime.now()));
                    st.setLong(6, (System.nanoTime() - start) / 1_000_000);
                    st.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw new MigrationException("migration " + m.label() + " failed and was rolled back: "
                        + (e instanceof SQLException sql ? Errors.describe(sql) : e.toString()));
            } finally {
                c.setAutoCommit(true);
            }
            count++;
            LOG.info("Database {}: applied migration {} in {} ms", m.database(), m.label(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        return count;
    }

    private static String recordedChecksum(Connection c, String extension, String version) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "SELECT checksum FROM " + TABLE + " WHERE extension = ? AND version = ?")) {
            st.setString(1, extension);
            st.setString(2, version);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
