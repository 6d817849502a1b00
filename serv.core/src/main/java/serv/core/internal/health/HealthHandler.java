package serv.core.internal.health;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;
import serv.core.runtime.RouteInfo;
import serv.core.runtime.RouteStatus;
import serv.core.runtime.Routes;
import serv.core.tenant.Tenant;
import serv.database.Database;
import serv.database.DatabaseState;
import serv.core.config.ConfigStore;
import serv.core.internal.config.ConfigReconciler;
import serv.core.config.Suggestions;
import serv.core.internal.server.GracefulShutdown;
import serv.core.internal.tenant.TenantRegistry;
import serv.core.security.OperatorLogin;
import serv.database.PoolStats;

/**
 * {@code GET /health}. On a tenant's host (or path prefix): that tenant's database only, and 503 when it is not up.
 * Anywhere else (the operator's and the load balancer's view): every open database, with what needs attention (a
 * refused change, a pending one, an extension whose migration failed, the configuration's warnings); 503 when one
 * of the server's own databases that a route uses is not up ({@link SiteDatabases}: one that no route uses is listed
 * {@code "unused": true} with a warning, and does not take the node out) or a database its routes name is not
 * configured ({@code NOT_CONFIGURED}) (a tenant's database that is down is listed, and does not take the node out),
 * 503 {@code STARTING} until the framework has started every bundle (before, an extension's routes may not be
 * there yet: "up" would send a load balancer or a script to routes that are not all there), until their migrations
 * have been checked or applied ({@code migrating}: the extensions whose routes wait for them), and until the stored
 * tenants are all loaded ({@code tenancy.loading}: how many are not yet) and no configuration source is awaited
 * ({@code waiting_for}, with the reason: a new cluster node that has not read its store yet, or whose cluster's
 * extensions are not started yet), and
 * 503 {@code DRAINING} while the server stops (so that a load balancer sends it nothing new while its
 * in-flight requests finish). In a cluster, the store's state ({@code cluster}): a store out of reach is reported
 * and does not take the node out, since it serves what it last applied.
 *
 * <p>All of that is the operator's: with {@code health.details: authorized} (PID {@value #PID}, the default), a
 * request without the operator's login (the Web Console's, asked through {@link OperatorLogin}) gets the same status
 * code and only {@link PublicHealth}'s summary; {@code always} shows everything to everyone.
 */
@Component(service = Handler.class, configurationPid = HealthHandler.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = HealthConfiguration.class)
@Route(path = "/health")
public final class HealthHandler implements Handler {

    static final String PID = "serv.health";
    static final String AUTHORIZED = "authorized";
    static final String ALWAYS = "always";
    private static final Logger LOG = LoggerFactory.getLogger(HealthHandler.class);

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<Database> databases = new CopyOnWriteArrayList<>();

    @Reference
    private ConfigReconciler configuration;

    @Reference
    private TenantRegistry tenants;

    @Reference
    private GracefulShutdown shutdown;

    /** The cluster's store, when this server is part of a cluster. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigStore cluster;

    private static final int MAX_TENANT_WARNINGS = 20;

    /** The operator's login (serv.console's), when a bundle provides it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile OperatorLogin login;

    private volatile BundleContext context;
    /** Whether every client sees the details ({@code details: always}). */
    private volatile boolean detailsForAll;

    /** Once /health found the server started (not STARTING), a later look does not go back to STARTING. */
    private volatile boolean started;

    @Activate
    void activate(BundleContext context, HealthConfiguration config) {
        this.context = context;
        modified(config);
    }

    @Modified
    void modified(HealthConfiguration config) {
        String details = config.details() == null || config.details().isBlank() ? AUTHORIZED
                : config.details().strip();
        if (!details.equals(AUTHORIZED) && !details.equals(ALWAYS)) {
            LOG.error("{}: key 'details': '{}' is neither {} nor {}; keeping {}", PID, details, AUTHORIZED, ALWAYS,
                    detailsForAll ? ALWAYS : AUTHORIZED);
            return;
        }
        detailsForAll = details.equals(ALWAYS);
        LOG.info("Health: /health shows its details {}", detailsForAll ? "to every client (details: always)"
                : "to the operator only (the Web Console's login)");
    }

