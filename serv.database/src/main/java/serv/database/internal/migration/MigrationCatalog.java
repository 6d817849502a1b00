package serv.database.internal.migration;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

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

import serv.database.Dialect;
import serv.database.JavaMigration;
import serv.database.MigrationTarget;

/**
 * The catalog of the extensions' migrations (the extender pattern): started bundles with SQL scripts under
 * {@code serv/migrations/<folder>/}, {@link JavaMigration} services, and {@link MigrationTarget} services that send
 * an extension's folder to the database its configuration names. Anything coming, going or changing tells the
 * {@link Listener}s (the databases), which apply what is missing through the {@link MigrationRunner}.
 */
@Component(service = MigrationCatalog.class, immediate = true)
public final class MigrationCatalog {

    static final String ROOT = "serv/migrations/";

    private static final Logger LOG = LoggerFactory.getLogger(MigrationCatalog.class);

    /** Told when an extension with migrations for some databases arrives or leaves. */
    public interface Listener {
        /** The bundle brings migrations for these databases: it is not ready on them until they are applied. */
        void extensionArrived(Set<String> databases, Bundle bundle);

        /** The bundle's migrations for these databases are gone (stopped, uninstalled, retargeted). */
        void extensionLeft(Set<String> databases, Bundle bundle);

        /** An operator changed {@code database}'s migration history (a rollback): its extensions are checked again. */
        default void historyChanged(serv.database.Database database) {
        }
    }

    /** Started extensions with SQL migrations: their folders under {@link #ROOT}. */
    private final Map<Bundle, Set<String>> extensions = new ConcurrentHashMap<>();
    /** Java migrations, with the bundle that registered each and its database. */
    private final Map<ServiceReference<JavaMigration>, Registered> javaMigrations = new ConcurrentHashMap<>();
    /** Folder to database, per extension, from MigrationTarget services. */
    private final Map<ServiceReference<MigrationTarget>, Target> targets = new ConcurrentHashMap<>();
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private final BundleTracker<Bundle> bundles;
    private final ServiceTracker<JavaMigration, JavaMigration> javaTracker;
    private final ServiceTracker<MigrationTarget, MigrationTarget> targetTracker;

    private record Registered(Bundle bundle, String database, JavaMigration code) {
    }

    /** Java migrations whose component did not activate, with their bundle and database (code null). */
    private final Map<ServiceReference<JavaMigration>, Registered> notStarted = new ConcurrentHashMap<>();

    /** What the tracker keeps for a Java migration that did not start: never run, never asked anything. */
    private static final JavaMigration NOT_STARTED = new JavaMigration() {
        @Override
        public String version() {
            throw new UnsupportedOperationException("a Java migration that did not start");
        }

        @Override
        public String description() {
            return "did not start";
        }

        @Override
        public String checksum() {
            return "";
        }

        @Override
        public void migrate(java.sql.Connection connection, serv.database.Dialect dialect) {
            throw new UnsupportedOperationException("a Java migration that did not start");
        }
    };

    private record Target(Bundle bundle, String folder, String database) {
    }

