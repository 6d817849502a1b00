package serv.database.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
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
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.util.tracker.BundleTracker;
import org.osgi.util.tracker.BundleTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.database.Database;
import serv.database.Dialect;
import serv.database.MigrationException;
import serv.database.Migrations;

/**
 * The migrations extender: extension bundles carry SQL migrations under {@code serv/migrations/<database>/}, and
 * the runtime applies them when the database comes up and when the extension is deployed. Written for Serv rather
 * than taken from Flyway or Liquibase; docs/architecture.md says why.
 *
 * <p>Each migration runs in its own transaction and is recorded in {@code serv_migrations} (extension, version,
 * description, checksum, applied_at, duration_ms). A changed checksum or a failing migration stops the run and the
 * database becomes FAILED with the reason. On PostgreSQL a session advisory lock makes concurrent servers apply
 * each migration exactly once.
 */
@Component(service = { MigrationExtender.class, Migrations.class }, immediate = true)
public final class MigrationExtender implements Migrations {

    static final String ROOT = "serv/migrations/";
    static final String TABLE = "serv_migrations";
    /** The PostgreSQL advisory lock key Serv's migrations hold ("serv" in ASCII). */
    static final long ADVISORY_LOCK = 0x73657276L;

    private static final Logger LOG = LoggerFactory.getLogger(MigrationExtender.class);

    /** Listeners (the managed databases) told when an extension with migrations arrives. */
    interface Listener {
        void extensionArrived(Set<String> databases);

        void extensionLeft(Set<String> databases);
    }

    private final Map<Bundle, Set<String>> extensions = new ConcurrentHashMap<>();
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private final BundleTracker<Bundle> tracker;

    @Activate
    public MigrationExtender(BundleContext context) {
        tracker = new BundleTracker<>(context, Bundle.STARTING | Bundle.ACTIVE, new BundleTrackerCustomizer<>() {
            @Override
            public Bundle addingBundle(Bundle bundle, BundleEvent event) {
                Set<String> databases = databasesOf(bundle);
                if (databases.isEmpty()) {
                    return null;
                }
                extensions.put(bundle, databases);
                LOG.debug("Extension {} brings migrations for {}", bundle.getSymbolicName(), databases);
                listeners.forEach(l -> l.extensionArrived(databases));
                return bundle;
            }

            @Override
            public void modifiedBundle(Bundle bundle, BundleEvent event, Bundle object) {
                // nothing changes while a bundle stays started
            }

            @Override
            public void removedBundle(Bundle bundle, BundleEvent event, Bundle object) {
                Set<String> databases = extensions.remove(bundle);
                if (databases != null) {
                    // a database FAILED by this extension's migrations can come back up without it
                    listeners.forEach(l -> l.extensionLeft(databases));
                }
            }
        });
        tracker.open();
    }

    @Deactivate
    void deactivate() {
        tracker.close();
    }

    void addListener(Listener listener) {
        listeners.add(listener);
    }

    void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    private static Set<String> databasesOf(Bundle bundle) {
        Enumeration<String> paths = bundle.getEntryPaths(ROOT);
        if (paths == null) {
            return Set.of();
        }
        Set<String> out = new java.util.TreeSet<>();
        while (paths.hasMoreElements()) {
            String p = paths.nextElement();
            if (p.endsWith("/")) {
                out.add(p.substring(ROOT.length(), p.length() - 1));
            }
        }
        return out;
    }

    /** The migrations every started extension brings for a database, by extension then version. */
    Map<String, List<Migration>> migrationsFor(String database, Dialect dialect) throws IOException {
        return scripts(database, dialect, Migration.FILE);
    }

