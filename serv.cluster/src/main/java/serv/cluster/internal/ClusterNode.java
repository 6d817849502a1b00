package serv.cluster.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.Version;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.core.config.ConfigSource;
import serv.core.config.ConfigStore;
import serv.core.config.Desired;
import serv.core.config.Snapshot;
import serv.core.runtime.DeployedJars;
import serv.database.Database;
import serv.database.DatabaseState;

/**
 * This server as a node of a cluster (when {@code cluster.url} or {@code SERV_CLUSTER_URL} says so; else it does
 * nothing): the cluster's store as a {@link ConfigSource} (ranking 20, over the node's own files) that Serv's
 * reconciler applies like serv.config.yaml, and as the {@link ConfigStore} the console, the admin API and the
 * command line write to. A {@link Follower} keeps it on the store's latest version, {@link BundleSync} keeps
 * {@code deploy/} as the cluster says. With the store out of reach the node goes on with what it applied last (a
 * source that cannot be read changes nothing) and reports it in {@code /health}; a node that has never read it has
 * nothing to go on with, and waits for it ({@link #awaiting()}).
 */
@Component(immediate = true, configurationPid = ClusterNode.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, service = {})
@Designate(ocd = ClusterConfiguration.class)
// Registered by hand (its version property changes with the store); the resolver is told it is there.
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=serv.core.config.ConfigSource",
        uses = ConfigSource.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=serv.core.config.ConfigStore",
        uses = ConfigStore.class)
public final class ClusterNode implements ConfigSource, ConfigStore {

    static final String PID = "serv.cluster";
    static final String NAME = "cluster";
    static final int RANKING = 20;
    /** Holds the name of the cluster whose store this home has read once (what it read is then in data/config). */
    static final String READ_MARKER = "data/cluster/read";
    /** How long a new node waits for the cluster's extensions to start before it serves without those that did not. */
    static final int ARRIVAL_WAIT_S = 60;
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<Database> databases = new CopyOnWriteArrayList<>();

    /** serv.core's deploy/: which jar of an extension serves here (BundleSync decides nothing while it is away). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile DeployedJars deployedJars;

    private final String cluster;
    private final StoreAddress address;
    private final Store store;
    private final NodeRegistry registry;
    private final String nodeId;
    private final String nodeAddress;
    private final String servVersion;
    private final Instant started = Instant.now();
    private final ClusterKey key;
    private final Follower follower;
    private final Thread thread;
    private final BundleSync bundles;
    private final ScheduledExecutorService deployWatch;
    private final ServiceRegistration<?> registration;
    private final Path readMarker;
    /**
     * This home has read the store once, in this run or an earlier one: Configuration Admin keeps what was applied, so
     * it can serve with the store out of reach. Until then the node has none of the cluster's tenants and databases:
     * it is {@link #awaiting()} the store.
     */
    private volatile boolean everRead;
    /**
     * A starting node also waits for the extensions its first read finds in the store and not installed here (all of
     * them on a new node; on a restarted one, those added or changed while it was down): BundleSync writes them to
     * deploy/ and FileInstall installs them, and until then their paths would answer 404. False once they are started
     * (or after {@value #ARRIVAL_WAIT_S} s, with a warning naming those that are not), or, on a node that read the
     * store before, once the store turns out to be out of reach at the start (it serves what it applied).
     */
    private volatile boolean awaitingExtensions = true;
    /** The extensions of the first read not installed here then: null until the first read. */
    private volatile List<Store.BundleRecord> arriving;
    private volatile long arrivingSince;
    /** Looks every tenth of a second until then (an extension's migrations end without a bundle event). */
    private volatile java.util.concurrent.ScheduledFuture<?> arrivalWatch;
    /**
     * The bundles whose STARTED event reached an asynchronous listener, so after SCR's synchronous one registered
     * their routes: ACTIVE comes about 10 ms before (a 404 after the node said UP). By id and version: an updated
     * extension starts again under the same id.
     */
    private final java.util.Set<String> startedEvents = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final org.osgi.framework.BundleListener starts = event -> {
        if (event.getType() == org.osgi.framework.BundleEvent.STARTED) {
            startedEvents.add(started(event.getBundle()));
        }
    };
    private final BundleContext context;