    @Activate
    public MigrationCatalog(BundleContext context) {
        bundles = new BundleTracker<>(context, Bundle.STARTING | Bundle.ACTIVE, new BundleTrackerCustomizer<>() {
            @Override
            public Bundle addingBundle(Bundle bundle, BundleEvent event) {
                Set<String> folders = foldersOf(bundle);
                if (folders.isEmpty()) {
                    return null;
                }
                extensions.put(bundle, folders);
                warnMisnamed(bundle, folders);
                Set<String> databases = databasesOf(bundle, folders);
                LOG.debug("Extension {} brings migrations for {}", bundle.getSymbolicName(), databases);
                arrived(databases, bundle);
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
                    left(databasesOf(bundle, folders), bundle);
                }
            }
        });
        javaTracker = new ServiceTracker<>(context, JavaMigration.class, null) {
            @Override
            public JavaMigration addingService(ServiceReference<JavaMigration> ref) {
                Object database = ref.getProperty(JavaMigration.DATABASE);
                JavaMigration code = context.getService(ref);
                if (code == null && database instanceof String name && !name.isBlank()) {
                    // Its component failed to activate: its version is not known, so none of the extension's
                    // migrations on that database may run (the next would be applied without it, and it could never
                    // run after them). Tracked, so that a new configuration tries again.
                    notStarted.put(ref, new Registered(ref.getBundle(), name, null));
                    LOG.error("Java migration {} of {} did not start: its component failed to activate (SCR's error"
                            + " above); the extension's migrations on database {} wait for it, so that none is skipped",
                            ref.getProperty("component.name"), ref.getBundle().getSymbolicName(), name);
                    arrived(targets(ref.getBundle(), name), ref.getBundle());
                    return NOT_STARTED;
                }
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
                arrived(targets(ref.getBundle(), name), ref.getBundle());
                return code;
            }

            @Override
            public void modifiedService(ServiceReference<JavaMigration> ref, JavaMigration code) {
                if (code == NOT_STARTED) {
                    // Tried again in one step: gone and come back, the extension's other migrations would have run
                    // without it in between.
                    JavaMigration started = context.getService(ref);
                    Object database = ref.getProperty(JavaMigration.DATABASE);
                    Registered failed = notStarted.get(ref);
                    if (started == null || failed == null || !(database instanceof String name) || name.isBlank()) {
                        if (started != null) {
                            context.ungetService(ref);
                        }
                        return; // still not started (SCR said why), or nothing to run it on
                    }
                    javaMigrations.put(ref, new Registered(ref.getBundle(), name, started));
                    notStarted.remove(ref);
                    LOG.info("Java migration {} of {} started", ref.getProperty("component.name"),
                            ref.getBundle().getSymbolicName());
                    Set<String> both = new TreeSet<>(targets(ref.getBundle(), name));
                    both.addAll(targets(ref.getBundle(), failed.database()));
                    arrived(both, ref.getBundle());
                    return;
                }
                Registered before = javaMigrations.get(ref);
                Object database = ref.getProperty(JavaMigration.DATABASE);
                if (before != null && database instanceof String name && !name.isBlank()) {
                    // Replaced in place: removed and added, a check in between would apply the extension's next
                    // migrations without this one.
                    javaMigrations.put(ref, new Registered(ref.getBundle(), name, code));
                    if (!name.equals(before.database())) {
                        left(targets(before.bundle(), before.database()), before.bundle());
                        arrived(targets(ref.getBundle(), name), ref.getBundle());
                    }
                    return;
                }
                removedService(ref, code);
                addingService(ref);
            }

            @Override
            public void removedService(ServiceReference<JavaMigration> ref, JavaMigration code) {
                Registered gone = javaMigrations.remove(ref);
                Registered failed = notStarted.remove(ref);
                if (gone != null || code != NOT_STARTED) {
                    context.ungetService(ref); // got by addingService, or by modifiedService once it started
                }
                if (gone != null) {
                    left(targets(gone.bundle(), gone.database()), gone.bundle());
                } else if (failed != null) {
                    left(targets(failed.bundle(), failed.database()), failed.bundle());
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
                    left(new TreeSet<>(List.of(before.database(), before.folder())), before.bundle());
                }
                arrived(Set.of(d), ref.getBundle());
                return context.getService(ref);
            }

            @Override
            public void modifiedService(ServiceReference<MigrationTarget> ref, MigrationTarget service) {
                Target now = targets.get(ref);
                if (now != null && now.folder().equals(ref.getProperty(MigrationTarget.FOLDER))
                        && now.database().equals(ref.getProperty(MigrationTarget.DATABASE))) {
                    return; // another property of the extension's configuration changed: its migrations stay put
                }
                addingService(ref);
                context.ungetService(ref);
            }

            @Override
            public void removedService(ServiceReference<MigrationTarget> ref, MigrationTarget service) {
                Target gone = targets.remove(ref);
                context.ungetService(ref);
                if (gone != null) {
                    left(Set.of(gone.database()), gone.bundle());
                    arrived(Set.of(gone.folder()), gone.bundle());
                }
            }
        };
        targetTracker.open();
        bundles.open();
        javaTracker.open();
    }

    @Deactivate
    void deactivate() {
        javaTracker.close();
        bundles.close();
        targetTracker.close();
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    private void arrived(Set<String> databases, Bundle bundle) {
        listeners.forEach(l -> l.extensionArrived(databases, bundle));
    }

    private void left(Set<String> databases, Bundle bundle) {
        listeners.forEach(l -> l.extensionLeft(databases, bundle));
    }

    void historyChanged(serv.database.Database database) {
        listeners.forEach(l -> l.historyChanged(database));
    }

    /** The version of the started extension of that symbolic name that brings migrations; null when none runs. */
    String versionOf(String extension) {
        for (Bundle b : extensions.keySet()) {
            if (extension.equals(b.getSymbolicName()) && b.getState() != Bundle.UNINSTALLED) {
                return b.getVersion().toString();
            }
        }
        for (Registered r : javaMigrations.values()) {
            if (extension.equals(r.bundle().getSymbolicName()) && r.bundle().getState() != Bundle.UNINSTALLED) {
                return r.bundle().getVersion().toString();
            }
        }
        return null;
    }

    /**
     * What the started extensions bring for a database.
     *
     * @param migrations by extension (symbolic name), SQL and Java merged in version order
     * @param invalid extensions whose migrations cannot be ordered (a version that is both a SQL file and a Java
     *            migration), with why: none of theirs runs
     * @param versions the version of each extension that brings them
     * @param deployed whether a migration of the plan is still deployed (its extension started, its Java migration
     *            registered): a run checks it again before it touches the extension, since one may go at any time
     */
    public record Plan(Map<String, List<Migration>> migrations, Map<String, MigrationRunner.Failure> invalid,
            Map<String, String> versions, Predicate<Migration> deployed) {
    }

    /** The migrations every started extension brings for a database, SQL and Java, by extension then version. */
    public Plan migrationsFor(String database, Dialect dialect) throws IOException {
        Map<String, List<Migration>> out = scripts(database, dialect, Migration.FILE);
        Map<String, MigrationRunner.Failure> invalid = new TreeMap<>();
        for (Registered r : javaMigrations.values()) {
            if (!database.equals(databaseOf(r.bundle(), r.database())) || r.bundle().getState() == Bundle.UNINSTALLED) {
                continue;
            }
            List<Migration> list = out.computeIfAbsent(r.bundle().getSymbolicName(), k -> new ArrayList<>());
            Migration java = Migration.of(r.bundle().getSymbolicName(), database, r.code());
            for (Migration m : list) {
                if (Migration.VERSION_ORDER.compare(m.version(), java.version()) == 0) {
                    invalid.put(java.extension(), MigrationRunner.Failure.refused(java.label(), "migration "
                            + java.extension() + " V" + java.version() + " is both " + (m.code() == null ? "a SQL file"
                            : "a Java migration (" + m.description() + ")") + " and a Java migration ("
                            + java.description() + "); give one of them another version"));
                }
            }
            list.add(java);
            list.sort(Comparator.comparing(Migration::version, Migration.VERSION_ORDER));
        }
        for (Map.Entry<ServiceReference<JavaMigration>, Registered> e : notStarted.entrySet()) {
            Registered r = e.getValue();
            if (database.equals(databaseOf(r.bundle(), r.database())) && r.bundle().getState() != Bundle.UNINSTALLED) {
                invalid.put(r.bundle().getSymbolicName(), MigrationRunner.Failure.refused(String.valueOf(
                        e.getKey().getProperty("component.name")), "Java migration " + e.getKey().getProperty(
                                "component.name") + " did not start (its component failed to activate; the server's"
                                + " log says why): none of " + r.bundle().getSymbolicName() + "'s migrations on database "
                                + database + " runs until it does, so that none is skipped"));
            }
        }
        out.keySet().removeAll(invalid.keySet());
        out.values().removeIf(List::isEmpty);
        Map<String, String> versions = new TreeMap<>();
        for (String extension : out.keySet()) {
            versions.put(extension, versionOf(extension));
        }
        return new Plan(out, invalid, versions, this::deployed);
    }

    /**
     * Whether a migration is still deployed: a SQL script's extension is started, a Java migration still
     * registered (an SCR component's instance is deactivated once its service goes).
     */
    private boolean deployed(Migration m) {
        if (m.code() != null) {
            for (Registered r : javaMigrations.values()) {
                if (r.code() == m.code()) {
                    return r.bundle().getState() != Bundle.UNINSTALLED;
                }
            }
            return false;
        }
        for (Bundle b : extensions.keySet()) {
            if (m.extension().equals(b.getSymbolicName()) && (b.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0) {
                return true;
            }
        }
        return false;
    }

    /** The down scripts and undoable Java migrations of one extension for a database, by version. */
    Map<String, Migration> downsFor(String database, Dialect dialect, String extension) throws IOException {
        Map<String, Migration> downs = new HashMap<>();
        for (Migration m : scripts(database, dialect, Migration.DOWN_FILE).getOrDefault(extension, List.of())) {
            downs.put(m.version(), m);
        }
        for (Registered r : javaMigrations.values()) {
            if (database.equals(databaseOf(r.bundle(), r.database())) && r.bundle().getSymbolicName().equals(extension)
                    && r.code().undoable()) {
                downs.put(r.code().version(), Migration.of(extension, database, r.code()));
            }
        }
        return downs;
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

    /**
     * Says which files of an extension's migration folders are not run: a {@code .sql} file whose name is not a
     * migration's ({@code V011_add.sql} with one underscore, {@code v012__add.sql}, a dialect Serv does not know)
     * was skipped without a word, while the deploy said the migrations were applied.
     */
    private static void warnMisnamed(Bundle bundle, Set<String> folders) {
        for (String folder : folders) {
            Enumeration<String> paths = bundle.getEntryPaths(ROOT + folder);
            while (paths != null && paths.hasMoreElements()) {
                String path = paths.nextElement();
                String file = path.substring(path.lastIndexOf('/') + 1);
                if (path.endsWith("/") || !file.toLowerCase(java.util.Locale.ROOT).endsWith(".sql")
                        || Migration.FILE.matcher(file).matches() || Migration.DOWN_FILE.matcher(file).matches()) {
                    continue;
                }
                LOG.warn("Extension {}: {} is not run: a migration is named V<version>__<words>.sql (a capital V,"
                        + " two underscores; .postgresql.sql or .sqlite.sql for one database only; U<version>__ for"
                        + " its down script)", bundle.getSymbolicName(), path);
            }
        }
    }

    /**
     * The databases a Java migration of {@code bundle} that names {@code database} concerns: that name and where the
     * extension's target sends it. A Java migration follows its extension's SQL migrations: its database is read as
     * the folder of that name is (an extension whose {@code database} setting moves its migrations from
     * {@code default} to {@code reports} moves its Java migration of {@code default} too; left behind, its version
     * was skipped there without a word).
     */
    private Set<String> targets(Bundle bundle, String database) {
        Set<String> out = new TreeSet<>();
        out.add(database);
        String mapped = databaseOf(bundle, database);
        if (mapped != null) {
            out.add(mapped);
        }
        return out;
    }

    private Set<String> databasesOf(Bundle bundle, Set<String> folders) {
        Set<String> out = new TreeSet<>();
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
        Set<String> out = new TreeSet<>();
        while (paths.hasMoreElements()) {
            String p = paths.nextElement();
            if (p.endsWith("/")) {
                out.add(p.substring(ROOT.length(), p.length() - 1));
            }
        }
        return out;
    }

    /**
     * The SQL scripts of a kind ({@link Migration#FILE} or {@link Migration#DOWN_FILE}) every extension brings for
     * a database, by extension then version; a dialect's own file wins over the plain one of the same version.
     */
    private Map<String, List<Migration>> scripts(String database, Dialect dialect, Pattern kind) throws IOException {
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
}