    private Map<String, List<Migration>> scripts(String database, Dialect dialect, java.util.regex.Pattern kind)
            throws IOException {
        Map<String, List<Migration>> out = new TreeMap<>();
        for (Map.Entry<Bundle, Set<String>> e : extensions.entrySet()) {
            if (!e.getValue().contains(database)) {
                continue;
            }
            Bundle bundle = e.getKey();
            Map<String, Migration> byVersion = new HashMap<>();
            Map<String, Boolean> specific = new HashMap<>();
            Enumeration<URL> entries = bundle.findEntries(ROOT + database, "*.sql", false);
            while (entries != null && entries.hasMoreElements()) {
                URL url = entries.nextElement();
                String file = url.getPath().substring(url.getPath().lastIndexOf('/') + 1);
                Migration.Parsed parsed = Migration.parse(file, dialect, kind);
                if (parsed == null) {
                    continue;
                }
                if (Boolean.TRUE.equals(specific.get(parsed.version())) && !parsed.dialectSpecific()) {
                    continue;
                }
                String script;
                try (InputStream in = url.openStream()) {
                    script = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
                }
                byVersion.put(parsed.version(), new Migration(bundle.getSymbolicName(), database, parsed.version(),
                        parsed.description(), script));
                specific.put(parsed.version(), parsed.dialectSpecific());
            }
            List<Migration> list = new ArrayList<>(byVersion.values());
            list.sort(Comparator.comparing(Migration::version, Migration.VERSION_ORDER));
            out.put(bundle.getSymbolicName(), list);
        }
        return out;
    }

    /**
     * Applies the pending migrations of every extension to a database.
     *
     * @return how many migrations were applied
     * @throws MigrationException naming the migration that failed or whose checksum changed
     */
    int migrate(String database, Dialect dialect, DataSource dataSource) throws MigrationException {
        Map<String, List<Migration>> all;
        try {
            all = migrationsFor(database, dialect);
        } catch (IOException e) {
            throw new MigrationException("migrations could not be read: " + e.getMessage());
        }
        if (all.isEmpty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection()) {
            lock(c, dialect, true);
            try {
                ensureTable(c);
                int applied = 0;
                for (Map.Entry<String, List<Migration>> e : all.entrySet()) {
                    applied += apply(c, e.getKey(), e.getValue());
                }
                return applied;
            } finally {
                lock(c, dialect, false);
            }
        } catch (SQLException e) {
            throw new MigrationException("migrations could not run: " + ManagedDatabase.describe(e));
        }
    }

    @Override
    public List<Applied> applied(Database database) throws MigrationException {
        try (Connection c = database.connection()) {
            return applied(c);
        } catch (SQLException e) {
            throw new MigrationException("the migration history could not be read: " + ManagedDatabase.describe(e));
        }
    }

    private static List<Applied> applied(Connection c) throws SQLException {
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

    @Override
    public List<String> rollback(Database database, String extension, String version) throws MigrationException {
        Dialect dialect = database.dialect().orElseThrow(
                () -> new MigrationException("database " + database.name() + " has no valid configuration"));
        Map<String, Migration> downs = new HashMap<>();
        try {
            for (Migration m : scripts(database.name(), dialect, Migration.DOWN_FILE).getOrDefault(extension, List.of())) {
                downs.put(m.version(), m);
            }
        } catch (IOException e) {
            throw new MigrationException("down scripts could not be read: " + e.getMessage());
        }
        List<String> done = new ArrayList<>();
        try (Connection c = database.connection()) {
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
                                + "__....sql); nothing was rolled back");
                    }
                }
                for (String v : above) {
                    Migration down = downs.get(v);
                    c.setAutoCommit(false);
                    try {
                        try (Statement st = c.createStatement()) {
                            for (String sql : down.statements()) {
                                st.execute(sql);
                            }
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
                                + ": " + ManagedDatabase.describe(e));
                    } finally {
                        c.setAutoCommit(true);
                    }
                    done.add(v);
                    LOG.info("Database {}: rolled back migration {}", database.name(), down.label());
                }
            } finally {
                lock(c, dialect, false);
            }
        } catch (SQLException e) {
            throw new MigrationException("rollback could not run: " + ManagedDatabase.describe(e));
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
    private static int apply(Connection c, String extension, Collection<Migration> migrations)
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
                try (Statement st = c.createStatement()) {
                    for (String sql : m.statements()) {
                        st.execute(sql);
                    }
                }
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
            } catch (SQLException e) {
                c.rollback();
                throw new MigrationException("migration " + m.label() + " failed and was rolled back: "
                        + ManagedDatabase.describe(e));
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
