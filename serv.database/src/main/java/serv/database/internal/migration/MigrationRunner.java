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
import java.util.TreeMap;
import java.util.function.Predicate;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.database.Dialect;
import serv.database.MigrationException;
import serv.database.Migrations;
import serv.database.Migrations.Applied;
import serv.database.internal.Errors;

/**
 * Applies and undoes migrations on one database: the history table {@value #TABLE} (extension, version,
 * description, checksum, applied_at, duration_ms), each migration in its own transaction, and on PostgreSQL a
 * session advisory lock so that concurrent servers apply each migration exactly once. A changed checksum or a
 * failing migration stops its own extension's run (named in {@link Outcome#failed()}); the other extensions'
 * migrations are applied.
 */
public final class MigrationRunner {

    static final String TABLE = "serv_migrations";
    /**
     * The extensions whose migrations the operator rolled back while they were deployed: (extension, version gone
     * down to, the extension's version then, when). Their migrations above that version are not applied again while
     * that version of the extension is deployed: a restart, or another server, would otherwise undo the rollback.
     */
    static final String HOLDS = "serv_migration_holds";
    /**
     * The PostgreSQL advisory lock Serv's migrations hold: "serv" in ASCII, and the hash of the schema they run in
     * (each schema has its own history table): servers migrating the same schema take turns, and a thousand schema
     * tenants waking at once migrate side by side instead of one after the other.
     */
    static final String ADVISORY_LOCK = "1936028278, hashtext(current_schema())";
    /** How long a run waits for another server's migrations before saying so (and trying again later). */
    static final long LOCK_WAIT_MS = 2_000;

    private static final Logger LOG = LoggerFactory.getLogger(MigrationRunner.class);

    private MigrationRunner() {
    }

    /**
     * What a run did.
     *
     * @param applied how many migrations were applied
     * @param failed the extensions whose migrations failed (a script that failed, or one changed after it was
     *            applied), by symbolic name, with the migration named and why; the other extensions' were applied
     * @param superseded a migration of the plan went away during the run (its extension stopped, its Java migration
     *            unregistered): its extension was left alone, and the run says nothing about it; run again
     */
    public record Outcome(int applied, Map<String, Failure> failed, boolean superseded) {
    }

    /**
     * A migration that failed or was changed after it was applied.
     *
     * @param migration the migration, as {@code extension V<version> (<description>)}
     * @param message what happened, for operators (may quote the database's error; never a credential)
     */
    public record Failure(String migration, String message, boolean heldBack, boolean refused) {

        public Failure(String migration, String message) {
            this(migration, message, false, false);
        }

        public Failure(String migration, String message, boolean heldBack) {
            this(migration, message, heldBack, false);
        }

        /**
         * The extension's migrations were not run at all, refused as they are ({@code message} says why: a version
         * that is both a SQL file and a Java migration, a Java migration that did not start); nothing of the
         * database's in the message.
         */
        public static Failure refused(String migration, String message) {
            return new Failure(migration, message, false, true);
        }

        /**
         * What the extension's routes answer (503) and list while this stands: why, when it comes from Serv (a
         * rollback's hold, migrations refused before any ran); for a migration that failed on the database only
         * which one, since the database's error is for operators ({@code /health}, the log), not for clients.
         */
        public String unavailable(String extension, String database) {
            if (heldBack || refused) {
                return "extension " + extension + " is not available on database " + database + ": " + message;
            }
            return "extension " + extension + " is not available: its migration " + migration + " failed on database "
                    + database;
        }
    }

    /** A rollback's hold on an extension's migrations above {@code version}, while {@code extensionVersion} runs. */
    record Hold(String version, String extensionVersion, Timestamp heldAt) {
    }

