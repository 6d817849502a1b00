package serv.console.internal;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.core.config.ConfigChecks;
import serv.core.config.ConfigStore;
import serv.core.config.Desired;
import serv.core.config.Secrets;
import serv.core.tenant.Tenant;
import serv.core.tenant.Tenants;
import serv.database.Database;
import serv.database.DatabaseState;

/**
 * Adds, edits and removes tenants for the admin API (and so the console's Tenants page and the command line): a
 * tenant is a {@code serv.tenant} configuration, checked with the same rules as the files and the console's forms
 * before it is stored (a wrong value is a 400 naming the key and the fix, and nothing changes), its secrets sealed.
 * A tenant a file owns can be edited (the edit holds until the file changes, as in the console's forms) but not
 * removed here: the file would bring it back.
 *
 * <p>In a cluster ({@link ConfigStore} registered), every change goes to the cluster's store instead, as a
 * compare-and-set on the tenant's version (the caller's {@code version}, else the one this server last read), and
 * every node, this one included, applies it from there; a change made on an older version is a 409 that says so.
 */
@Component(service = TenantAdmin.class)
public final class TenantAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(TenantAdmin.class);
    /** The keys of a tenant configuration (what the files and the console's form take). */
    static final Set<String> KEYS = Set.of("id", "name", "hosts", "path_prefix", "extensions", "database_url",
            "database_user", "database_password", "database_schema", "pool_size", "max_size", "idle_timeout",
            "min_connections", "max_requests");
    private static final Set<String> LISTS = Set.of("hosts", "extensions");
    private static final Pattern SCHEMA = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    /** How long a removal waits for the tenant's pool to close before it drops the schema. */
    private static final long CLOSE_WAIT_MS = 15_000;

    private final ConfigurationAdmin cm;
    private final ConfigChecks checks;
    private final Secrets secrets;
    private final Facts facts;

    /** The cluster's store, when this server is part of a cluster. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigStore store;

    private final Tenants tenants;
    /**
     * Held across a change's check and its save: two saves at once that claim one host or database were both checked
     * before either was stored, and both saved (one tenant then served it, the other kept it in its configuration and
     * took it at the next start). The check sees what an earlier save stored even before it is applied.
     */
    private final Object saveLock = new Object();

    @Activate
    public TenantAdmin(@Reference ConfigurationAdmin cm, @Reference ConfigChecks checks, @Reference Secrets secrets,
            @Reference Facts facts, @Reference Tenants tenants) {
        this.cm = cm;
        this.checks = checks;
        this.secrets = secrets;
        this.facts = facts;
        this.tenants = tenants;
    }

    /** What a change did: the tenant's keys that changed, and a sentence for the page. */
    record Result(String id, boolean created, List<String> changed, String message, long version) {
        Result(String id, boolean created, List<String> changed, String message) {
            this(id, created, changed, message, 0);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("created", created);
            m.put("changed", changed);
            m.put("message", message);
            if (version > 0) {
                m.put("version", version); // the tenant's version in the cluster's store
            }
            return m;
        }
    }

    /** The tenant's version in the cluster's store (0: not in a cluster, or not there). */
    long version(String id) {
        ConfigStore s = store;
        return s == null ? 0 : s.version(Desired.tenant(id, Map.of()).pid());
    }

    /** Writes to the cluster's store; the local configuration follows from there. */
    private long toCluster(ConfigStore s, String id, Map<String, Object> values, Long expected, boolean add)
            throws ApiException {
        String pid = Desired.tenant(id, Map.of()).pid();
        long exp = expected != null ? expected : add ? ConfigStore.ABSENT : s.version(pid);
        try {
            return values == null ? s.remove(pid, exp) : s.put(Desired.tenant(id, secrets.sealAll(values)), exp);
        } catch (ConfigStore.Conflict e) {
            throw ApiException.of(e);
        } catch (ConfigStore.Unavailable e) {
            throw ApiException.of(e);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** Waits (at most 3 s) until this server applied the cluster's change, so a read that follows sees it. */
    private void awaitLocal(String id, boolean present) {
        Waits.until(3_000, 20, () -> (facts.tenantConfiguration(id) != null) == present);
    }

    /**
     * Waits (at most 3 s) until the tenant serves: Configuration Admin hands the configuration over on its own
     * thread, and a script's request for the new tenant's host right after the 201 went to the server's own site.
     */
    private void awaitServed(String id) {
        Waits.until(3_000, 10, () -> tenants.find(id).isPresent());
    }

    /**
     * Waits (at most 3 s) until this server applied an edit of tenant {@code id}: until its configuration {@code c}
     * changed since {@code count} (in a cluster the store's change reaches it on another thread) and the registry
     * handed it over, so that a read after the answer sees the edit (a script's {@code GET} right after its
     * {@code PUT} saw the old hosts).
     *
     * @return why the registry refused the edit, or null
     */
    private String awaitApplied(String id, Configuration c, long count) {
        String pid = c.getPid();
        boolean applied = Waits.until(3_000, 10, () -> {
            try {
                return c.getChangeCount() > count && !tenants.applying(pid);
            } catch (IllegalStateException deleted) {
                return true; // removed meanwhile: nothing to wait for (nor refused)
            }
        });
        if (!applied) {
            LOG.warn("Tenant {}: an edit saved through the admin API was not applied within 3 s; it applies when"
                    + " Configuration Admin hands it over", id);
            return null;
        }
        return tenants.refused().get(pid);
    }

    /**
     * Puts back what tenant {@code id} had before an edit that the registry refused after the admin API's check (a
     * save elsewhere claimed the same host meanwhile), unless the configuration changed again since: the refused
     * edit is not left stored, waiting to take over when the other tenant lets go.
     */
    private void undo(String id, Configuration c, long count, Dictionary<String, Object> before) {
        try {
            if (c.getChangeCount() == count) {
                c.update(before);
            }
        } catch (IOException | IllegalStateException e) {
            LOG.warn("Tenant {}: its refused edit could not be undone ({}); it stays stored, refused, and the tenant"
                    + " goes on with its previous configuration", id, e.getMessage());
        }
    }

    /** Adds a tenant; 409 when one has its id. */
    Result create(Map<String, Object> body) throws ApiException {
        Map<String, Object> input = new LinkedHashMap<>(body);
        version(input.remove("version"), String.valueOf(input.get("id"))); // a GET's answer sent back: checked, unused
        Map<String, Object> values = settings(input, Map.of());
        Object id = values.get("id");
        if (id == null) {
            throw ApiException.badRequest("key 'id': missing; give the tenant an id (lower-case letters, digits, '-')");
        }
        ConfigStore s = store;
        if (s != null) {
            if (facts.tenantConfiguration(id.toString()) != null) {
                throw ApiException.conflict("tenant " + Echo.cut(id) + " exists; edit it (PUT /tenants/" + Echo.cut(id)
                        + ") instead");
            }
            check(values);
            long v = toCluster(s, id.toString(), values, null, true);
            awaitLocal(id.toString(), true);
            awaitServed(id.toString());
            LOG.info("Tenant {} added to the cluster through the admin API (version {})", id, v);
            return new Result(id.toString(), true, values.keySet().stream().sorted().toList(), "tenant " + id
                    + " added to the cluster (version " + v + "): every node serves it within a second", v);
        }
        synchronized (saveLock) {
            if (facts.tenantConfiguration(id.toString()) != null) {
                throw ApiException.conflict("tenant " + Echo.cut(id) + " exists; edit it (PUT /tenants/" + Echo.cut(id)
                        + ") instead");
            }
            check(values);
            try {
                Configuration c = cm.getFactoryConfiguration("serv.tenant", id.toString(), "?");
                c.update(new Hashtable<>(secrets.sealAll(values)));
            } catch (IOException e) {
                throw new ApiException(500, "the tenant could not be stored: " + e.getMessage());
            }
        }
        awaitServed(id.toString());
        LOG.info("Tenant {} added through the admin API", id);
        return new Result(id.toString(), true, values.keySet().stream().sorted().toList(), "tenant " + id
                + " added; its pool opens on its first request");
    }

    /**
     * Edits a tenant: the keys given replace the stored ones; a key given as null is removed. In a cluster,
     * {@code expected} (the body's {@code version}, or the request's If-Match) is the version the edit was made on.
     */
    Result update(String id, Map<String, Object> input, Long expected) throws ApiException {
        Map<String, Object> body = new LinkedHashMap<>(input);
        Long given = version(body.remove("version"), id);
        Long exp = given != null ? given : expected;
        if (body.containsKey("id") && !id.equals(String.valueOf(body.get("id")))) {
            throw ApiException.badRequest("key 'id': a tenant's id does not change; add a new tenant and remove this"
                    + " one");
        }
        if (store == null) {
            synchronized (saveLock) { // the check and the save as one
                return updateAs(id, body, exp);
            }
        }
        return updateAs(id, body, exp);
    }

    private Result updateAs(String id, Map<String, Object> body, Long exp) throws ApiException {
        Configuration c = facts.tenantConfiguration(id);
        if (c == null) {
            throw ApiException.notFound("tenant " + Echo.cut(id));
        }
        Dictionary<String, Object> stored = Facts.properties(c);
        if (stored == null) {
            throw ApiException.notFound("tenant " + Echo.cut(id));
        }
        Map<String, Object> before = new LinkedHashMap<>();
        Map<String, Object> bookkeeping = new LinkedHashMap<>();
        for (Enumeration<String> keys = stored.keys(); keys.hasMoreElements();) {
            String k = keys.nextElement();
            if (k.startsWith(".serv.")) {
                bookkeeping.put(k, stored.get(k));
            } else if (KEYS.contains(k)) {
                before.put(k, stored.get(k));
            }
        }
        Map<String, Object> values = settings(body, before);
        check(values);
        Map<String, Object> sealed = secrets.sealAll(values);
        List<String> changed = new ArrayList<>();
        for (String k : new java.util.TreeSet<>(union(before.keySet(), sealed.keySet()))) {
            if (!same(before.get(k), sealed.get(k))) {
                changed.add(k);
            }
        }
        if (changed.isEmpty()) {
            return new Result(id, false, changed, "nothing changed", version(id));
        }
        ConfigStore s = store;
        if (s != null) {
            long count;
            try {
                count = c.getChangeCount();
            } catch (IllegalStateException deleted) {
                throw ApiException.notFound("tenant " + Echo.cut(id));
            }
            long v = toCluster(s, id, values, exp, false);
            String why = awaitApplied(id, c, count);
            LOG.info("Tenant {} edited in the cluster through the admin API: {} (version {})", id, changed, v);
            return new Result(id, false, changed, "tenant " + id + ": " + String.join(", ", changed) + " changed in"
                    + " the cluster (version " + v + ")" + (why == null ? "" : "; this node refused it and goes on"
                            + " with the tenant's previous configuration: " + why), v);
        }
        Hashtable<String, Object> next = new Hashtable<>(sealed);
        next.putAll(bookkeeping); // the reconciler's marks: the edit shows as made over the file, until it changes
        long count;
        try {
            c.update(next);
            count = c.getChangeCount();
        } catch (IOException e) {
            throw new ApiException(500, "the tenant could not be stored: " + e.getMessage());
        }
        String why = awaitApplied(id, c, count - 1);
        if (why != null) {
            undo(id, c, count, stored);
            throw ApiException.badRequest("tenant " + Echo.cut(id) + ": not changed: " + why);
        }
        Object source = bookkeeping.get(".serv.source");
        LOG.info("Tenant {} edited through the admin API: {}", id, changed);
        return new Result(id, false, changed, "tenant " + id + ": " + String.join(", ", changed) + " changed"
                + (source == null ? "" : "; the edit holds until " + source + " changes"));
    }

    /**
     * Removes a tenant. Its pool drains and closes; with {@code dropData}, a schema tenant's schema is dropped from
     * the shared database afterwards. A tenant with a database of its own keeps it: dropping a whole database is left
     * to its owner's tools.
     */
    Result remove(String id, boolean dropData, Long expected) throws ApiException {
        Configuration c = facts.tenantConfiguration(id);
        Dictionary<String, Object> props = c == null ? null : Facts.properties(c);
        if (props == null) {
            throw ApiException.notFound("tenant " + Echo.cut(id));
        }
        Object source = props.get(".serv.source");
        ConfigStore s = store;
        boolean clustered = s != null && (s.name().equals(source) || s.version(Desired.tenant(id, Map.of()).pid()) > 0);
        if (source != null && !clustered) {
            throw ApiException.conflict("tenant " + id + " comes from " + source + ": remove it there (removed here,"
                    + " it would come back the next time " + source + " is read)");
        }
        Tenant tenant = facts.tenantService().find(id).orElse(null);
        String refused = facts.refusedTenants().get(c.getPid());
        if (dropData && tenant == null) {
            // Its stored schema may be another tenant's (the very conflict it was refused for): not dropped blind.
            throw ApiException.conflict("tenant " + id + " does not run" + (refused == null ? ""
                    : " (its configuration was refused: " + refused + ")") + ", so Serv does not know a schema as"
                    + " its own and drops none; nothing was removed: remove it with data=keep, then drop its data with"
                    + " your database tools if it is its alone");
        }
        if (dropData && tenant != null && tenant.databaseUrl() != null) {
            throw ApiException.badRequest("tenant " + id + " has a database of its own (" + tenant.databaseUrl()
                    + "); Serv does not drop databases: remove the tenant keeping its data, then drop the database"
                    + " with your database tools");
        }
        String schema = tenant == null ? null : tenant.schema();
        if (clustered) {
            long v = toCluster(s, id, null, expected, false);
            awaitLocal(id, false);
            LOG.info("Tenant {} removed from the cluster through the admin API (version {})", id, v);
        } else {
            try {
                c.delete();
            } catch (IOException e) {
                throw new ApiException(500, "the tenant could not be removed: " + e.getMessage());
            }
        }
        LOG.info("Tenant {} removed through the admin API ({})", id, dropData ? "dropping its schema" : "data kept");
        if (!dropData || schema == null) {
            return new Result(id, false, List.of(), "tenant " + id + " removed; its data is kept"
                    + (schema == null ? "" : " (schema " + schema + " of database default)")
                    + (tenant == null ? " (it did not run" + (refused == null ? "" : ": its configuration was refused")
                            + ")" : ""));
        }
        awaitClosed(id);
        dropSchema(id, schema);
        return new Result(id, false, List.of(), "tenant " + id + " removed, and its schema " + schema + " dropped");
    }

    private void awaitClosed(String id) throws ApiException {
        long deadline = System.nanoTime() + CLOSE_WAIT_MS * 1_000_000;
        while (facts.database("default", id).isPresent()) {
            if (System.nanoTime() > deadline) {
                throw new ApiException(504, "tenant " + id + " removed, but its pool did not close within "
                        + CLOSE_WAIT_MS / 1000 + " s: its schema was kept");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(503, "interrupted: the schema was kept");
            }
        }
    }

    private void dropSchema(String id, String schema) throws ApiException {
        if (!SCHEMA.matcher(schema).matches() || schema.startsWith("pg_") || schema.equals("public")) {
            throw ApiException.badRequest("schema '" + schema + "' is not one Serv drops");
        }
        Database shared = facts.database("default", null).orElseThrow(() -> new ApiException(503,
                "tenant " + id + " removed, but database default is not there to drop schema " + schema));
        if (shared.state() != DatabaseState.UP) {
            throw new ApiException(503, "tenant " + id + " removed, but database default is " + shared.state()
                    + ": schema " + schema + " was kept");
        }
        try (Connection c = shared.connection(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
            if (!c.getAutoCommit()) {
                c.commit();
            }
        } catch (SQLException e) {
            throw new ApiException(503, "tenant " + id + " removed, but schema " + schema + " could not be dropped: "
                    + e.getMessage());
        }
    }

    /**
     * A body's {@code "version"}, the version an edit was made on: a whole JSON number, 0 or more; null when not
     * given. A number with a fraction (1.5, and 7.0 too, as a rollback's version) or past a long's range is a 400,
     * never cut to another version (1.5 was taken for 1).
     */
    static Long version(Object v, String id) throws ApiException {
        if (v == null) {
            return null;
        }
        String fix = "; give the version the edit was made on, a whole number (GET tenants/" + Echo.cut(id)
                + " says it), or leave it out";
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            long n = ((Number) v).longValue();
            if (n < 0) {
                throw ApiException.badRequest("key 'version': " + n + " is below 0" + fix);
            }
            return n;
        }
        if (v instanceof java.math.BigInteger) {
            throw ApiException.badRequest("key 'version': " + Echo.cut(v) + " is too large" + fix);
        }
        if (v instanceof Number) {
            throw ApiException.badRequest("key 'version': " + Echo.cut(v) + " is not a whole number" + fix);
        }
        throw ApiException.badRequest("key 'version': " + Echo.cut(v) + " is not a number" + fix);
    }

    /**
     * The stored settings: {@code before} with the body's keys over it (null removes a key), lists as arrays of
     * strings (what Configuration Admin stores), every value a string as the files give them. Unknown keys are a
     * 400 naming the known ones.
     */
    private static Map<String, Object> settings(Map<String, Object> body, Map<String, Object> before)
            throws ApiException {
        Map<String, Object> out = new TreeMap<>(before);
        for (Map.Entry<String, Object> e : body.entrySet()) {
            String key = e.getKey();
            if (!KEYS.contains(key)) {
                throw ApiException.badRequest("key '" + Echo.cut(key) + "' is not a tenant setting"
                        + BodyKeys.hint(key, KEYS) + "; the keys are " + new java.util.TreeSet<>(KEYS));
            }
            Object v = e.getValue();
            if (v == null || (v instanceof String s && s.isBlank())) {
                out.remove(key);
            } else if (LISTS.contains(key)) {
                List<String> items = new ArrayList<>();
                if (v instanceof Collection<?> c) {
                    int n = 0;
                    for (Object x : c) { // [null] was stored as host "null", [true] as host "true"
                        n++;
                        if (!(x instanceof String s)) {
                            throw ApiException.badRequest("key '" + key + "': item " + n + " is " + kind(x)
                                    + "; give a list of strings, as in " + example(key));
                        }
                        items.add(s.strip());
                    }
                } else if (v instanceof String text) {
                    for (String s : text.split(",")) {
                        items.add(s.strip());
                    }
                } else {
                    throw ApiException.badRequest("key '" + key + "': it is " + kind(v) + "; give a list of"
                            + " strings, as in " + example(key));
                }
                items.removeIf(String::isEmpty);
                if (items.isEmpty()) {
                    out.remove(key);
                } else {
                    out.put(key, items.toArray(String[]::new));
                }
            } else if (v instanceof Map || v instanceof Collection) {
                throw ApiException.badRequest("key '" + key + "': give a single value");
            } else {
                out.put(key, v.toString());
            }
        }
        return out;
    }

    /** What a JSON value that is not a string is, for a message: null, the boolean true, an object, a list. */
    private static String kind(Object v) {
        return v == null ? "null" : v instanceof Map ? "an object" : v instanceof Collection ? "a list"
                : v instanceof Boolean ? "the boolean " + v : "the number " + Echo.cut(v);
    }

    private static String example(String key) {
        return key.equals("hosts") ? "[\"acme.example.com\"]" : "[\"serv.blog\"]";
    }

    private void check(Map<String, Object> values) throws ApiException {
        List<String> problems = checks.problems("serv.tenant", null, values);
        if (!problems.isEmpty()) {
            throw ApiException.badRequest(Echo.cutQuoted(String.join("; ", problems)));
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new java.util.HashSet<>(a);
        out.addAll(b);
        return out;
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof String[] x && b instanceof String[] y) {
            return java.util.Arrays.equals(x, y);
        }
        return Objects.equals(a == null ? null : a.toString(), b == null ? null : b.toString());
    }
}
