package serv.core.internal.tenant;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ManagedServiceFactory;
import org.osgi.service.cm.SynchronousConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.core.internal.config.ConfigReconciler;
import serv.core.internal.config.EnvInterpolation;
import serv.core.tenant.Tenant;
import serv.core.tenant.Tenants;
import serv.database.DatabaseGuard;
import serv.database.Databases;

/**
 * Every tenant of the server: one {@link LiveTenant} per {@code serv.tenant} factory configuration (a
 * {@link ManagedServiceFactory}: Configuration Admin calls it on its own thread, one configuration after the other),
 * the {@link Tenants} service, and for the dispatcher the {@link TenantTable} that says which tenant a request
 * belongs to (an immutable snapshot, replaced whole when a tenant comes, changes or goes). A tenant whose new
 * configuration is wrong keeps its last good one, and says why.
 *
 * <p>Its own configuration, {@code serv.tenancy} ({@code tenancy:} in serv.config.yaml), says what happens to a
 * request that selects no tenant: the server's own site answers it (the default, so that adding the first tenant
 * does not take the site down), or it gets 404 {@code {"error":"unknown tenant"}}.
 *
 * <p>Why not one DS component per tenant: SCR shows every component's configuration, secrets included, on its
 * status page; and ten thousand tenants would be ten thousand components.
 */
@Component(service = { ManagedServiceFactory.class, TenantRegistry.class, Tenants.class,
    SynchronousConfigurationListener.class, DatabaseGuard.class },
        property = Constants.SERVICE_PID + "=" + TenantSettings.FACTORY_PID,
        configurationPid = TenantRegistry.TENANCY_PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = TenancyConfiguration.class)
