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
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.util.tracker.BundleTracker;
import org.osgi.util.tracker.BundleTrackerCustomizer;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.database.Database;
import serv.database.Dialect;
import serv.database.JavaMigration;
import serv.database.MigrationException;
import serv.database.MigrationTarget;
import serv.database.Migrations;

/**
 * The migrations extender: extension bundles carry SQL migrations under {@code serv/migrations/<database>/}, or
 * register {@link JavaMigration} services, and the runtime applies them when the database comes up and when the
 * extension is deployed. A {@link MigrationTarget} service of an extension sends one of its folders to another
 * database (the one its configuration names). Written for Serv rather than taken from Flyway or Liquibase;
 * docs/architecture.md says why.
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
        /** The bundle brings migrations for these databases: it is not ready on them until they are applied. */
        void extensionArrived(Set<String> databases, Bundle bundle);

        void extensionLeft(Set<String> databases, Bundle bundle);
    }

    /** Started extensions with SQL migrations: their folders under {@link #ROOT}. */
    private final Map<Bundle, Set<String>> extensions = new ConcurrentHashMap<>();
    /** Java migrations, with the bundle that registered each and its database. */
    private final Map<ServiceReference<JavaMigration>, Registered> javaMigrations = new ConcurrentHashMap<>();
    /** Folder to database, per extension, from MigrationTarget services. */
    private final Map<ServiceReference<MigrationTarget>, Target> targets = new ConcurrentHashMap<>();
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private final BundleTracker<Bundle> tracker;
    private final ServiceTracker<JavaMigration, JavaMigration> javaTracker;
    private final ServiceTracker<MigrationTarget, MigrationTarget> targetTracker;

    private record Registered(Bundle bundle, String database, JavaMigration code) {
    }

    private record Target(Bundle bundle, String folder, String database) {
    }

    @Activate
    public MigrationExtender(BundleContext context) {
        tracker = new BundleTracker<>(context, Bundle.STARTING | Bundle.ACTIVE, new BundleTrackerCustomizer<>() {
            @Override
            public Bundle addingBundle(Bundle bundle, BundleEvent event) {
                Set<String> folders = foldersOf(bundle);
                if (folders.isEmpty()) {
                    return null;
                }
                extensions.put(bundle, folders);
                Set<String> databases = databasesOf(bundle, folders);
                LOG.debug("Extension {} brings migrations for {}", bundle.getSymbolicName(), databases);
                listeners.forEach(l -> l.extensionArrived(databases, bundle));
                return bundle;
            }

            @Override
            public void modifiedBundle(Bundle bundle, BundleEvent event, Bundle object) {
                // nothing changes while a bundle stays started
            }

            @Override
            public void removedBundle(Bundle bundle, BundleEvent event, Bundle object) {
                Set<String> folders = extensions.remove(bundle);
                if (folders != null) {
                    // a database FAILED by this extension's migrations can come back up without it
                    Set<String> databases = databasesOf(bundle, folders);
                    listeners.forEach(l -> l.extensionLeft(databases, bundle));
                }
            }
        });
        javaTracker = new ServiceTracker<>(context, JavaMigration.class, null) {
            @Override
            public JavaMigration addingService(ServiceReference<JavaMigration> ref) {
                Object database = ref.getProperty(JavaMigration.DATABASE);
                JavaMigration code = context.getService(ref);
                if (code == null) {
                    return null;
                }
                if (!(database instanceof String name) || name.isBlank()) {
                    LOG.error("Java migration {} of {} ignored: it has no service property {}; set it to the name of "
                            + "its database", code.getClass().getName(), ref.getBundle().getSymbolicName(),
                            JavaMigration.DATABASE);
                    return code;
                }
                javaMigrations.put(ref, new Registered(ref.getBundle(), name, code));
                listeners.forEach(l -> l.extensionArrived(Set.of(name), ref.getBundle()));
                return code;
            }

            @Override
            public void modifiedService(ServiceReference<JavaMigration> ref, JavaMigration code) {
                removedService(ref, code);
                addingService(ref);
            }

            @Override
            public void removedService(ServiceReference<JavaMigration> ref, JavaMigration code) {
                Registered gone = javaMigrations.remove(ref);
                context.ungetService(ref);
                if (gone != null) {
                    listeners.forEach(l -> l.extensionLeft(Set.of(gone.database()), gone.bundle()));
                }
            }
        };
        targetTracker = new ServiceTracker<>(context, MigrationTarget.class, null) {
            @Override
            public MigrationTarget addingService(ServiceReference<MigrationTarget> ref) {
                Object folder = ref.getProperty(MigrationTarget.FOLDER);
                Object database = ref.getProperty(MigrationTarget.DATABASE);
                if (!(folder instanceof String f) || !(database instanceof String d) || f.isBlank() || d.isBlank()) {
                    LOG.error("Migration target of {} ignored: it needs the service properties {} and {}",
                            ref.getBundle().getSymbolicName(), MigrationTarget.FOLDER, MigrationTarget.DATABASE);
                    return context.getService(ref);
                }
                Target before = targets.put(ref, new Target(ref.getBundle(), f, d));
                if (before != null) {
                    Set<String> left = new java.util.TreeSet<>(List.of(before.database(), before.folder()));
                    listeners.forEach(l -> l.extensionLeft(left, before.bundle()));
                }
                listeners.forEach(l -> l.extensionArrived(Set.of(d), ref.getBundle()));
                return context.getService(ref);
            }

            @Override
            public void modifiedService(ServiceReference<MigrationTarget> ref, MigrationTarget service) {
                addingService(ref);
                context.ungetService(ref);
            }

            @Override
            public void removedService(ServiceReference<MigrationTarget> ref, MigrationTarget service) {
                Target gone = targets.remove(ref);
                context.ungetService(ref);
                if (gone != null) {
                    listeners.forEach(l -> l.extensionLeft(Set.of(gone.database()), gone.bundle()));
                    listeners.forEach(l -> l.extensionArrived(Set.of(gone.folder()), gone.bundle()));
                }
            }
        };
        targetTracker.open();
        tracker.open();
        javaTracker.open();
    }

    @Deactivate
    void deactivate() {
        javaTracker.close();
        tracker.close();
        targetTracker.close();
    }

    void addListener(Listener listener) {
        listeners.add(listener);
    }

    void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /**
     * The database a folder of an extension's migrations applies to: the folder's name, unless a target says
     * otherwise; null while a folder the bundle lists in {@value MigrationTarget#HEADER} has no target yet.
     */
    private String databaseOf(Bundle bundle, String folder) {
        for (Target t : targets.values()) {
            if (t.bundle().equals(bundle) && t.folder().equals(folder)) {
                return t.database();
            }
        }
        String targeted = bundle.getHeaders("").get(MigrationTarget.HEADER);
        if (targeted != null) {
            for (String f : targeted.split(",")) {
                if (f.strip().equals(folder)) {
                    return null;
                }
            }
        }
        return folder;
    }

    private Set<String> databasesOf(Bundle bundle, Set<String> folders) {
        Set<String> out = new java.util.TreeSet<>();
        for (String f : folders) {
            String database = databaseOf(bundle, f);
            if (database != null) {
                out.add(database);
            }
        }
        return out;
    }

    private static Set<String> foldersOf(Bundle bundle) {
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

    /**
     * The migrations every started extension brings for a database, SQL and Java, by extension then version.
     *
     * @throws MigrationException when one extension has a version both as SQL and as Java
     */
    Map<String, List<Migration>> migrationsFor(String database, Dialect dialect)
            throws IOException, MigrationException {
        Map<String, List<Migration>> out = scripts(database, dialect, Migration.FILE);
        for (Registered r : javaMigrations.values()) {
            if (!r.database().equals(database) || r.bundle().getState() == Bundle.UNINSTALLED) {
                continue;
            }
            List<Migration> list = out.computeIfAbsent(r.bundle().getSymbolicName(), k -> new ArrayList<>());
            Migration java = Migration.of(r.bundle().getSymbolicName(), database, r.code());
            for (Migration m : list) {
                if (Migration.VERSION_ORDER.compare(m.version(), java.version()) == 0) {
                    throw new MigrationException("migration " + java.extension() + " V" + java.version()
                            + " is both " + (m.code() == null ? "a SQL file" : "a Java migration (" + m.description()
                            + ")") + " and a Java migration (" + java.description() + "); give one of them another"
                            + " version");
                }
            }
            list.add(java);
            list.sort(Comparator.comparing(Migration::version, Migration.VERSION_ORDER));
        }
        return out;
    }

    private Map<String, List<Migration>> scripts(String database, Dialect dialect, java.util.regex.Pattern kind)
            throws IOException {
        Map<String, List<Migration>> out = new TreeMap<>();
        for (Map.Entry<Bundle, Set<String>> e : extensions.entrySet()) {
            Bundle bundle = e.getKey();
            String folder = null;
            for (String f : e.getValue()) {
                if (database.equals(databaseOf(bundle, f))) {
                    folder = f;
                }
            }
            if (folder == null) {
                continue;
            }
            Map<String, Migration> byVersion = new HashMap<>();
            Map<String, Boolean> specific = new HashMap<>();
            Enumeration<URL> entries = bundle.findEntries(ROOT + folder, "*.sql", false);
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
            all = new TreeMap<>(migrationsFor(database, dialect));
            all.values().removeIf(List::isEmpty);
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
                    applied += apply(c, dialect, e.getKey(), e.getValue());
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
            for (Registered r : javaMigrations.values()) {
                if (r.database().equals(database.name()) && r.bundle().getSymbolicName().equals(extension)
                        && r.code().undoable()) {
                    downs.put(r.code().version(), Migration.of(extension, database.name(), r.code()));
                }
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
                        + (e instanceof SQLException sql ? ManagedDatabase.describe(sql) : e.toString()));
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
