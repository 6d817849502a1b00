package serv.console.internal;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import serv.core.config.ConfigStatus;
import serv.core.runtime.RouteInfo;
import serv.core.runtime.Routes;
import serv.core.runtime.Traffic;
import serv.core.tenant.Tenant;
import serv.core.tenant.Tenants;
import serv.database.Database;
import serv.database.DatabaseState;
import serv.database.MigrationException;
import serv.database.Migrations;
import serv.database.PoolStats;

/**
 * What the admin API, the console's Serv pages and the shell show: the server, its databases (the tenants'
 * included), tenants, routes and extensions, and what needs an operator's attention, as plain maps and lists ready to
 * be written as JSON or as a table. Reads only; nothing here changes the server. Passwords never appear: databases
 * are described by their URL without credentials.
 */
@Component(service = Facts.class)
public final class Facts {

    /** A password written inside a URL ({@code user:secret@host}) or as a parameter. */
    private static final Pattern URL_PASSWORD = Pattern.compile("(//[^/@:]*):[^/@]*@");
    private static final Pattern PARAM_PASSWORD = Pattern.compile("(?i)([?&]password=)[^&]*");

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<Database> databases = new CopyOnWriteArrayList<>();

    private final BundleContext context;
    private final ConfigurationAdmin cm;
    private final Routes routes;
    private final Traffic traffic;
    private final Tenants tenants;
    private final ConfigStatus config;
    private final Migrations migrations;
    private final TrafficRates rates;
    private final Extensions extensions;

    /** The cluster's store, when this server is part of a cluster. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile serv.core.config.ConfigStore cluster;

    /**
     * The cluster as this server sees it: its store's state and the nodes (id, address, version, heartbeat, the
     * version each applied, their databases' states); {@code clustered: false} for a server on its own.
     */
    Map<String, Object> cluster() {
        serv.core.config.ConfigStore store = cluster;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("clustered", store != null);
        if (store != null) {
            Map<String, Object> status = store.status();
            out.put("status", status);
            List<Map<String, Object>> nodes = new ArrayList<>();
            for (Map<String, Object> n : store.nodes()) {
                Map<String, Object> node = new LinkedHashMap<>(n);
                Object age = n.get("heartbeat_age_s");
                boolean alive = age instanceof Number a && a.doubleValue() < 5;
                node.put("state", !alive ? "GONE" : n.get("applied_version").equals(status.get("version"))
                        ? "UP_TO_DATE" : "BEHIND");
                nodes.add(node);
            }
            out.put("nodes", nodes);
        }
        return out;
    }

    @Activate
    public Facts(BundleContext context, @Reference ConfigurationAdmin cm, @Reference Routes routes,
            @Reference Traffic traffic, @Reference Tenants tenants, @Reference ConfigStatus config,
            @Reference Migrations migrations, @Reference TrafficRates rates, @Reference Extensions extensions) {
        this.context = context;
        this.cm = cm;
        this.routes = routes;
        this.traffic = traffic;
        this.tenants = tenants;
        this.config = config;
        this.migrations = migrations;
        this.rates = rates;
        this.extensions = extensions;
    }

    // ---- overview -----------------------------------------------------------------------------------------