public final class TenantRegistry implements ManagedServiceFactory, Tenants, SynchronousConfigurationListener,
        DatabaseGuard {

    static final String TENANCY_PID = "serv.tenancy";
    /** Settings of the shared default database a schema tenant takes over. */
    private static final Set<String> SHARED = Set.of("url", "user", "password", "password_file", "ssl_mode",
            "connection_timeout", "command_timeout", "max_lifetime");

    private static final Logger LOG = LoggerFactory.getLogger(TenantRegistry.class);
    /** How long {@link #loading()} keeps the server starting at most, and how often it looks meanwhile. */
    static final int LOAD_WAIT_S = 120;
    private static final long LOOK_EVERY_NS = 100_000_000L;
    /**
     * How long a refusal for another tenant's host or id lasts before it is logged (see {@link #apply}): longer than a
     * file's removal grace, after which a tenant renamed in the file lets its host go.
     */
    private static final long CONFLICT_LOG_MS =
            serv.core.internal.config.ConfigReconciler.REMOVAL_GRACE_NANOS / 1_000_000 + 2_000;
    /** A line per tenant configured, but a burst of thousands gives a few lines and a count. */
    private static final serv.core.internal.config.BurstLog CONFIGURED =
            new serv.core.internal.config.BurstLog(LOG, 20, 10_000);

    private final ConfigurationAdmin cm;
    private final Databases databases;
    private final TenantClock clock;
    private final EnvInterpolation env;
    /** Tenants by configuration PID. */
    private final Map<String, LiveTenant> byPid = new HashMap<>();
    private final Map<String, LiveTenant> byId = new ConcurrentHashMap<>();
    /**
     * Who answers each host and path prefix ("host:" or "prefix:" and its text): one tenant only. A configuration
     * that claims another tenant's is refused, so a typo never moves a host's requests (and its data) to another
     * tenant; of two stored configurations that already claim one host at a start, the first applied keeps it.
     */
    private final Map<String, LiveTenant> owners = new HashMap<>();
    /**
     * Configurations refused for asking what another tenant has (its id, a host, the path prefix), by PID, with their
     * settings, in the order they came: applied when that tenant goes or changes ({@link #retryWaiting()}).
     */
    private final Map<String, Map<String, Object>> waiting = new LinkedHashMap<>();
    /** Configurations that were refused (no good one before them), by PID, with why: for /health. */
    private final Map<String, String> refused = new ConcurrentHashMap<>();
    /**
     * The hosts and path prefixes of configurations refused with no good one before them (a typo in a tenant's file
     * found at a start), by PID: their requests are answered 503, not by the server's own site (whose database
     * would take the tenant's writes) or by a tenant with a wider host.
     */
    private final Map<String, TenantTable.Held> held = new ConcurrentHashMap<>();
    private volatile TenantTable table = TenantTable.EMPTY;
    /**
     * The table is out of date: a tenant came, changed or went since it was built. It is rebuilt by the next reader,
     * once, however many tenants changed meanwhile: ten thousand tenants created in a burst cost one rebuild, not
     * ten thousand (each O(n)).
     */
    private volatile boolean tableStale;
    private final Object tableLock = new Object();
    private volatile boolean serveUnmatched = true;
    /**
     * Says when the configuration sources were applied once ({@link #loading()}); not a static reference, so that
     * the tenants (and their pools) do not go and come again with it.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigReconciler reconciler;
    private final long activated = System.nanoTime();
    /** Since when the registry waits for its tenants: its start, or the moment an awaited source was read. */
    private volatile long waitFrom = activated;
    private final Object loadLock = new Object();
    /** Every tenant stored at the start is applied (or refused): once true, true for good. */
    private volatile boolean loaded;
    private volatile long lastLook;
    /** Tenant configurations stored and not applied yet, at the last look. */
    private volatile int unapplied = -1;
    /** The shared default database's settings as a consumer gets them; null until read, empty when there is none. */
    private volatile Map<String, Object> sharedDefault;

    /**
     * Tenant configurations stored and not handed to {@link #updated} yet, by PID, with when they were stored: what
     * they claim is checked before a save too ({@link #claimedByOthers}), so that of two saves at once that claim one
     * host or database, the second is refused (both had been checked against the running tenants only, and saved).
     * Heard on the saving thread ({@link SynchronousConfigurationListener}), before Configuration Admin hands the
     * configuration over; forgotten when it does, or after {@link #PENDING_MS}.
     */
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private static final long PENDING_MS = 30_000;

    /** The server's databases (not the tenants'), as {@link DatabaseIdentity}s by name; null until read. */
    private volatile Map<String, DatabaseIdentity> serverDatabases;
    /** The server's home: relative SQLite paths resolve against it. */
    private final Path home;
    /** What each tenant was when last applied: a tenant that starts is checked against it, at a restart too. */
    private final AppliedTenants applied;
    /** A retry of the waiting configurations is scheduled for when the tenants are loaded. */
    private final java.util.concurrent.atomic.AtomicBoolean retryWhenLoaded =
            new java.util.concurrent.atomic.AtomicBoolean();
    private static final long RETRY_LOOK_MS = 250;

    @Activate
    public TenantRegistry(@Reference ConfigurationAdmin cm, @Reference Databases databases,
            @Reference TenantClock clock, @Reference EnvInterpolation env, TenancyConfiguration tenancy,
            BundleContext context) {
        this(cm, databases, clock, env, tenancy, home(context.getProperty("serv.home")));
    }

    TenantRegistry(ConfigurationAdmin cm, Databases databases, TenantClock clock, EnvInterpolation env,
            TenancyConfiguration tenancy, Path home) {
        this.cm = cm;
        this.databases = databases;
        this.clock = clock;
        this.env = env;
        this.home = home;
        this.applied = new AppliedTenants(home, clock.timer);
        modified(tenancy);
    }

    /** The server's home as serv.database reads it: the framework property, else the working directory. */
    private static Path home(String property) {
        return Path.of(property == null ? System.getProperty("user.dir") : property).toAbsolutePath().normalize();
    }

    @Modified
    void modified(TenancyConfiguration tenancy) {
        String unmatched = tenancy.unmatched() == null ? "site" : tenancy.unmatched().strip();
        if (!unmatched.equals("site") && !unmatched.equals("reject")) {
            LOG.error("serv.tenancy: key 'unmatched': '{}' is neither site nor reject; keeping {}", unmatched,
                    serveUnmatched ? "site" : "reject");
            return;
        }
        serveUnmatched = unmatched.equals("site");
        LOG.info("Tenancy: a request that selects no tenant is {}", serveUnmatched ? "answered by the server's own site"
                : "refused with 404 unknown tenant");
    }

    @Deactivate
    synchronized void deactivate() {
        applied.flush();
        byPid.values().forEach(LiveTenant::remove);
        byPid.clear();
        waiting.clear();
        held.clear();
        byId.clear();
        owners.clear();
        table = TenantTable.EMPTY;
        tableStale = false;
    }

    @Override
    public String getName() {
        return "Serv tenants";
    }

    @Override
    public synchronized void updated(String pid, Dictionary<String, ?> properties) {
        pending.remove(pid); // handed over: what it claims is in owners now, or it was refused
        Map<String, Object> props = new HashMap<>();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            props.put(key, properties.get(key));
        }
        if (apply(pid, props)) {
            retryWaiting(); // what it claimed before may be free now
        } else if (applyTogether()) { // it may ask for what a waiting one gives up (tenants exchanging hosts)
            retryWaiting();
        }
    }

    /** A configuration that asks for what another tenant has: its id, a host, the path prefix. */
    private static final class Conflict extends IllegalArgumentException {
        Conflict(String message) {
            super(message);
        }
    }

    /** Applies one configuration; false when it was refused (and said why, once per reason). */
    private boolean apply(String pid, Map<String, Object> props) {
        LiveTenant existing = byPid.get(pid);
        TenantSettings settings;
        List<String> keys; // what it claims: checked against the others, and recorded once applied
        try {
            settings = TenantSettings.from(props);
            LiveTenant other = byId.get(settings.id());
            if (other != null && other != existing) {
                throw new Conflict("tenant " + settings.id() + ": key 'id': another tenant configuration has this"
                        + " id; give each tenant its own id");
            }
            String moved = existing == null ? movedSinceApplied(settings) : moved(existing.settings(), settings);
            if (moved != null) {
                throw new IllegalArgumentException(moved);
            }
            String server = serversDatabase(settings);
            if (server != null) {
                throw new IllegalArgumentException(server);
            }
            keys = checked(settings);
            for (String key : keys) {
                LiveTenant owner = owners.get(key);
                if (owner != null && owner != existing) {
                    throw new Conflict(claimedBy(settings.id(), key, owner.tenant().id()));
                }
                String had = owner == null ? heldFor(key, settings.id()) : null;
                if (had != null) {
                    retryWhenLoaded();
                    throw new Conflict(claimedBy(settings.id(), key, had) + " (when the server last ran; it stays "
                            + had + "'s while " + had + " is not loaded yet, or refused)");
                }
            }
        } catch (IllegalArgumentException e) {
            if (e instanceof Conflict) {
                waiting.put(pid, props); // tried again when the other tenant goes or changes
            } else {
                waiting.remove(pid);
            }
            String why = existing != null ? e.getMessage() + " (the previous configuration goes on serving)"
                    : e.getMessage();
            if (existing == null) {
                TenantTable.Held claims = TenantSettings.held(props);
                if (claims == null ? held.remove(pid) != null : !claims.equals(held.put(pid, claims))) {
                    rebuildTable();
                }
            }
            if (!why.equals(refused.put(pid, why))) {
                String tenant = existing == null ? null : existing.tenant().id();
                if (e instanceof Conflict) {
                    // Said if it lasts: a tenant renamed in a file is refused for a moment, until the old one goes.
                    try {
                        clock.timer.schedule(() -> logRefusal(pid, why, tenant, e.getMessage()), CONFLICT_LOG_MS,
                                TimeUnit.MILLISECONDS);
                    } catch (RejectedExecutionException stopping) {
                        // the bundle is stopping
                    }
                } else {
                    logRefusal(pid, why, tenant, e.getMessage());
                }
            }
            return false;
        }
        refused.remove(pid);
        held.remove(pid); // the table is rebuilt below
        if (waiting.remove(pid) != null) {
            LOG.info("Tenant {}: configuration {} applied, now that no other tenant has its id, hosts or path prefix",
                    settings.id(), pid);
        }
        if (existing != null) {
            LiveTenant previous = existing; // its settings until apply: what it claimed so far
            claims(previous.tenant()).forEach(k -> owners.remove(k, previous));
        }
        if (existing == null) {
            existing = new LiveTenant(settings, databases, clock, this::databaseSettings);
            byPid.put(pid, existing);
        } else {
            String before = existing.tenant().id();
            existing.apply(settings);
            if (!before.equals(settings.id())) {
                byId.remove(before, existing); // a new id; with the same one, it is never missing in between
                if (!byId.containsKey(before)) {
                    applied.forget(before);
                }
            }
        }
        byId.put(settings.id(), existing);
        for (String key : claims(settings.tenant())) {
            owners.put(key, existing);
        }
        applied.record(settings.id(), AppliedTenants.how(settings), keys);
        rebuildTable();
        Tenant t = settings.tenant();
        CONFIGURED.info("Tenant {}: hosts {}, path prefix {}, database {}", t.id(), t.hosts(),
                t.pathPrefix() == null ? "none" : t.pathPrefix(),
                settings.ownsDatabase() ? "its own" : "schema " + settings.schema() + " of default");
        return true;
    }

    /** Logs why configuration {@code pid} was refused, unless it was applied (or refused for another reason) since. */
    private synchronized void logRefusal(String pid, String why, String tenant, String message) {
        if (!why.equals(refused.get(pid))) {
            return;
        }
        if (tenant != null) {
            LOG.error("Tenant {}: the new configuration was refused: {}. The previous configuration goes on serving",
                    tenant, message);
        } else {
            LOG.error("Tenant configuration {}: not applied: {}", pid, message);
        }
    }

    /**
     * Applies again, in the order they came, the configurations refused for asking what another tenant had, since a
     * tenant went or changed: so the outcome does not hang on the order Configuration Admin hands changes over (a
     * tenant renamed in a file is a new configuration and a deleted one, and the new one, first, was refused for the
     * old one's host, which then went).
     */
    private void retryWaiting() {
        do {
            boolean applied = true;
            while (applied && !waiting.isEmpty()) {
                applied = false;
                for (Map.Entry<String, Map<String, Object>> w : new ArrayList<>(waiting.entrySet())) {
                    applied |= apply(w.getKey(), w.getValue());
                }
            }
        } while (applyTogether());
    }

    /**
     * Applies at once the waiting configurations that only conflict with each other's tenants as they are now: two
     * tenants that exchange hosts (or path prefixes, or ids) in one save of a file each ask for what the other
     * holds until its own change applies, so neither could go first. Those that ask for what a tenant that is not
     * changing has, or what another waiting one has now and keeps (or asked for first), stay waiting. The table is
     * rebuilt once all of them are applied: no request sees one tenant changed and the other not. True when some
     * were applied.
     */
    private boolean applyTogether() {
        if (waiting.size() < 2) {
            return false;
        }
        Map<String, TenantSettings> group = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Object>> w : waiting.entrySet()) {
            try {
                TenantSettings next = TenantSettings.from(w.getValue());
                LiveTenant live = byPid.get(w.getKey());
                if ((live == null || moved(live.settings(), next) == null) && serversDatabase(next) == null) {
                    group.put(w.getKey(), next);
                }
            } catch (IllegalArgumentException e) {
                // refused for itself, not for a conflict: stays as it is
            }
        }
        while (group.size() > 1) {
            // Who would have each id, host and path prefix: a tenant that does not change keeps its own; of the
            // waiting ones, the one that has it now and keeps it, else the first that asked for it.
            Map<String, String> winner = new HashMap<>();
            for (Map.Entry<String, LiveTenant> t : byPid.entrySet()) {
                if (!group.containsKey(t.getKey())) {
                    wants(t.getValue().tenant()).forEach(k -> winner.put(k, t.getKey()));
                }
            }
            Map<String, List<String>> askedBy = new LinkedHashMap<>();
            group.forEach((pid, next) -> asks(next)
                    .forEach(k -> askedBy.computeIfAbsent(k, x -> new ArrayList<>()).add(pid)));
            askedBy.forEach((k, pids) -> {
                if (!winner.containsKey(k)) {
                    LiveTenant holder = k.startsWith("id:") ? byId.get(k.substring(3)) : owners.get(k);
                    winner.put(k, pids.stream().filter(pid -> holder != null && byPid.get(pid) == holder)
                            .findFirst().orElse(pids.get(0)));
                }
            });
            // A loser's tenant keeps what it has, which the others are checked against again.
            if (!group.keySet().removeIf(pid -> asks(group.get(pid)).stream()
                    .anyMatch(k -> !pid.equals(winner.get(k))))) {
                break;
            }
        }
        if (group.size() < 2) {
            return false; // one alone would have been applied by apply()
        }
        synchronized (tableLock) { // a reader rebuilding the table waits for the whole group
            for (String pid : group.keySet()) {
                LiveTenant live = byPid.get(pid);
                if (live != null) {
                    claims(live.tenant()).forEach(k -> owners.remove(k, live));
                    if (!live.tenant().id().equals(group.get(pid).id())) {
                        byId.remove(live.tenant().id(), live); // another of the group takes that id
                    }
                }
            }
            int applied = 0;
            for (String pid : group.keySet()) {
                LiveTenant live = byPid.get(pid);
                if (apply(pid, waiting.get(pid))) {
                    applied++;
                } else if (live != null) { // refused after all: it keeps what it had
                    claims(live.tenant()).forEach(k -> owners.putIfAbsent(k, live));
                    byId.putIfAbsent(live.tenant().id(), live);
                }
            }
            if (applied == 0) {
                return false; // nothing changed: asked again, it would be refused again
            }
        }
        LOG.info("Tenants {}: their new configurations applied together (each asked for what another gave up)",
                group.values().stream().map(TenantSettings::id).toList());
        return true;
    }

    @Override
    public synchronized void deleted(String pid) {
        pending.remove(pid);
        refused.remove(pid);
        waiting.remove(pid);
        TenantTable.Held refusedClaims = held.remove(pid);
        if (refusedClaims != null) {
            rebuildTable();
        }
        LiveTenant gone = byPid.remove(pid);
        String id = gone != null ? gone.tenant().id() : refusedClaims != null ? refusedClaims.id() : null;
        if (id != null && (byId.get(id) == null || byId.get(id) == gone)) {
            applied.forget(id); // removed on purpose: added again, it may hold its data anywhere
        }
        if (gone != null) {
            byId.remove(gone.tenant().id(), gone);
            claims(gone.tenant()).forEach(k -> owners.remove(k, gone));
            gone.remove();
            rebuildTable();
            CONFIGURED.info("Tenant {} removed", gone.tenant().id());
            retryWaiting();
        } else if (refusedClaims != null) {
            retryWaiting(); // what it had when the server last ran is free now
        }
    }

    /**
     * Why a tenant without a database of its own cannot have its schema: the shared default is not PostgreSQL (the
     * embedded SQLite one, say), which has no schemas; null when it can, or when there is no default to say.
     */
    String noSchema(TenantSettings settings) {
        return settings.ownsDatabase() ? null : noSchema(settings, sharedDefault());
    }

    /** {@link #noSchema(TenantSettings)} with the shared default's settings given ({@code shared}; empty: none). */
    static String noSchema(TenantSettings settings, Map<String, ?> shared) {
        if (settings.ownsDatabase()) {
            return null;
        }
        if (shared.isEmpty()) {
            return null;
        }
        Object given = shared.get("url");
        String url = String.valueOf(given == null ? "sqlite:" : given).strip().toLowerCase(java.util.Locale.ROOT);
        if (!url.startsWith("sqlite:") && !url.startsWith("jdbc:sqlite:")) {
            return null;
        }
        return "tenant " + settings.id() + ": key 'database_url': the shared database default is SQLite, which has no"
                + " schemas to hold a tenant's data; give the tenant a database_url of its own (sqlite:///data/"
                + settings.id() + ".db, or a postgresql:// url), or make default a PostgreSQL database";
    }

    /**
     * Why {@code settings} could not be applied beside the running tenants: each host, path prefix, schema or database
     * of theirs that another tenant has, or that a tenant configuration saved a moment ago and not applied yet claims
     * ({@link #pending}); a database of the server's; a move between a database of its own and a schema of the shared
     * default (the registry's own rules, asked before a save by {@link TenantConfigCheck}). A caller that saves after
     * this check holds one lock across the check and the save, so that of two saves at once only one is made.
     */
    List<String> claimedByOthers(TenantSettings settings) {
        // Read from Configuration Admin before the lock, which its thread needs to hand configurations over
        List<TenantSettings> saved = pendingSettings();
        serverDatabases();
        synchronized (this) {
            return claimedByOthers(settings, saved);
        }
    }

    private List<String> claimedByOthers(TenantSettings settings, List<TenantSettings> saved) {
        List<String> out = new ArrayList<>();
        LiveTenant same = byId.get(settings.id());
        String moved = same == null ? movedSinceApplied(settings) : moved(same.settings(), settings);
        if (moved != null) {
            out.add(moved);
        }
        String server = serversDatabase(settings);
        if (server != null) {
            out.add(server);
        }
        for (String key : checked(settings)) {
            LiveTenant owner = owners.get(key);
            if (owner != null && !owner.tenant().id().equals(settings.id())) {
                out.add(claimedBy(settings.id(), key, owner.tenant().id()));
            }
        }
        for (TenantSettings stored : saved) {
            if (stored.id().equals(settings.id())) {
                continue;
            }
            List<String> theirs = claims(stored.tenant());
            List<String> theirChecked = checked(stored);
            List<String> mine = claims(settings.tenant());
            int before = out.size();
            for (String key : checked(settings)) {
                if (theirs.contains(key)) {
                    out.add(claimedBy(settings.id(), key, stored.id()));
                }
            }
            for (String key : mine) { // the same data under the other name (a schema, and the URL that names it)
                if (out.size() == before && theirChecked.contains(key) && !theirs.contains(key)) {
                    out.add(claimedBy(settings.id(), key, stored.id()));
                }
            }
        }
        return out.stream().distinct().toList();
    }

    /** A tenant configuration was saved: until it is handed over, what it claims is pending ({@link #pending}). */
    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (!TenantSettings.FACTORY_PID.equals(event.getFactoryPid())) {
            return;
        }
        if (event.getType() == ConfigurationEvent.CM_UPDATED) {
            pending.put(event.getPid(), System.nanoTime());
        } else if (event.getType() == ConfigurationEvent.CM_DELETED) {
            pending.remove(event.getPid());
        }
    }

    /** The settings of the tenant configurations saved and not handed over yet (see {@link #pending}). */
    private List<TenantSettings> pendingSettings() {
        if (pending.isEmpty()) {
            return List.of();
        }
        List<TenantSettings> out = new ArrayList<>();
        long now = System.nanoTime();
        for (Map.Entry<String, Long> p : pending.entrySet()) {
            if (now - p.getValue() > PENDING_MS * 1_000_000) {
                pending.remove(p.getKey(), p.getValue()); // never handed over (its delivery was merged with another)
                continue;
            }
            try {
                Configuration[] found = cm.listConfigurations("(" + Constants.SERVICE_PID + "=" + p.getKey() + ")");
                Dictionary<String, Object> stored = found == null || found.length == 0 ? null
                        : serv.core.internal.config.Configs.properties(found[0]);
                if (stored != null) {
                    out.add(TenantSettings.from(env.processed(stored)));
                }
            } catch (IOException | InvalidSyntaxException | IllegalArgumentException e) {
                // not readable, or refused for itself when it is handed over: it claims nothing
            }
        }
        return out;
    }

    /**
     * Why a tenant that is not running may not start with {@code next}: when its configuration was last applied
     * (before a restart, say) its data was in a database of its own and {@code next} puts it in a schema of the shared
     * default, or the other way round; null when not, or not known.
     */
    private String movedSinceApplied(TenantSettings next) {
        String was = applied.how(next.id());
        if (was == null || was.equals(AppliedTenants.how(next))) {
            return null;
        }
        if (next.ownsDatabase()) {
            return "tenant " + next.id() + ": key 'database_url': set, which would move the tenant from a schema "
                    + "of the shared database default, where its data was when it last ran, to a database of its own"
                    + " (its data would stay behind); remove database_url, or remove the tenant and add it again to"
                    + " move it";
        }
        return "tenant " + next.id() + ": key 'database_url': missing, which would move the tenant from the database"
                + " of its own it had when it last ran to schema " + next.schema() + " of the shared database default"
                + " (its data would stay behind); put database_url back, or remove the tenant and add it again to"
                + " move it";
    }

    /**
     * The tenant that had {@code claim} when the server last ran, when it is another than {@code id} and does not run:
     * while the stored tenants are being handed over (it may come after this one) or while its configuration is
     * refused (its hosts are held for it), the claim stays its. Null when it is free.
     */
    private String heldFor(String claim, String id) {
        String had = applied.ownerOf(claim);
        if (had == null || had.equals(id) || byId.containsKey(had)) {
            return null; // nobody's, this tenant's own, or a running tenant's (which the owners map answers for)
        }
        if (!loaded) {
            return had;
        }
        for (TenantTable.Held h : held.values()) {
            if (h.id().equals(had)) {
                return had;
            }
        }
        return null; // not stored any more: removed while the server was stopped
    }

    /** Once the tenants are loaded, what waited for a tenant that was not there yet is tried again. */
    private void retryWhenLoaded() {
        if (!retryWhenLoaded.compareAndSet(false, true)) {
            return;
        }
        try {
            clock.timer.schedule(this::lookAgain, RETRY_LOOK_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            retryWhenLoaded.set(false);
        }
    }

    private void lookAgain() {
        if (loading()) {
            try {
                clock.timer.schedule(this::lookAgain, RETRY_LOOK_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                retryWhenLoaded.set(false);
            }
            return;
        }
        retryWhenLoaded.set(false);
        synchronized (this) {
            retryWaiting();
        }
    }

    /**
     * Why {@code next} may not replace {@code live}'s settings: it moves the tenant between a database of its own
     * and a schema of the shared default (a file saved half-written, without its {@code database_url}, moved the
     * tenant's writes into schema {@code <id>} of default, and its own data out of sight); null when it does not.
     * A new URL of its own database, or a tenant of another id, is no such move.
     */
    static String moved(TenantSettings live, TenantSettings next) {
        if (!live.id().equals(next.id()) || live.ownsDatabase() == next.ownsDatabase()) {
            return null;
        }
        if (live.ownsDatabase()) {
            return "tenant " + next.id() + ": key 'database_url': missing, which would move the tenant from its own"
                    + " database to schema " + next.schema() + " of the shared database default (its data would stay"
                    + " behind); put database_url back, or remove the tenant and add it again to move it";
        }
        return "tenant " + next.id() + ": key 'database_url': set, which would move the tenant from schema "
                + live.schema() + " of the shared database default to a database of its own (its data would stay"
                + " behind); remove database_url, or remove the tenant and add it again to move it";
    }

    /**
     * Why the tenant's database would be one of the server's own (the {@code default} database's, or any other
     * database configured for the server, in the same schema, or in {@code public} of one of their databases), so
     * that the tenant would read and write the server's tables; null when it is not.
     */
    String serversDatabase(TenantSettings settings) {
        return identity(settings) == null ? null : serversDatabase(settings, serverDatabases(), home);
    }

    /** {@link #serversDatabase(TenantSettings)} with the server's databases given ({@link #serverDatabases()}). */
    static String serversDatabase(TenantSettings settings, Map<String, DatabaseIdentity> servers, Path home) {
        DatabaseIdentity mine = identity(settings, servers, home);
        if (mine == null) {
            return null;
        }
        for (Map.Entry<String, DatabaseIdentity> server : servers.entrySet()) {
            DatabaseIdentity theirs = server.getValue();
            if (!mine.sameDatabase(theirs) || mine.schema() != null && !mine.schema().equals(theirs.schema())) {
                continue;
            }
            if (settings.ownsDatabase()) {
                return "tenant " + settings.id() + ": key 'database_url': " + mine.describe() + " is the server's own"
                        + " database " + server.getKey() + (mine.schema() == null ? "" : ", in its schema")
                        + " (the tenant would read and write the server's tables); give the tenant a database of its"
                        + " own, or its own currentSchema in it";
            }
            return "tenant " + settings.id() + ": key 'database_schema': '" + settings.schema() + "' is where the"
                    + " server's own database " + server.getKey() + " has its tables (the tenant would read and write"
                    + " them); give the tenant a schema of its own (database_schema: t_" + settings.id().replace('-', '_')
                    + ")";
        }
        return null;
    }

    /**
     * Why a server database (configured without a tenant) may not have these settings: its database (or its schema)
     * is a running tenant's, or was one's when the server last ran (a restart starts the server's databases before
     * its tenants): the site's writes would land in the tenant's tables and the tenant's rows show on the site. The
     * same rule as {@link #serversDatabase}, seen from the server's side.
     */
    @Override
    public String refusal(Map<String, ?> settings) {
        Object url = settings.get("url");
        if (url == null || url.toString().isBlank()) {
            return null; // refused for that by the database layer
        }
        DatabaseIdentity theirs = DatabaseIdentity.of(url.toString().strip(), home);
        if (theirs == null) {
            return null;
        }
        Object schema = settings.get("schema");
        if (schema != null && !schema.toString().isBlank()) {
            theirs = theirs.inSchema(schema.toString().strip());
        }
        String tenant = null;
        for (LiveTenant t : byId.values()) {
            DatabaseIdentity mine = identity(t.settings());
            if (mine != null && mine.sameDatabase(theirs)
                    && (mine.schema() == null || mine.schema().equals(theirs.schema()))) {
                tenant = t.tenant().id();
                break;
            }
        }
        if (tenant == null) {
            tenant = applied.ownerOf("db:" + theirs.withoutSchema().key());
        }
        if (tenant == null && theirs.schema() != null) {
            tenant = applied.ownerOf("db:" + theirs.key());
        }
        if (tenant == null) {
            return null;
        }
        Object name = settings.get("name");
        return "database " + (name == null || name.toString().isBlank() ? "default" : name.toString().strip())
                + ": key 'url': " + theirs.describe() + " is tenant " + tenant + "'s database (the site's writes"
                + " would go into the tenant's tables, and its rows show on the site); give the server's database"
                + " one of its own, or its own schema in it";
    }

    /**
     * Where a tenant's data is: its own database's identity, or its schema in the shared default; null when that
     * cannot be said (no default, or a URL the database layer will refuse).
     */
    DatabaseIdentity identity(TenantSettings settings) {
        // The server's databases are read only for a schema tenant's (its own database's is its URL's).
        return identity(settings, settings.ownsDatabase() ? Map.of() : serverDatabases(), home);
    }

    private static DatabaseIdentity identity(TenantSettings settings, Map<String, DatabaseIdentity> servers,
            Path home) {
        if (settings.ownsDatabase()) {
            return DatabaseIdentity.of(String.valueOf(settings.ownDatabase().get("url")), home);
        }
        DatabaseIdentity shared = servers.get("default");
        return shared == null ? null : shared.inSchema(settings.schema());
    }

    /**
     * The keys of {@link #owners} a tenant may not take from another: its {@link #claims}, and the same data under
     * the other name: a database of its own that is the shared default in schema {@code s} is schema tenant
     * {@code s}'s, and the other way round.
     */
    private List<String> checked(TenantSettings settings) {
        return checked(settings, serverDatabases(), home);
    }

    private static List<String> checked(TenantSettings settings, Map<String, DatabaseIdentity> servers, Path home) {
        List<String> keys = claims(settings.tenant(), home);
        DatabaseIdentity shared = servers.get("default");
        if (shared == null) {
            return keys;
        }
        if (settings.ownsDatabase()) {
            DatabaseIdentity mine = identity(settings, servers, home);
            if (mine != null && mine.sameDatabase(shared) && mine.schema() != null) {
                keys.add("schema:" + mine.schema());
            }
        } else {
            keys.add("db:" + shared.inSchema(settings.schema()).key());
        }
        return keys;
    }

    /** The server's own databases changed: read again when next asked. */
    void serverDatabasesChanged() {
        serverDatabases = null;
    }

    /**
     * The server's own databases (configurations of {@code serv.database} without a {@code tenant}) as identities,
     * by name; a URL that cannot be read is left out (that database does not start).
     */
    Map<String, DatabaseIdentity> serverDatabases() {
        Map<String, DatabaseIdentity> s = serverDatabases;
        if (s == null) {
            s = new LinkedHashMap<>();
            try {
                Configuration[] found = cm.listConfigurations("(service.factoryPid=serv.database)");
                for (Configuration c : found == null ? new Configuration[0] : found) {
                    Dictionary<String, Object> stored = serv.core.internal.config.Configs.properties(c);
                    if (stored == null) {
                        continue;
                    }
                    addServerDatabase(s, env.processed(stored), home);
                }
            } catch (IOException | InvalidSyntaxException e) {
                LOG.warn("The server's databases could not be read: {}", e.toString());
            }
            s = Map.copyOf(s);
            serverDatabases = s;
        }
        return s;
    }

    /**
     * Adds to {@code into} the database of configuration {@code p} (its properties as a consumer gets them) by name,
     * when it is one of the server's (no {@code tenant}) and its URL can be read.
     */
    private static void addServerDatabase(Map<String, DatabaseIdentity> into, Map<String, ?> p, Path home) {
        Object tenant = p.get("tenant");
        if (tenant != null && !tenant.toString().isBlank()) {
            return;
        }
        Object name = p.get("name");
        Object url = p.get("url");
        DatabaseIdentity id = DatabaseIdentity.of(url == null || url.toString().isBlank()
                ? "sqlite:///data/app.db" : url.toString(), home); // the database's default URL
        if (id != null) {
            Object schema = p.get("schema");
            if (schema != null && !schema.toString().isBlank()) {
                id = id.inSchema(schema.toString().strip());
            }
            into.put(name == null || name.toString().isBlank() ? "default" : name.toString().strip(), id);
        }
    }

    /** A tenant's id ("id:" and it) and its {@link #claims}: what no two tenants may share. */
    private List<String> wants(Tenant t) {
        List<String> keys = claims(t);
        keys.add("id:" + t.id());
        return keys;
    }

    /** What a configuration may not take from another tenant: its {@link #checked} keys and its id. */
    private List<String> asks(TenantSettings settings) {
        List<String> keys = checked(settings);
        keys.add("id:" + settings.id());
        return keys;
    }

    /**
     * The hosts and path prefix a tenant answers, and its schema of the shared database or its own database (two
     * tenants in one would read and write each other's data), as keys of {@link #owners}.
     */
    List<String> claims(Tenant t) {
        return claims(t, home);
    }

    private static List<String> claims(Tenant t, Path home) {
        List<String> keys = new ArrayList<>(t.hosts().size() + 2);
        for (String h : t.hosts()) {
            keys.add("host:" + h);
        }
        if (t.pathPrefix() != null) {
            keys.add("prefix:" + t.pathPrefix());
        }
        if (t.schema() != null) {
            keys.add("schema:" + t.schema());
        }
        if (t.databaseUrl() != null) {
            // Its own database, whoever logs in to it and however its URL is written (DatabaseIdentity); a URL that
            // cannot be read, as written without its user (its database does not start).
            DatabaseIdentity id = DatabaseIdentity.of(t.databaseUrl(), home);
            keys.add(id != null ? "db:" + id.key()
                    : "url:" + t.databaseUrl().replaceFirst("//[^/@]*@", "//").toLowerCase(java.util.Locale.ROOT));
        }
        return keys;
    }

    /**
     * The rules a tenant is held to beside the other tenants and the server's own databases, for {@code serv config
     * validate} (no server, no Configuration Admin): the tenant configurations are taken in the order given, as this
     * registry applies them, each checked as {@link #apply} checks it against those applied before it (a database of
     * the server's, a host, path prefix, schema or database another tenant has), and as {@link TenantConfigCheck}
     * checks a schema tenant against the shared default ({@link #noSchema}). Unlike here, a tenant refused for such a
     * reason still claims what is free, so that every two tenants that share a host, path prefix, schema or database
     * are named at once (the server would name the second pair once the first is fixed). A configuration whose own
     * settings are wrong ({@link TenantSettings#from}) is left out: its own check says why. What was applied before a
     * restart ({@code data/applied-tenants}) is not looked at.
     *
     * @param home the server's home (relative SQLite paths are in it)
     * @param tenants the properties of the tenant configurations (references resolved, {@code id} set)
     * @param databases the properties of the database configurations (references resolved, {@code name} set), the
     *            embedded default included when the server would make it
     * @return the problems of each tenant, by id, in the words the server logs them ("tenant acme: key ..."); a
     *         tenant without any is not in it
     */
    public static Map<String, List<String>> offlineProblems(Path home, List<? extends Map<String, ?>> tenants,
            List<? extends Map<String, ?>> databases) {
        Path at = home.toAbsolutePath().normalize();
        Map<String, DatabaseIdentity> servers = new LinkedHashMap<>();
        Map<String, ?> shared = Map.of();
        for (Map<String, ?> d : databases) {
            addServerDatabase(servers, d, at);
            Object name = d.get("name");
            Object tenant = d.get("tenant");
            if ((name == null || name.toString().isBlank() || name.toString().strip().equals("default"))
                    && (tenant == null || tenant.toString().isBlank())) {
                shared = d;
            }
        }
        Map<String, String> owners = new HashMap<>();
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Map<String, ?> props : tenants) {
            TenantSettings settings;
            try {
                settings = TenantSettings.from(props);
            } catch (IllegalArgumentException e) {
                continue;
            }
            List<String> problems = new ArrayList<>();
            String server = serversDatabase(settings, servers, at);
            if (server != null) {
                problems.add(server);
            }
            for (String key : checked(settings, servers, at)) {
                String owner = owners.get(key);
                if (owner != null && !owner.equals(settings.id())) {
                    problems.add(claimedBy(settings.id(), key, owner));
                }
            }
            // Claimed even when refused: every two tenants that share something are named, not one of them at a time.
            claims(settings.tenant(), at).forEach(k -> owners.putIfAbsent(k, settings.id()));
            String noSchema = noSchema(settings, shared);
            if (noSchema != null) {
                problems.add(noSchema);
            }
            if (!problems.isEmpty()) {
                out.merge(settings.id(), problems.stream().distinct().toList(), (a, b) -> {
                    List<String> both = new ArrayList<>(a);
                    b.stream().filter(x -> !both.contains(x)).forEach(both::add);
                    return both;
                });
            }
        }
        return out;
    }

    /** Why tenant {@code id} may not have {@code claim} (a key of {@link #claims}): tenant {@code owner} has it. */
    static String claimedBy(String id, String claim, String owner) {
        String value = claim.substring(claim.indexOf(':') + 1);
        if (claim.startsWith("schema:")) {
            return "tenant " + id + ": key 'database_schema': '" + value + "' is tenant " + owner + "'s schema of the"
                    + " shared database (they would share their data); give each tenant its own schema";
        }
        if (claim.startsWith("db:")) {
            int hash = value.indexOf('#');
            String where = hash < 0 ? value : value.substring(0, hash) + " (schema " + value.substring(hash + 1) + ")";
            if (value.startsWith("sqlite:")) {
                where = "its SQLite file"; // the file's absolute path is the server's, not for an API's answer
            }
            return "tenant " + id + ": key 'database_url': " + where + " is tenant " + owner + "'s database (they"
                    + " would share their data); give each tenant its own database, or its own currentSchema in it";
        }
        if (claim.startsWith("url:")) {
            return "tenant " + id + ": key 'database_url': '" + value + "' is tenant " + owner + "'s database (they"
                    + " would share their data); give each tenant its own database, or its own currentSchema in it";
        }
        return "tenant " + id + ": key '" + (claim.startsWith("host:") ? "hosts" : "path_prefix") + "': '" + value
                + "' is tenant " + owner + "'s; give each tenant its own hosts and path prefix";
    }

    private void rebuildTable() {
        tableStale = true; // after byId changed: a reader that rebuilds sees the change
    }

    /** Which tenant a request belongs to; empty when no tenant is configured. */
    public TenantTable table() {
        if (tableStale) {
            synchronized (tableLock) {
                if (tableStale) {
                    tableStale = false;
                    List<Tenant> all = new ArrayList<>(byId.size());
                    byId.values().forEach(t -> all.add(t.tenant()));
                    table = TenantTable.of(all, held.values());
                }
            }
        }
        return table;
    }

    /** The share of the server of tenant {@code id}, or null when there is no such tenant. */
    public TenantGate gate(String id) {
        LiveTenant t = byId.get(id);
        return t == null ? null : t.gate();
    }

    /** The tenants' shares, by tenant id: for /metrics. */
    public Map<String, TenantGate> gates() {
        Map<String, TenantGate> out = new java.util.TreeMap<>();
        byId.forEach((id, t) -> out.put(id, t.gate()));
        return out;
    }

    /** How many tenants are configured (valid). */
    public int count() {
        return byId.size();
    }

    /**
     * Whether the server is still loading its tenants: the configuration sources are not applied yet, or a tenant
     * configuration stored in Configuration Admin was not handed to this registry yet (it hands them over one after
     * the other, on its own thread: ten thousand take a second or two after the server's start). Meanwhile a request
     * whose tenant is not loaded would be taken for one that selects no tenant, and answered by the server's own site
     * with the server's own databases (its writes going there), or by a tenant with a wider host or path prefix: the
     * dispatcher answers 503 with Retry-After instead, and /health says STARTING. Once loaded, loaded for good (a
     * tenant added later is applied in a moment, and says so), unless a configuration source is awaited
     * ({@link ConfigReconciler#awaited()}: a new node of a cluster that has not read its store): the tenants it holds
     * are not here, so the server is loading until it has them, however long that takes. After
     * {@value #LOAD_WAIT_S} s (counted from then) the server stops waiting and logs how many configurations were not
     * applied.
     */
    public boolean loading() {
        if (awaiting()) {
            return true;
        }
        if (loaded) {
            return false;
        }
        long now = System.nanoTime();
        if (now - lastLook < LOOK_EVERY_NS) {
            return true; // looked a moment ago (listing ten thousand configurations is not free)
        }
        synchronized (loadLock) {
            if (loaded || now - lastLook < LOOK_EVERY_NS) {
                return !loaded;
            }
            lastLook = now;
            ConfigReconciler sources = reconciler;
            int missing = sources != null && sources.applied() ? unappliedConfigurations() : -1;
            unapplied = missing;
            if (missing == 0) {
                loaded = true;
                LOG.info("Tenants: the {} configured are loaded, {} ms after the registry started", count(),
                        (now - activated) / 1_000_000);
            } else if (now - waitFrom > LOAD_WAIT_S * 1_000_000_000L) {
                loaded = true;
                LOG.warn("Tenants: {} stored tenant configurations were not applied within {} s of the start; serving"
                        + " without them (a request for them gets the server's own site or 404 until they are)",
                        missing < 0 ? "the" : missing, LOAD_WAIT_S);
            }
            return !loaded;
        }
    }

    /** Whether a configuration source is awaited ({@link ConfigReconciler#awaited()}): its tenants are to load. */
    private boolean awaiting() {
        ConfigReconciler sources = reconciler;
        if (sources == null || sources.awaited().isEmpty()) {
            return false;
        }
        loaded = false; // it came after the tenants were loaded (the cluster's bundle starts after this one)
        waitFrom = System.nanoTime();
        return true;
    }

    /** Why a request that may be a tenant's is answered 503 while {@link #loading()}. */
    public String loadingReason() {
        ConfigReconciler sources = reconciler;
        Map<String, String> awaited = sources == null ? Map.of() : sources.awaited();
        return awaited.isEmpty() ? "Serv is starting: its tenants are not all loaded yet"
                : "Serv is starting: " + String.join("; ", awaited.values());
    }

    /** Tenant configurations still to load, or -1 before the configuration sources were applied; 0 once loaded. */
    public int unapplied() {
        return loaded ? 0 : unapplied;
    }

    /** How many tenant configurations Configuration Admin holds that this registry was not handed yet. */
    private int unappliedConfigurations() {
        Configuration[] stored;
        try {
            stored = cm.listConfigurations("(" + ConfigurationAdmin.SERVICE_FACTORYPID + "="
                    + TenantSettings.FACTORY_PID + ")");
        } catch (IOException | InvalidSyntaxException e) {
            LOG.warn("Tenants: the stored configurations could not be listed: {}", e.toString());
            return 0; // nothing to wait for that can be known
        }
        Set<String> handed;
        synchronized (this) { // not between a refusal cleared and its tenant applied
            handed = new HashSet<>(byPid.keySet());
            handed.addAll(refused.keySet());
        }
        int missing = 0;
        for (Configuration c : stored == null ? new Configuration[0] : stored) {
            if (!handed.contains(c.getPid())) {
                missing++;
            }
        }
        return missing;
    }

    /** Whether a request that selects no tenant is answered by the server's own site (else 404 unknown tenant). */
    public boolean servesUnmatched() {
        return serveUnmatched;
    }

    /** The tenant {@code id} as it is now, or null. */
    LiveTenant live(String id) {
        return byId.get(id);
    }

    /** Opens the tenant's pool when it sleeps (its first request); true when it was asleep. */
    public boolean wakeForRequest(String id) {
        LiveTenant t = byId.get(id);
        return t != null && t.wake();
    }

    @Override
    public Map<String, String> refused() {
        return Map.copyOf(refused);
    }

    @Override
    public List<Tenant> list() {
        return byId.values().stream().map(LiveTenant::tenant).sorted(Comparator.comparing(Tenant::id)).toList();
    }

    /** Synchronized: a configuration being handed over ({@link #updated}) is applying until it is done. */
    @Override
    public synchronized boolean applying(String pid) {
        Long saved = pending.get(pid);
        return saved != null && System.nanoTime() - saved < PENDING_MS * 1_000_000;
    }

    @Override
    public Optional<Tenant> find(String id) {
        LiveTenant t = byId.get(id);
        return t == null ? Optional.empty() : Optional.of(t.tenant());
    }

    @Override
    public boolean awake(String id) {
        LiveTenant t = byId.get(id);
        return t != null && t.awake();
    }

    @Override
    public boolean wake(String id) {
        LiveTenant t = byId.get(id);
        if (t == null) {
            throw new IllegalArgumentException("no tenant " + id);
        }
        return t.wake();
    }

    /** The shared default database's configuration changed (or went): schema tenants follow it. */
    void sharedDefaultChanged() {
        sharedDefault = null;
        List<LiveTenant> all;
        synchronized (this) {
            all = new ArrayList<>(byPid.values());
        }
        for (LiveTenant t : all) {
            try {
                t.sharedDefaultChanged();
            } catch (RuntimeException e) {
                LOG.warn("Tenant {}: the new settings of database default could not be applied: {}", t.tenant().id(),
                        e.getMessage());
            }
        }
    }

    /** The settings of a tenant's database ({@link Databases#open}): its own, or a schema of the shared default. */
    private Map<String, Object> databaseSettings(TenantSettings t) {
        Map<String, Object> db = new LinkedHashMap<>();
        if (t.ownsDatabase()) {
            db.putAll(t.ownDatabase());
        } else {
            Map<String, Object> shared = sharedDefault();
            if (shared.isEmpty()) {
                throw new IllegalStateException("tenant " + t.id() + ": no 'database_url', and there is no shared"
                        + " database default to hold its schema; give the tenant a database_url");
            }
            SHARED.forEach(k -> {
                if (shared.get(k) != null) {
                    db.put(k, shared.get(k));
                }
            });
            db.put("schema", t.schema());
        }
        db.put("name", "default");
        db.put("tenant", t.id());
        db.put("min_size", t.poolSize());
        db.put("max_size", t.maxSize());
        db.put("guaranteed_connections", t.minConnections());
        // Idle connections go back to the server's connection budget soon (Hikari's shortest idle timeout), not
        // only when the whole pool closes after the tenant's idle_timeout.
        db.put("idle_timeout", 10);
        return db;
    }

    private Map<String, Object> sharedDefault() {
        Map<String, Object> s = sharedDefault;
        if (s == null) {
            s = Map.of();
            try {
                Configuration[] found = cm.listConfigurations(
                        "(&(service.factoryPid=serv.database)(name=default))");
                for (Configuration c : found == null ? new Configuration[0] : found) {
                    Dictionary<String, Object> p = serv.core.internal.config.Configs.properties(c);
                    Object tenant = p == null ? null : p.get("tenant");
                    if (p != null && (tenant == null || tenant.toString().isBlank())) {
                        s = env.processed(p);
                        break;
                    }
                }
            } catch (IOException | InvalidSyntaxException e) {
                LOG.warn("The shared database default could not be read: {}", e.toString());
            }
            sharedDefault = s;
        }
        return s;
    }
}