    @Override
    public void handle(Request request, Response response) {
        String tenant = request.tenant().orElse(null);
        boolean up = true;
        Map<String, Object> entries = new LinkedHashMap<>();
        List<Database> sorted = databases.stream()
                .filter(d -> tenant == null || tenant.equals(d.tenant().orElse(null)))
                .sorted(Comparator.comparing((Database d) -> d.tenant().orElse("")).thenComparing(Database::name))
                .toList();
        List<RouteInfo> routes = routes();
        Map<String, DatabaseState> shared = new TreeMap<>();
        for (Database db : sorted) {
            if (db.tenant().isEmpty()) {
                shared.put(db.name(), db.state());
            }
        }
        // The server's view: a shared database that is down counts only when a route uses it (SiteDatabases says
        // why); a tenant's never does. A tenant's view (shared is empty): its databases, each of them.
        SiteDatabases.Verdict verdict = SiteDatabases.judge(shared, routes);
        up &= verdict.up();
        for (Database db : sorted) {
            // a shared one's state as judged above (read once)
            DatabaseState state = db.tenant().isEmpty() ? shared.get(db.name()) : db.state();
            if (tenant != null) {
                up &= state == DatabaseState.UP;
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("state", state.name());
            if (db.tenant().isEmpty() && verdict.unused().containsKey(db.name())) {
                entry.put("unused", true); // not UP, and no route uses it: it does not take the node out
            }
            db.tenant().ifPresent(t -> entry.put("tenant", t));
            db.dialect().ifPresent(d -> entry.put("dialect", d.id()));
            db.reason().ifPresent(r -> entry.put("reason", r));
            db.rejectedChange().ifPresent(r -> entry.put("rejected_change", r));
            db.pendingChange().ifPresent(r -> entry.put("pending_change", r));
            if (!db.failedExtensions().isEmpty()) {
                entry.put("failed_extensions", db.failedExtensions());
            }
            PoolStats stats = db.stats();
            Map<String, Object> pool = new LinkedHashMap<>();
            pool.put("active", stats.active());
            pool.put("idle", stats.idle());
            pool.put("pending", stats.pending());
            pool.put("max", stats.max());
            entry.put("pool", pool);
            entries.put(tenant != null ? db.name() : db.tenant().map(t -> t + "/").orElse("") + db.name(), entry);
        }
        if (tenant == null) {
            up &= notConfigured(entries, routes);
        } else {
            up &= notConfiguredFor(tenant, entries, routes);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        boolean draining = shutdown.draining();
        boolean loadingTenants = tenants.loading(); // asked first: it updates the count shown below
        List<String> migrating = migratingAtStart(routes);
        boolean starting = shutdown.starting() || loadingTenants || !migrating.isEmpty();
        if (!starting) {
            started = true;
        }
        String status = draining ? "DRAINING" : starting ? "STARTING" : up ? "UP" : "DOWN";
        body.put("status", status);
        up &= !draining && !starting;
        response.status(up ? 200 : 503).header("Cache-Control", "no-store").header("Vary", "Authorization");
        if (!detailsForAll) {
            OperatorLogin operator = login;
            OperatorLogin.Check check = operator == null ? null
                    : operator.check(request.header("Authorization"), MetricsHandler.client(request));
            if (check == null || !check.operator()) {
                ConfigStore store = tenant == null ? cluster : null;
                response.json(PublicHealth.body(status, entries, tenant != null, store == null ? null : store.status(),
                        PublicHealth.details(check)));
                return;
            }
        }
        if (!migrating.isEmpty()) {
            body.put("migrating", migrating);
        }
        Map<String, String> awaited = configuration.awaited();
        if (!awaited.isEmpty()) {
            body.put("waiting_for", awaited); // by configuration source: what this server needs of it first
        }
        body.put("databases", entries);
        ConfigStore store = cluster;
        if (tenant == null && store != null) {
            // the store out of reach does not take the node out: it serves what it last applied
            body.put("cluster", store.status());
        }
        if (tenant == null) {
            Map<String, Object> config = new LinkedHashMap<>();
            List<String> warnings = new ArrayList<>(configuration.warnings());
            // STARTING is on its way (listed "unused" all the same); a failed or retrying one needs the operator
            verdict.unused().forEach((name, state) -> {
                if (state == DatabaseState.FAILED || state == DatabaseState.RETRYING) {
                    warnings.add(SiteDatabases.warning(name, state));
                }
            });
            List<Tenant> all = tenants.list(); // read once: ten thousand tenants are a sorted copy each time
            warnings.addAll(unknownTenantExtensions(all));
            warnings.addAll(tenantsWithoutRouteDatabases(all, routes));
            if (!warnings.isEmpty()) {
                config.put("warnings", warnings);
            }
            if (!configuration.overridden().isEmpty()) {
                config.put("edited_in_console", configuration.overridden());
            }
            if (!tenants.refused().isEmpty()) {
                config.put("refused_tenants", tenants.refused());
            }
            if (!config.isEmpty()) {
                body.put("configuration", config);
            }
            int loading = tenants.unapplied();
            if (!tenants.table().isEmpty() || loading != 0) {
                Map<String, Object> tenancy = new LinkedHashMap<>();
                tenancy.put("tenants", tenants.count());
                if (loading != 0) {
                    tenancy.put("loading", loading >= 0 ? loading : awaited.isEmpty()
                            ? "waiting for the configuration files"
                            : "waiting for configuration source " + String.join(", ", awaited.keySet()));
                }
                tenancy.put("unmatched", tenants.servesUnmatched() ? "site" : "reject");
                body.put("tenancy", tenancy);
            }
        }
        response.json(body);
    }

    /**
     * A tenant whose {@code extensions} name one that is not installed (a typo: {@code serv.blgo}) has none of its
     * routes, which answer 404 on the tenant's hosts: said here, with the closest installed name. Checked at each
     * look, since an extension may be deployed after its tenants are configured.
     */
    private List<String> unknownTenantExtensions(List<Tenant> all) {
        BundleContext ctx = context;
        if (ctx == null || all.stream().allMatch(t -> t.extensions().isEmpty())) {
            return List.of();
        }
        Set<String> installed = new TreeSet<>();
        for (Bundle b : ctx.getBundles()) {
            if (b.getSymbolicName() != null) {
                installed.add(b.getSymbolicName());
            }
        }
        List<String> out = new ArrayList<>();
        int more = 0;
        for (Tenant t : all) {
            for (String e : t.extensions()) {
                if (installed.contains(e)) {
                    continue;
                }
                if (out.size() == MAX_TENANT_WARNINGS) {
                    more++;
                    continue;
                }
                out.add("tenant " + t.id() + ": extensions names " + e + ", which is not installed: the tenant has"
                        + " none of its routes (404) until it is" + Suggestions.hint(e, installed));
            }
        }
        if (more > 0) {
            out.add("and " + more + " more tenant extensions that are not installed");
        }
        return out;
    }

    /**
     * At a start, until /health first finds the server started: the extensions whose routes wait for their
     * migrations (a check of what is applied, on a restart too). The framework has started them and their routes
     * are bound, but they answer 503 until the run is done: "UP" then would send a load balancer (or a script that
     * waits for the server) to them. After the start, an extension deployed with migrations does not take the
     * server out: its own routes answer 503 meanwhile, as they say.
     */
    private List<String> migratingAtStart(List<RouteInfo> routes) {
        if (started) {
            return List.of();
        }
        Set<String> waiting = new TreeSet<>();
        for (RouteInfo info : routes) {
            if (info.status() == RouteStatus.WAITING_FOR_MIGRATIONS) {
                waiting.add(info.extension());
            }
        }
        return List.copyOf(waiting);
    }

    /**
     * The routes, asked for at each look, not bound: the dispatcher that provides them binds this handler while it
     * activates, and a reference back to it is a cycle that SCR logs as an error.
     */
    private List<RouteInfo> routes() {
        BundleContext ctx = context;
        ServiceReference<Routes> ref = ctx == null ? null : ctx.getServiceReference(Routes.class);
        Routes r = ref == null ? null : ctx.getService(ref);
        if (r == null) {
            return List.of();
        }
        try {
            return r.routes();
        } finally {
            ctx.ungetService(ref);
        }
    }

    /**
     * A tenant's databases other than its {@code default} (its own, or its schema) are configurations of their own
     * ({@code serv.database} with {@code tenant}); an extension whose {@code database} setting names another one has
     * routes that answer 503 on the tenant's hosts while the tenant has none of that name. On the tenant's own
     * {@code /health}: listed {@code NOT_CONFIGURED}, and the tenant is not up. Whether none is missing.
     */
    private boolean notConfiguredFor(String tenant, Map<String, Object> entries, List<RouteInfo> routes) {
        Tenant t = tenants.find(tenant).orElse(null);
        if (t == null) {
            return true;
        }
        Map<String, Set<String>> missing = missingFor(t, routes,
                tenantDatabaseNames().getOrDefault(tenant, Set.of()));
        missing.forEach((name, extensions) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("state", "NOT_CONFIGURED");
            entry.put("reason", "the routes of " + String.join(", ", extensions) + " use it and answer 503 here");
            entries.putIfAbsent(name, entry);
        });
        return missing.isEmpty();
    }

    /** The site's view of {@link #notConfiguredFor}: which tenants lack which database their routes use. */
    private List<String> tenantsWithoutRouteDatabases(List<Tenant> all, List<RouteInfo> routes) {
        if (routes.stream().allMatch(r -> r.database().isEmpty() || r.database().equals("default"))) {
            return List.of();
        }
        Map<String, Set<String>> byTenantName = tenantDatabaseNames();
        Map<String, List<String>> lacking = new TreeMap<>(); // "database|extensions" -> tenants
        for (Tenant t : all) {
            missingFor(t, routes, byTenantName.getOrDefault(t.id(), Set.of())).forEach((name, extensions) -> lacking
                    .computeIfAbsent(name + "|" + String.join(", ", extensions), k -> new ArrayList<>()).add(t.id()));
        }
        List<String> out = new ArrayList<>();
        lacking.forEach((key, ids) -> {
            String name = key.substring(0, key.indexOf('|'));
            String extensions = key.substring(key.indexOf('|') + 1);
            out.add("database " + name + ": the routes of " + extensions + " use it, and " + ids.size() + " tenant"
                    + (ids.size() == 1 ? "" : "s") + " (" + String.join(", ", ids.subList(0, Math.min(5, ids.size())))
                    + (ids.size() > 5 ? ", ..." : "") + ") " + (ids.size() == 1 ? "has" : "have") + " none: on their"
                    + " hosts those routes answer 503; configure"
                    + " a database " + name + " for each tenant (serv.database with tenant: <id>), or give "
                    + extensions + " the database default");
        });
        return out;
    }

    /** The databases other than default that routes of {@code t}'s extensions use and {@code t} has not. */
    private static Map<String, Set<String>> missingFor(Tenant t, List<RouteInfo> routes, Set<String> has) {
        Map<String, Set<String>> missing = new TreeMap<>();
        for (RouteInfo info : routes) {
            if (info.database().isEmpty() || info.database().equals("default") || has.contains(info.database())
                    || info.status() == RouteStatus.EXTENSION_STOPPED
                    || !t.extensions().isEmpty() && !t.extensions().contains(info.extension())) {
                continue;
            }
            missing.computeIfAbsent(info.database(), k -> new TreeSet<>()).add(info.extension());
        }
        return missing;
    }

    /** The names of the tenants' open databases, by tenant id. */
    private Map<String, Set<String>> tenantDatabaseNames() {
        Map<String, Set<String>> out = new java.util.HashMap<>();
        for (Database db : databases) {
            db.tenant().ifPresent(t -> out.computeIfAbsent(t, k -> new java.util.HashSet<>()).add(db.name()));
        }
        return out;
    }

    /**
     * Lists the databases that routes of the server's site name and that are not configured (an operator removed or
     * mistyped {@code default}): those routes answer 503, so the server is not up either. Whether none is missing.
     */
    private boolean notConfigured(Map<String, Object> entries, List<RouteInfo> routes) {
        Map<String, Set<String>> missing = new TreeMap<>();
        for (RouteInfo info : routes) {
            if (info.status() == RouteStatus.DATABASE_NOT_CONFIGURED) {
                missing.computeIfAbsent(info.database(), k -> new TreeSet<>()).add(info.extension());
            }
        }
        missing.forEach((name, extensions) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("state", "NOT_CONFIGURED");
            entry.put("reason", "the routes of " + String.join(", ", extensions) + " use it and answer 503:"
                    + " configure it (databases." + name + ".url), or set their extension's database to one that is");
            entries.putIfAbsent(name, entry);
        });
        return missing.isEmpty();
    }
}