    Map<String, Object> overview() {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> server = new LinkedHashMap<>();
        Instant started = traffic.started();
        server.put("version", context.getBundle().getVersion().toString());
        server.put("started_at", started.toString());
        server.put("uptime_seconds", Duration.between(started, Instant.now()).toSeconds());
        server.put("java", System.getProperty("java.version"));
        String home = context.getProperty("serv.home");
        server.put("home", java.nio.file.Path.of(home == null ? "." : home).toAbsolutePath().normalize().toString());
        out.put("server", server);
        List<Tenant> all = tenants.list();
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("count", all.size());
        t.put("awake", all.stream().filter(x -> tenants.awake(x.id())).count());
        out.put("tenants", t);
        List<Map<String, Object>> dbs = new ArrayList<>();
        for (Database db : sorted()) {
            if (db.tenant().isEmpty() || db.state() != DatabaseState.UP) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("name", db.name());
                d.put("tenant", db.tenant().orElse(null));
                d.put("state", db.state().name());
                d.put("reason", db.reason().orElse(null));
                dbs.add(d);
            }
        }
        out.put("databases", dbs);
        out.put("traffic", rates.now());
        if (cluster != null) {
            out.put("cluster", cluster.status());
        }
        out.put("attention", attention());
        return out;
    }

    /** Everything that needs an operator, with the reason and where to look. */
    List<Map<String, Object>> attention() {
        List<Map<String, Object>> out = new ArrayList<>();
        serv.core.config.ConfigStore store = cluster;
        if (store != null) {
            Map<String, Object> status = store.status();
            if (!"CONNECTED".equals(status.get("store"))) {
                out.add(item("cluster", String.valueOf(status.get("name")), "the cluster's store cannot be reached"
                        + " since " + status.get("unreachable_since") + " (" + status.get("reason") + "); this node"
                        + (Boolean.TRUE.equals(status.get("never_read"))
                                ? " has never read it, so it serves none of the cluster's configuration (routes with"
                                        + " a database answer 503) until it has"
                                : " serves what it applied last (version " + status.get("applied_version") + ")"),
                        "serv-cluster"));
            }
            if (status.get("key") != null) {
                out.add(item("cluster", String.valueOf(status.get("name")), status.get("key").toString(),
                        "serv-cluster"));
            }
        }
        Map<String, Set<String>> inUse = null; // the routes, listed once and only when a database is down
        for (Database db : sorted()) {
            String label = label(db);
            String link = "databases#" + label;
            DatabaseState state = db.state();
            if (state == DatabaseState.FAILED || state == DatabaseState.RETRYING) {
                String effect = "";
                if (db.tenant().isEmpty()) {
                    // as /health judges it: a shared database down takes the node out only when a route uses it
                    inUse = inUse != null ? inUse : RouteInfo.databasesInUse(routes.routes());
                    Set<String> users = inUse.get(db.name());
                    effect = users == null ? "; no route uses it, so /health stays UP (once a route uses it, /health"
                            + " is DOWN while it is not UP): fix its settings, or remove it while nothing needs it"
                            : "; the routes of " + String.join(", ", users) + " use it and answer 503, so /health is"
                                    + " DOWN";
                }
                out.add(item("database", label, "database " + label + " is " + state
                        + db.reason().map(r -> ": " + r).orElse("") + effect, link));
            }
            db.rejectedChange().ifPresent(r -> out.add(item("rejected change", label, r, link)));
            db.pendingChange().filter(p -> p.startsWith("the new settings do not serve"))
                    .ifPresent(p -> out.add(item("pending change", label, p, link)));
            Map<String, String> held = db.heldBackExtensions();
            db.failedExtensions().forEach((bsn, why) -> out.add(item(held.containsKey(bsn)
                    ? "migrations rolled back" : "failed migration", bsn, why, link)));
        }
        tenants.refused().forEach((pid, why) -> out.add(item("refused tenant", pid, why, "tenants")));
        for (String w : config.warnings()) {
            // deploy/'s warnings start with the jar they are about: "deploy/x.jar: ..." or "deploy/x.jar and ..."
            out.add(w.startsWith("deploy/") ? item("deploy", w.split("[: ]", 2)[0], w, "extensions")
                    : item("configuration", "serv.config.yaml / etc", w, "configMgr"));
        }
        extensions.ownPartsNotRunning().forEach((bsn, why) -> out.add(item("serv", bsn, why, "bundles")));
        for (Map<String, Object> e : extensions.list()) {
            if (e.get("problem") != null) {
                out.add(item("extension", (String) e.get("symbolic_name"), (String) e.get("problem"),
                        "extensions#" + e.get("symbolic_name")));
            }
        }
        return out;
    }

    private static Map<String, Object> item(String kind, String subject, String message, String link) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("subject", subject);
        m.put("message", message);
        m.put("link", link);
        return m;
    }

    // ---- databases ----------------------------------------------------------------------------------------

    List<Database> sorted() {
        return databases.stream()
                .sorted(Comparator.comparing((Database d) -> d.tenant().orElse("")).thenComparing(Database::name))
                .toList();
    }

    /** {@code name}, or {@code tenant/name} for a tenant's. */
    static String label(Database db) {
        return db.tenant().map(t -> t + "/").orElse("") + db.name();
    }

    Optional<Database> database(String name, String tenant) {
        return databases.stream().filter(d -> d.name().equals(name)
                && (tenant == null || tenant.isEmpty() ? d.tenant().isEmpty() : tenant.equals(d.tenant().orElse(null))))
                .findFirst();
    }

    List<Map<String, Object>> databases() {
        Map<String, Configuration> configs = databaseConfigurations();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Database db : sorted()) {
            out.add(database(db, configs));
        }
        return out;
    }

    Map<String, Object> database(Database db, Map<String, Configuration> configs) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", db.name());
        d.put("tenant", db.tenant().orElse(null));
        d.put("label", label(db));
        d.put("state", db.state().name());
        d.put("reason", db.reason().orElse(null));
        d.put("dialect", db.dialect().map(x -> x.id()).orElse(null));
        Configuration c = db.tenant().isPresent() ? null : configs.get(db.name());
        Dictionary<String, Object> props = c == null ? null : properties(c);
        d.put("url", props == null || props.get("url") == null ? null : withoutPassword(props.get("url").toString()));
        d.put("source", db.tenant().isPresent() ? "tenant " + db.tenant().get() : source(c));
        d.put("pid", c == null ? null : c.getPid());
        PoolStats s = db.stats();
        Map<String, Object> pool = new LinkedHashMap<>();
        pool.put("active", s.active());
        pool.put("idle", s.idle());
        pool.put("pending", s.pending());
        pool.put("max", s.max());
        d.put("pool", pool);
        d.put("acquired", s.acquired());
        d.put("acquire_ms_avg", s.acquired() == 0 ? 0.0 : Math.round(s.acquireNanos() / 1e4 / s.acquired()) / 100.0);
        d.put("timeouts", s.timeouts());
        d.put("pending_change", db.pendingChange().orElse(null));
        d.put("rejected_change", db.rejectedChange().orElse(null));
        d.put("failed_extensions", db.failedExtensions());
        return d;
    }

    /** The database's migration history, one row per migration, with whether its script is still the deployed one. */
    List<Map<String, Object>> migrations(Database db) throws ApiException {
        if (db.state() != DatabaseState.UP) {
            throw new ApiException(503, "database " + label(db) + " is " + db.state() + ": its history cannot be read");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        try {
            for (Migrations.Applied a : migrations.applied(db)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("extension", a.extension());
                m.put("version", a.version());
                m.put("description", a.description());
                m.put("applied_at", a.appliedAt() == null ? null : a.appliedAt().toString());
                m.put("duration_ms", a.durationMs());
                m.put("checksum", a.checksum());
                m.put("script", a.script().name());
                out.add(m);
            }
        } catch (MigrationException e) {
            throw new ApiException(503, MigrationErrors.describe("reading the migrations of database " + label(db),
                    e));
        }
        return out;
    }

    /**
     * A configuration's properties; null when it has none yet or was deleted since it was listed (Configuration Admin
     * then throws IllegalStateException: a tenant removed on one thread while another lists them).
     */
    static Dictionary<String, Object> properties(Configuration c) {
        try {
            return c.getProperties();
        } catch (IllegalStateException deleted) {
            return null;
        }
    }

    /** The configurations of the server's own databases, by database name. */
    Map<String, Configuration> databaseConfigurations() {
        Map<String, Configuration> out = new TreeMap<>();
        for (Configuration c : list("(service.factoryPid=serv.database)")) {
            Dictionary<String, Object> p = properties(c);
            Object tenant = p == null ? null : p.get("tenant");
            if (p != null && (tenant == null || tenant.toString().isBlank())) {
                out.put(String.valueOf(p.get("name") == null ? "default" : p.get("name")), c);
            }
        }
        return out;
    }

    /** Where a configuration comes from: a file, the console over a file, or the console (or admin API) alone. */
    String source(Configuration c) {
        if (c == null) {
            return null;
        }
        Dictionary<String, Object> p = properties(c);
        Object source = p == null ? null : p.get(".serv.source");
        if (source == null) {
            return "console";
        }
        if ("serv.embedded".equals(source)) {
            return "built-in default (a new server's embedded database)";
        }
        return config.overridden().containsKey(c.getPid()) ? "console, over " + source : source.toString();
    }

    List<Configuration> list(String filter) {
        try {
            Configuration[] found = cm.listConfigurations(filter);
            return found == null ? List.of() : List.of(found);
        } catch (IOException | InvalidSyntaxException e) {
            return List.of();
        }
    }

    static String withoutPassword(String url) {
        return PARAM_PASSWORD.matcher(URL_PASSWORD.matcher(url).replaceFirst("$1@")).replaceAll("$1***");
    }

    // ---- tenants ------------------------------------------------------------------------------------------

    List<Map<String, Object>> tenants() {
        return tenants(0, Integer.MAX_VALUE, null).page();
    }

    /** A page of tenants (by id; those whose id, name or host contains {@code q}), and how many match. */
    record TenantPage(List<Map<String, Object>> page, int total) {
    }

    TenantPage tenants(int offset, int limit, String q) {
        List<Tenant> matching = new ArrayList<>();
        String needle = q == null || q.isBlank() ? null : q.strip().toLowerCase(java.util.Locale.ROOT);
        for (Tenant t : tenants.list()) {
            if (needle == null || t.id().contains(needle) || t.name().toLowerCase(java.util.Locale.ROOT)
                    .contains(needle) || t.hosts().stream().anyMatch(h -> h.contains(needle))) {
                matching.add(t);
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        int from = Math.min(Math.max(0, offset), matching.size());
        int to = (int) Math.min(matching.size(), (long) from + Math.max(0, limit));
        if (to > from) {
            List<Tenant> page = matching.subList(from, to);
            Map<String, Configuration> configs = tenantConfigurations(page.stream().map(Tenant::id).toList());
            for (Tenant t : page) {
                out.add(tenant(t, configs.get(t.id())));
            }
        }
        return new TenantPage(out, matching.size());
    }

    Map<String, Object> tenant(Tenant t, Configuration c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("name", t.name());
        m.put("hosts", t.hosts());
        m.put("path_prefix", t.pathPrefix());
        m.put("extensions", t.extensions().stream().sorted().toList());
        Map<String, Object> database = new LinkedHashMap<>();
        if (t.databaseUrl() != null) {
            database.put("url", t.databaseUrl());
        } else {
            database.put("schema", t.schema());
        }
        m.put("database", database);
        m.put("idle_timeout", t.idleTimeoutSeconds());
        boolean awake = tenants.awake(t.id());
        m.put("awake", awake);
        Optional<Database> db = database("default", t.id());
        m.put("state", db.map(d -> d.state().name()).orElse(awake ? "STARTING" : "ASLEEP"));
        m.put("reason", db.flatMap(Database::reason).orElse(null));
        db.ifPresent(d -> {
            PoolStats s = d.stats();
            Map<String, Object> pool = new LinkedHashMap<>();
            pool.put("active", s.active());
            pool.put("idle", s.idle());
            pool.put("pending", s.pending());
            pool.put("max", s.max());
            m.put("pool", pool);
        });
        m.put("source", source(c));
        m.put("pid", c == null ? null : c.getPid());
        return m;
    }

    /**
     * Tenant {@code id} as {@code GET tenants/{id}} shows it: the running tenant (with {@code refused_change} when a
     * new configuration of it was refused: it goes on with the previous one), or, when none runs from its stored
     * configuration, that configuration as stored with {@code state} REFUSED and the {@code reason} (as the list's
     * {@code refused} says it), or PENDING while it is being applied. Empty when it has no configuration either.
     */
    Optional<Map<String, Object>> tenant(String id) {
        Configuration c = tenantConfiguration(id);
        Map<String, String> refused = tenants.refused();
        String why = c == null ? null : refused.get(c.getPid());
        Optional<Tenant> running = tenants.find(id);
        if (running.isPresent()) {
            Map<String, Object> m = tenant(running.get(), c);
            if (why != null) {
                m.put("refused_change", why);
            }
            return Optional.of(m);
        }
        Dictionary<String, Object> p = c == null ? null : properties(c);
        if (p == null) {
            return Optional.empty();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("name", p.get("name") == null ? id : p.get("name").toString());
        m.put("hosts", strings(p.get("hosts")));
        m.put("path_prefix", p.get("path_prefix") == null ? null : p.get("path_prefix").toString());
        m.put("extensions", strings(p.get("extensions")).stream().sorted().toList());
        Map<String, Object> database = new LinkedHashMap<>();
        if (p.get("database_url") != null) {
            database.put("url", withoutPassword(p.get("database_url").toString()));
        } else {
            Object schema = p.get("database_schema");
            database.put("schema", schema == null ? id.replace('-', '_') : schema.toString());
        }
        m.put("database", database);
        m.put("idle_timeout", p.get("idle_timeout") == null ? null : p.get("idle_timeout").toString());
        m.put("awake", false);
        m.put("state", why == null ? "PENDING" : "REFUSED");
        m.put("reason", why == null ? "its configuration is being applied" : why);
        m.put("source", source(c));
        m.put("pid", c.getPid());
        return Optional.of(m);
    }

    /** A stored list (an array, or text with commas as an etc/ file writes it), as a list of its items. */
    private static List<String> strings(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof String[] array) {
            for (String s : array) {
                out.addAll(List.of(s.split(",")));
            }
        } else if (value instanceof java.util.Collection<?> c) {
            c.forEach(v -> out.addAll(List.of(String.valueOf(v).split(","))));
        } else if (value != null) {
            out.addAll(List.of(value.toString().split(",")));
        }
        out.replaceAll(String::strip);
        out.removeIf(String::isEmpty);
        return out;
    }

    /**
     * The configurations of the tenants {@code ids}, by tenant id. Only these are asked for: Configuration Admin
     * copies the properties of every configuration it returns, and there may be thousands of tenants.
     */
    Map<String, Configuration> tenantConfigurations(java.util.Collection<String> ids) {
        Map<String, Configuration> out = new TreeMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        StringBuilder filter = new StringBuilder("(&(service.factoryPid=serv.tenant)(|");
        for (String id : ids) {
            filter.append("(id=").append(filterValue(id)).append(')');
        }
        for (Configuration c : list(filter.append("))").toString())) {
            Dictionary<String, Object> p = properties(c);
            if (p != null && p.get("id") != null) {
                out.put(p.get("id").toString(), c);
            }
        }
        return out;
    }

    /** The configuration of tenant {@code id}, or null when it has none. */
    Configuration tenantConfiguration(String id) {
        return tenantConfigurations(List.of(id)).get(id);
    }

    /** A value as an LDAP filter reads it literally (RFC 4515 escapes). */
    private static String filterValue(String v) {
        StringBuilder b = new StringBuilder(v.length());
        for (char ch : v.toCharArray()) {
            switch (ch) {
                case '\\', '*', '(', ')', '\0' -> b.append('\\').append(String.format("%02x", (int) ch));
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    Map<String, String> refusedTenants() {
        return tenants.refused();
    }

    Tenants tenantService() {
        return tenants;
    }

    // ---- routes -------------------------------------------------------------------------------------------

    List<Map<String, Object>> routes() {
        return routes.routes().stream().map(Facts::route).toList();
    }

    List<Map<String, Object>> routesOf(long bundleId) {
        return routes.routes().stream().filter(r -> r.bundleId() == bundleId).map(Facts::route).toList();
    }

    static Map<String, Object> route(RouteInfo r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("methods", r.methods().stream().sorted().toList());
        m.put("path", r.path());
        m.put("database", r.database().isEmpty() ? null : r.database());
        m.put("extension", r.extension());
        m.put("version", r.extensionVersion());
        m.put("bundle_id", r.bundleId());
        m.put("status", r.status().name());
        m.put("reason", r.reason());
        m.put("overridden", r.overridden()); // SHADOWED by a higher service.ranking only: meant, not a clash
        return m;
    }

}