    /**
     * Applies what the history lacks of every extension's migrations (by extension, then version). A failure stops
     * only its own extension. {@code label} names the database in the log (with its tenant, when it is one's).
     *
     * @throws MigrationException.Busy when another server holds the migration lock: nothing ran, try again
     * @throws MigrationException when the database cannot be worked with (a lost connection)
     */
    public static Outcome migrate(MigrationCatalog.Plan plan, Dialect dialect, DataSource dataSource, String label)
            throws MigrationException {
        Map<String, List<Migration>> all = plan.migrations();
        if (all.isEmpty()) {
            return new Outcome(0, plan.invalid(), false);
        }
        try (Connection c = dataSource.getConnection()) {
            lock(c, dialect);
            try {
                ensureTable(c);
                int applied = 0;
                Map<String, Failure> failed = new TreeMap<>(plan.invalid());
                Map<String, Hold> holds = holds(c);
                boolean superseded = false;
                for (Map.Entry<String, List<Migration>> e : all.entrySet()) {
                    if (!e.getValue().stream().allMatch(plan.deployed())) {
                        // Undeployed since the plan was made (after a rollback, say): applying what it had would
                        // bring back what was just taken down, or run a deactivated component.
                        superseded = true;
                        continue;
                    }
                    Hold hold = holds.get(e.getKey());
                    if (hold != null) {
                        Failure held = heldBack(c, e.getKey(), e.getValue(), hold,
                                plan.versions().get(e.getKey()), label);
                        if (held != null) {
                            failed.put(e.getKey(), held);
                            continue;
                        }
                    }
                    try {
                        applied += apply(c, dialect, e.getKey(), e.getValue(), plan.deployed(), label);
                    } catch (Failed failure) {
                        failed.put(e.getKey(), failure.failure);
                    } catch (Superseded gone) {
                        applied += gone.applied;
                        superseded = true;
                    }
                }
                return new Outcome(applied, failed, superseded);
            } finally {
                unlock(c, dialect);
            }
        } catch (SQLException e) {
            throw new MigrationException("migrations could not run: " + Errors.describe(e));
        }
    }