    /** The last state read and the snapshot made of it; null until the store was read once. */
    private volatile Store.State state;
    /**
     * Not read yet: nothing of the store applied, nothing it made removed, and no problem to report (the reconciler
     * logs an unreadable source's reason as an ERROR; a node connecting at its start is not one: /health says
     * "connecting", and a store out of reach is reported there).
     */
    private volatile Snapshot snapshot = new Snapshot(false, List.of(), List.of());
    private volatile Map<String, Long> versions = Map.of();
    private volatile long applied;
    private volatile String problem = "connecting";
    private volatile Instant problemSince = Instant.now();
    private volatile List<Map<String, Object>> nodes = List.of();
    private long registrationVersion;

    @Activate
    public ClusterNode(BundleContext context, ClusterConfiguration config, @Reference ConfigurationAdmin cm)
            throws IOException {
        String url = firstOf(config.url(), System.getenv("SERV_CLUSTER_URL"));
        if (url == null) {
            LOG.debug("No cluster.url or SERV_CLUSTER_URL: this server is on its own");
            cluster = null;
            address = null;
            store = null;
            registry = null;
            nodeId = nodeAddress = servVersion = null;
            key = null;
            follower = null;
            thread = null;
            bundles = null;
            deployWatch = null;
            registration = null;
            readMarker = null;
            everRead = true;
            this.context = null;
            return;
        }
        cluster = firstOf(config.name(), System.getenv("SERV_CLUSTER_NAME"), "default");
        address = new StoreAddress(url, firstOf(config.password(), System.getenv("SERV_CLUSTER_PASSWORD")));
        store = new Store(cluster);
        registry = new NodeRegistry(cluster);
        Path home = Path.of(firstOf(context.getProperty("serv.home"), ".")).toAbsolutePath().normalize();
        nodeId = nodeId(home);
        nodeAddress = firstOf(config.address(), System.getenv("SERV_CLUSTER_ADDRESS"), "http://"
                + firstOf(context.getProperty("serv.host"), System.getenv("SERV_HOST"), "127.0.0.1") + ":"
                + firstOf(context.getProperty("serv.port"), System.getenv("SERV_PORT"), "8000"));
        servVersion = context.getBundle().getVersion().toString();
        key = new ClusterKey(System.getenv("SERV_SECRET_KEY"));
        Path deploy = home.resolve(firstOf(context.getProperty("felix.fileinstall.dir"), "deploy")).normalize();
        bundles = new BundleSync(home, deploy, address, store, nodeId, () -> deployedJars);
        readMarker = home.resolve(READ_MARKER);
        everRead = readBefore(readMarker, cluster) || appliedBefore(cm);
        this.context = context;
        if (!everRead) {
            LOG.info("Cluster {}: this node has never read the store: it serves once it has, and once the cluster's"
                    + " extensions are started here (until then routes with a database answer 503, /health STARTING)",
                    cluster);
        }
        registration = context.registerService(new String[] { ConfigSource.class.getName(),
            ConfigStore.class.getName() }, this, properties());
        follower = new Follower(address, store, new Follower.Node() {
            @Override
            public void changed(Store.State s) {
                ClusterNode.this.changed(s);
            }

            @Override
            public void reachable(String why) {
                ClusterNode.this.reachable(why);
            }

            @Override
            public void beat(Connection c) throws SQLException {
                ClusterNode.this.beat(c);
            }

            @Override
            public void connected(Connection c) throws SQLException {
                String problem = key.compare(registry.keyCheck(c, key.fingerprint()));
                if (problem != null) {
                    LOG.error("Cluster {}: {}", cluster, problem);
                }
            }
        });
        thread = new Thread(follower, "serv-cluster");
        thread.setDaemon(true);
        thread.start();
        deployWatch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "serv-cluster-deploy");
            t.setDaemon(true);
            return t;
        });
        deployWatch.scheduleWithFixedDelay(bundles::sync, 1, 1, TimeUnit.SECONDS);
        context.addBundleListener(starts);
        for (Bundle b : context.getBundles()) {
            if (b.getState() == Bundle.ACTIVE) {
                startedEvents.add(started(b)); // started before this looked
            }
        }
        arrivalWatch = deployWatch.scheduleWithFixedDelay(this::watchArrivals, 100, 100, TimeUnit.MILLISECONDS);
        LOG.info("Cluster {}: node {} ({}) follows the store at {}", cluster, nodeId, nodeAddress, address);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        if (follower == null) {
            return;
        }
        follower.stop();
        deployWatch.shutdownNow();
        thread.join(5000);
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping
        }
    }

    // ---- following the store ------------------------------------------------------------------------------

    private void changed(Store.State s) {
        List<Desired> desired = new ArrayList<>();
        Map<String, Long> v = new HashMap<>();
        for (Store.Record r : s.records()) {
            v.put(r.pid(), r.deleted() ? 0L : r.version());
            if (!r.deleted() && !ClusterNode.PID.equals(r.pid())) {
                desired.add(new Desired(r.factoryPid(), r.name(), r.properties()));
            }
        }
        versions = Map.copyOf(v);
        snapshot = new Snapshot(true, desired, List.of());
        state = s;
        bundles.stored(s.bundles());
        if (awaitingExtensions && arriving == null) {
            Bundle[] installed = context.getBundles();
            arriving = s.bundles().stream().filter(b -> !b.removed() && b.symbolicName() != null
                    && find(installed, b) == null).toList();
            arrivingSince = System.nanoTime();
        }
        deployWatch.execute(bundles::sync);
        LOG.info("Cluster {}: version {} read ({} configurations, {} extensions)", cluster, s.version(),
                desired.size(), s.bundles().stream().filter(b -> !b.removed()).count());
        bump();
    }

    private void reachable(String why) {
        if (why == null) {
            if (problem != null) {
                LOG.info("Cluster {}: the store at {} is reachable", cluster, address);
            }
            problem = null;
            problemSince = null;
        } else if (problem == null || problem.equals("connecting")) {
            problem = why;
            problemSince = Instant.now();
            if (everRead) {
                LOG.warn("Cluster {}: the store at {} cannot be reached ({}); serving what was applied last (version"
                        + " {}), trying again every half second", cluster, address, why, applied);
            } else {
                LOG.warn("Cluster {}: the store at {} cannot be reached ({}); this node has never read it, so it has"
                        + " none of the cluster's configuration and serves none of it (503, /health STARTING) until"
                        + " it has; trying again every half second", cluster, address, why);
            }
        } else {
            problem = why;
        }
    }

    private void beat(Connection c) throws SQLException {
        Map<String, Object> dbs = new TreeMap<>();
        for (Database db : databases) {
            if (db.tenant().isEmpty()) {
                dbs.put(db.name(), db.state().name());
            }
        }
        registry.heartbeat(c, nodeId, nodeAddress, servVersion, started, applied, dbs);
        nodes = registry.nodes(c);
    }

    private synchronized void bump() {
        registrationVersion++;
        try {
            registration.setProperties(properties());
        } catch (IllegalStateException stopping) {
            // unregistered meanwhile
        }
    }

    private synchronized Dictionary<String, Object> properties() {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(ConfigSource.NAME, NAME);
        props.put(ConfigSource.VERSION, registrationVersion);
        props.put(Constants.SERVICE_RANKING, RANKING);
        return props;
    }

    // ---- ConfigSource -------------------------------------------------------------------------------------

    @Override
    public Snapshot snapshot() {
        Store.State s = state;
        Snapshot snap = snapshot;
        if (s != null) {
            applied = s.version(); // the reconciler applies what it reads now
            if (!everRead) {
                remember();
                everRead = true;
            }
        }
        return snap;
    }

    @Override
    public String awaiting() {
        if (!everRead) {
            // why the store is not read yet is the store's state (/health's "cluster", the log): not repeated here
            return "this node has never read the cluster's store, so it has none of the cluster's databases, tenants"
                    + " and settings yet";
        }
        if (!awaitingExtensions) {
            return null;
        }
        List<Store.BundleRecord> wanted = arriving;
        return wanted == null ? "this node is reading the cluster's store (which extensions it holds)"
                : "the cluster's extensions are being installed on this node (" + String.join(", ", notStarted(wanted))
                        + ")";
    }

    // ---- the extensions of a starting node------------------------------------------------------------------

    /** On the deploy watch's thread: stops waiting once the first read's extensions are started here. */
    private void watchArrivals() {
        List<Store.BundleRecord> wanted = arriving;
        if (!awaitingExtensions) {
            return;
        }
        if (wanted == null) {
            if (everRead && problem != null && !problem.equals("connecting")) {
                settle(); // the store is out of reach at the start: this node serves what it applied
            }
            return;
        }
        List<String> missing = notStarted(wanted);
        if (missing.isEmpty()) {
            LOG.info("Cluster {}: the cluster's {} extension(s) are started on this node", cluster, wanted.size());
        } else if (System.nanoTime() - arrivingSince > TimeUnit.SECONDS.toNanos(ARRIVAL_WAIT_S)) {
            LOG.warn("Cluster {}: extension(s) {} of the cluster did not start on this node within {} s (see the"
                    + " console's Extensions page); serving without them", cluster, missing, ARRIVAL_WAIT_S);
        } else {
            return;
        }
        settle();
    }

    private void settle() {
        awaitingExtensions = false;
        try {
            context.removeBundleListener(starts);
        } catch (IllegalStateException stopping) {
            // the bundle is stopping
        }
        if (arrivalWatch != null) {
            arrivalWatch.cancel(false);
        }
        bump(); // the reconciler asks again: nothing is awaited now
    }

    private static String started(Bundle b) {
        return b.getBundleId() + ":" + b.getVersion();
    }

    /** The bundle installed here that is the extension {@code r} (its symbolic name and version), or null. */
    private static Bundle find(Bundle[] installed, Store.BundleRecord r) {
        for (Bundle b : installed) {
            if (r.symbolicName().equals(b.getSymbolicName()) && sameVersion(b, r.bundleVersion())) {
                return b;
            }
        }
        return null;
    }

    /**
     * Whether the server's own databases that are up have applied (or checked) the extension's migrations: until then
     * its routes answer 503. A migration that failed is reported by /health and the console: not waited for.
     */
    private boolean migrated(Bundle b) {
        for (Database db : databases) {
            if (db.tenant().isEmpty() && db.state() == DatabaseState.UP && !db.readyFor(b.getBundleId())
                    && !db.failedExtensions().containsKey(b.getSymbolicName())) {
                return false;
            }
        }
        return true;
    }

    /**
     * An extension this node's operator stopped: serv.core keeps it from starting at the start level
     * {@code Integer.MAX_VALUE}, which the framework never reaches (StoppedExtensions); the node does not wait for it.
     */
    private static boolean keptStopped(Bundle b) {
        org.osgi.framework.startlevel.BundleStartLevel level =
                b.adapt(org.osgi.framework.startlevel.BundleStartLevel.class);
        return level != null && level.getStartLevel() == Integer.MAX_VALUE && !level.isPersistentlyStarted();
    }

    private static boolean sameVersion(Bundle b, String version) {
        try {
            return b.getVersion().equals(Version.parseVersion(version));
        } catch (IllegalArgumentException notAVersion) {
            return false;
        }
    }

    /** The extensions of {@code wanted} that are not started here (a fragment: not resolved), by symbolic name. */
    private List<String> notStarted(List<Store.BundleRecord> wanted) {
        Bundle[] installed = context.getBundles();
        List<String> missing = new ArrayList<>();
        for (Store.BundleRecord r : wanted) {
            Bundle b = find(installed, r);
            boolean started = b != null && (b.getHeaders("").get(Constants.FRAGMENT_HOST) != null
                    ? b.getState() == Bundle.RESOLVED
                    : b.getState() == Bundle.ACTIVE && startedEvents.contains(started(b)) && migrated(b)
                            || keptStopped(b));
            if (!started) {
                missing.add(r.symbolicName());
            }
        }
        return missing;
    }

    // ---- ConfigStore --------------------------------------------------------------------------------------

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long version(String pid) {
        return versions.getOrDefault(pid, 0L);
    }

    @Override
    public long put(Desired desired, long expected) throws Conflict, Unavailable {
        if (ClusterNode.PID.equals(desired.pid())) {
            throw new IllegalArgumentException("serv.cluster is each node's own (its serv.config.yaml or"
                    + " SERV_CLUSTER_URL), not the cluster's");
        }
        key.check(desired.properties());
        return write(desired.pid(), desired.factoryPid(), desired.name(), desired.properties(), expected);
    }

    @Override
    public long remove(String pid, long expected) throws Conflict, Unavailable {
        int tilde = pid.indexOf('~');
        return write(pid, tilde < 0 ? null : pid.substring(0, tilde), tilde < 0 ? pid : pid.substring(tilde + 1),
                null, expected);
    }

    private long write(String pid, String factoryPid, String name, Map<String, Object> props, long expected)
            throws Conflict, Unavailable {
        try (Connection c = address.connect()) {
            long v = store.write(c, pid, factoryPid, name, props, expected, nodeId);
            LOG.info("Cluster {}: {} {} (version {})", cluster, Store.label(pid), props == null ? "removed" : "stored",
                    v);
            return v;
        } catch (SQLException e) {
            throw new Unavailable("the cluster's store cannot be reached (" + e.getMessage() + "); nothing was saved,"
                    + " try again");
        }
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", cluster);
        m.put("node", nodeId);
        m.put("store", problem == null ? "CONNECTED" : "UNREACHABLE");
        if (problem != null) {
            m.put("reason", problem);
            m.put("unreachable_since", problemSince == null ? null : problemSince.toString());
        }
        Store.State s = state;
        m.put("version", s == null ? 0 : s.version());
        m.put("applied_version", applied);
        if (!everRead) {
            m.put("never_read", true); // this node waits for it (ConfigSource.awaiting)
        }
        if (key.problem() != null) {
            m.put("key", key.problem());
        }
        return m;
    }

    @Override
    public List<Map<String, Object>> nodes() {
        return problem == null ? nodes : List.of();
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** This home's node id: made once, kept in data/cluster/node-id. */
    private static String nodeId(Path home) throws IOException {
        Path file = home.resolve("data/cluster/node-id");
        if (Files.isRegularFile(file)) {
            String id = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!id.isEmpty()) {
                return id;
            }
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "node";
        }
        String id = host + "-" + UUID.randomUUID().toString().substring(0, 8);
        Files.createDirectories(file.getParent());
        Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
        return id;
    }

    /** Whether this home has read the store of {@code cluster} before (a home moved to another cluster has not). */
    private static boolean readBefore(Path marker, String cluster) {
        try {
            return Files.isRegularFile(marker) && Files.readString(marker, StandardCharsets.UTF_8).strip().equals(
                    cluster);
        } catch (IOException e) {
            LOG.warn("Cluster {}: {} cannot be read ({}): taken as never read", cluster, marker, e.toString());
            return false;
        }
    }

    /**
     * Whether Configuration Admin holds configurations this node applied from the cluster's store (a home from before
     * {@value #READ_MARKER} was kept, or one that lost it): then it has something of the cluster's to serve.
     */
    private boolean appliedBefore(ConfigurationAdmin cm) {
        try {
            Configuration[] made = cm.listConfigurations("(.serv.source=" + NAME + ")");
            if (made != null && made.length > 0) {
                remember();
                return true;
            }
        } catch (IOException | InvalidSyntaxException e) {
            LOG.warn("Cluster {}: the configurations could not be listed ({})", cluster, e.toString());
        }
        return false;
    }

    /** Notes that this home has read the store (written whole, then moved in place). */
    private void remember() {
        try {
            Files.createDirectories(readMarker.getParent());
            Path tmp = readMarker.resolveSibling(readMarker.getFileName() + ".tmp");
            Files.writeString(tmp, cluster + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, readMarker, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("Cluster {}: {} cannot be written ({}): at its next start this node waits for the store again",
                    cluster, readMarker, e.toString());
        }
    }

    private static String firstOf(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }
}