    /**
     * The history, by extension then version.
     *
     * @param deployed the migrations the running extensions bring, by extension: to say whether each applied
     *            script is still the one deployed
     */
    static List<Applied> applied(Connection c, Map<String, List<Migration>> deployed) throws SQLException {
        List<Applied> out = new ArrayList<>();
        ensureTable(c);
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT extension, version, description, checksum, applied_at,"
                        + " duration_ms FROM " + TABLE)) {
            while (rs.next()) {
                String extension = rs.getString(1);
                String version = rs.getString(2);
                String checksum = rs.getString(4);
                java.sql.Timestamp at = rs.getTimestamp(5);
                Migrations.Script script = Migrations.Script.NOT_DEPLOYED;
                for (Migration m : deployed.getOrDefault(extension, List.of())) {
                    if (Migration.VERSION_ORDER.compare(m.version(), version) == 0) {
                        script = m.checksum().equals(checksum) ? Migrations.Script.MATCHES
                                : Migrations.Script.CHANGED;
                    }
                }
                out.add(new Applied(extension, version, rs.getString(3), checksum,
                        at == null ? null : at.toInstant(), rs.getLong(6), script));
            }
        }
        out.sort(Comparator.comparing(Applied::extension).thenComparing(Applied::version, Migration.VERSION_ORDER));
        return out;
    }

    /**
     * Runs the down migrations of {@code extension} above {@code version}, newest first, each in its own
     * transaction that also removes it from the history; nothing runs unless every one of them has a down.
     * {@code label} names the database in the log.
     *
     * @return the versions rolled back, newest first
     */
    static List<String> rollback(Connection c, Dialect dialect, String label, String extension, String version,
            Map<String, Migration> downs, String extensionVersion) throws SQLException, MigrationException {
        List<String> done = new ArrayList<>();
        lock(c, dialect);
        try {
            List<String> above = new ArrayList<>();
            for (Applied a : applied(c, Map.of())) {
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
                    c.setAutoCommit(true);
                    if (!done.isEmpty() && extensionVersion != null) {
                        hold(c, extension, v, extensionVersion); // down to V(v): what went down stays down
                    }
                    throw new MigrationException("down script of " + down.label() + " failed and was rolled back"
                            + (done.isEmpty() ? "" : " (already rolled back: " + String.join(", ", done)
                                    + "; not applied again while this version of " + extension + " is deployed)")
                            + ": " + Errors.describe(e));
                } finally {
                    c.setAutoCommit(true);
                }
                done.add(v);
                LOG.info("Database {}: rolled back migration {}", label, down.label());
            }
            if (!done.isEmpty() && extensionVersion != null) {
                hold(c, extension, version, extensionVersion);
                LOG.info("Database {}: the migrations of {} above V{} are not applied again while {} {} is deployed"
                        + " (until applied again on purpose)", label, extension, version, extension,
                        extensionVersion);
            }
        } finally {
            unlock(c, dialect);
        }
        return done;
    }

    /**
     * Takes the PostgreSQL advisory lock that serializes migration work across servers, waiting at most
     * {@link #LOCK_WAIT_MS} (without a statement: a statement timeout never turns a long migration elsewhere into
     * a failure here).
     *
     * @throws MigrationException.Busy when another server keeps it
     */
    private static void lock(Connection c, Dialect dialect) throws SQLException, MigrationException {
        if (dialect != Dialect.POSTGRESQL) {
            return; // SQLite: each migration's transaction takes the database's write lock (BEGIN IMMEDIATE)
        }
        long end = System.nanoTime() + LOCK_WAIT_MS * 1_000_000;
        try (Statement st = c.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(" + ADVISORY_LOCK + ")")) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return;
                    }
                }
                if (System.nanoTime() > end) {
                    throw new MigrationException.Busy("another server is applying migrations to this database"
                            + " (it holds the migration lock); waiting for it");
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new MigrationException.Busy("interrupted while waiting for the migration lock");
                }
            }
        }
    }

    private static void unlock(Connection c, Dialect dialect) throws SQLException {
        if (dialect == Dialect.POSTGRESQL && !c.isClosed()) {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_unlock(" + ADVISORY_LOCK + ")");
            }
        }
    }

    private static void ensureTable(Connection c) throws SQLException {
        create(c, "CREATE TABLE IF NOT EXISTS " + TABLE + " ("
                + "extension VARCHAR(200) NOT NULL, version VARCHAR(50) NOT NULL, description VARCHAR(200) NOT NULL,"
                + " checksum VARCHAR(64) NOT NULL, applied_at TIMESTAMP NOT NULL, duration_ms BIGINT NOT NULL,"
                + " PRIMARY KEY (extension, version))");
        create(c, "CREATE TABLE IF NOT EXISTS " + HOLDS + " (extension VARCHAR(200) NOT NULL PRIMARY KEY,"
                + " version VARCHAR(50) NOT NULL, extension_version VARCHAR(100) NOT NULL, held_at TIMESTAMP NOT NULL)");
    }

    /**
     * A CREATE TABLE IF NOT EXISTS; on PostgreSQL two sessions creating the same table at once (the history read
     * by the console beside a migration run) fail the later one on the catalog's unique index: it exists then.
     */
    private static void create(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    /**
     * Applies what is missing of one extension's migrations. Whether a version is applied is read inside the
     * migration's own transaction (on SQLite that transaction starts with BEGIN IMMEDIATE and holds the write lock;
     * on PostgreSQL the advisory lock is held), so two runs never apply the same migration twice.
     */
    private static int apply(Connection c, Dialect dialect, String extension, Collection<Migration> migrations,
            Predicate<Migration> deployed, String label) throws SQLException, Failed, Superseded {
        int count = 0;
        for (Migration m : migrations) {
            if (!deployed.test(m)) {
                throw new Superseded(count);
            }
            String checksum = m.checksum();
            long start = System.nanoTime();
            c.setAutoCommit(false);
            try {
                if (dialect == Dialect.POSTGRESQL) {
                    // A migration may take longer than a request's statement timeout (an index on a big table).
                    try (Statement st = c.createStatement()) {
                        st.execute("SET LOCAL statement_timeout = 0");
                    }
                }
                String recorded = recordedChecksum(c, extension, m.version());
                if (recorded != null) {
                    c.rollback();
                    if (!recorded.equals(checksum)) {
                        throw new Failed(m.label(), "migration " + m.label() + " was changed after it was applied: its"
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
                if (e instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                    throw sql; // the connection was lost: not this migration's fault
                }
                c.rollback();
                throw new Failed(m.label(), "migration " + m.label() + " failed and was rolled back: "
                        + (e instanceof SQLException sql ? Errors.describe(sql) : e.toString()));
            } finally {
                if (!c.isClosed()) {
                    c.setAutoCommit(true);
                }
            }
            count++;
            LOG.info("Database {}: applied migration {} in {} ms", label, m.label(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        return count;
    }

    /**
     * Why {@code extension}'s migrations are held back by a rollback, or null when they are not (any more): another
     * version of the extension runs, or none of its migrations is above the version gone down to. A hold that no
     * longer holds is removed.
     */
    private static Failure heldBack(Connection c, String extension, List<Migration> migrations, Hold hold,
            String deployedVersion, String label) throws SQLException {
        boolean above = migrations.stream().anyMatch(m -> Migration.VERSION_ORDER.compare(m.version(),
                hold.version()) > 0);
        if (above && hold.extensionVersion().equals(deployedVersion)) {
            return new Failure(extension + " above V" + hold.version(), "the migrations of " + extension + " above V"
                    + hold.version() + " were rolled back on " + hold.heldAt().toLocalDateTime().withNano(0)
                    + " and are not applied again while " + extension + " " + deployedVersion + " is deployed:"
                    + " deploy another version of it (one whose migrations end at V" + hold.version() + ", or a fixed"
                    + " one), or apply them again"
                    + " (POST databases/<name>/migrate {\"extension\": \"" + extension + "\"}, `serv database migrate"
                    + " <name> --extension " + extension + "`)", true);
        }
        release(c, extension);
        LOG.info("Database {}: the rollback of {} to V{} no longer holds its migrations back ({})", label,
                extension, hold.version(), above ? extension + " " + deployedVersion + " is deployed now"
                        : "none is above V" + hold.version());
        return null;
    }

    /** The rollbacks' holds, by extension. */
    private static Map<String, Hold> holds(Connection c) throws SQLException {
        Map<String, Hold> out = new TreeMap<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT extension, version, extension_version, held_at FROM "
                        + HOLDS)) {
            while (rs.next()) {
                out.put(rs.getString(1), new Hold(rs.getString(2), rs.getString(3), rs.getTimestamp(4)));
            }
        }
        return out;
    }

    private static void hold(Connection c, String extension, String version, String extensionVersion)
            throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            release(c, extension);
            try (PreparedStatement st = c.prepareStatement("INSERT INTO " + HOLDS
                    + " (extension, version, extension_version, held_at) VALUES (?, ?, ?, ?)")) {
                st.setString(1, extension);
                st.setString(2, version);
                st.setString(3, extensionVersion);
                st.setTimestamp(4, Timestamp.valueOf(LocalDateTime.now()));
                st.executeUpdate();
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** Removes a rollback's hold on an extension's migrations; whether there was one. */
    static boolean release(Connection c, String extension) throws SQLException {
        ensureTable(c);
        try (PreparedStatement st = c.prepareStatement("DELETE FROM " + HOLDS + " WHERE extension = ?")) {
            st.setString(1, extension);
            return st.executeUpdate() > 0;
        }
    }

    /** One extension's run stopped at a migration. */
    private static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Failure failure;

        Failed(String migration, String message) {
            super(message, null, false, false);
            this.failure = new Failure(migration, message);
        }
    }

    /** One extension's migration went away during its run: the ones before it were applied. */
    private static final class Superseded extends Exception {
        private static final long serialVersionUID = 1L;
        final int applied;

        Superseded(int applied) {
            super(null, null, false, false);
            this.applied = applied;
        }
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
