package serv.core.internal.tenant;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import serv.core.tenant.Tenant;

/**
 * Which tenant a request belongs to: an immutable snapshot, replaced whole when a tenant comes, changes or goes (no
 * lock on the request path). Only the Host header (exact, then the longest {@code *.suffix}) and the path prefix
 * choose; no other header can.
 */
public final class TenantTable {

    /** No tenants: the server is single-tenant. */
    public static final TenantTable EMPTY = new TenantTable(List.of(), List.of());

    private final List<Tenant> tenants;
    private final Map<String, Target> exact = new HashMap<>();
    /** Wildcard suffixes (".example.com"), longest first. */
    private final List<Map.Entry<String, Target>> wildcards = new ArrayList<>();
    /** Path prefixes, longest first. */
    private final List<Map.Entry<String, Target>> prefixes = new ArrayList<>();

    /**
     * A request's tenant and its path without the tenant's prefix; or, when {@code held} is set, the id of a tenant
     * whose configuration was refused (its requests are answered 503, never by the site or another tenant).
     */
    public record Resolved(Tenant tenant, String path, String held) {

        public Resolved(Tenant tenant, String path) {
            this(tenant, path, null);
        }
    }

    /**
     * The hosts and path prefix of a tenant configuration that was refused with no good one before it (a typo at a
     * start, a new tenant): they stay the tenant's, so that its requests (and writes) never reach the server's own
     * site or a tenant with a wider host, while nobody else has them.
     */
    public record Held(String id, List<String> hosts, String pathPrefix) {
    }

    /** Who answers a host or a prefix: a tenant, or the id of a refused one. */
    private record Target(Tenant tenant, String held) {
    }

    private TenantTable(List<Tenant> tenants, List<Held> held) {
        this.tenants = List.copyOf(tenants);
        // The running tenants first: a refused configuration never takes what one of them has.
        for (Tenant t : tenants) {
            Target target = new Target(t, null);
            for (String h : t.hosts()) {
                add(h, target);
            }
            if (t.pathPrefix() != null) {
                prefixes.add(Map.entry(t.pathPrefix(), target));
            }
        }
        for (Held h : held) {
            Target target = new Target(null, h.id());
            for (String host : h.hosts()) {
                if (!exact.containsKey(host) && wildcards.stream().noneMatch(w -> ("*" + w.getKey()).equals(host))) {
                    add(host, target);
                }
            }
            if (h.pathPrefix() != null && prefixes.stream().noneMatch(p -> p.getKey().equals(h.pathPrefix()))) {
                prefixes.add(Map.entry(h.pathPrefix(), target));
            }
        }
        Comparator<Map.Entry<String, Target>> longestFirst =
                Comparator.comparingInt((Map.Entry<String, Target> e) -> e.getKey().length()).reversed();
        wildcards.sort(longestFirst); // stable: of one suffix, the running tenant's comes first
        prefixes.sort(longestFirst);
    }

    private void add(String host, Target target) {
        if (host.startsWith("*.")) {
            wildcards.add(Map.entry(host.substring(1), target));
        } else {
            exact.putIfAbsent(host, target);
        }
    }

    /** The table of these tenants, built once (a tenant id given twice: the last one counts). */
    public static TenantTable of(Collection<Tenant> tenants) {
        return of(tenants, List.of());
    }

    /** The table of these tenants and of refused configurations' hosts and prefixes nobody else has. */
    public static TenantTable of(Collection<Tenant> tenants, Collection<Held> held) {
        if (tenants.isEmpty() && held.isEmpty()) {
            return EMPTY;
        }
        Map<String, Tenant> byId = new LinkedHashMap<>();
        tenants.forEach(t -> byId.put(t.id(), t));
        return new TenantTable(new ArrayList<>(byId.values()), List.copyOf(held));
    }

    /** Whether no tenant is configured (nor refused): the server is single-tenant. */
    public boolean isEmpty() {
        return tenants.isEmpty() && exact.isEmpty() && wildcards.isEmpty() && prefixes.isEmpty();
    }

    /** This table with {@code tenant} added, or replacing the one of the same id. */
    public TenantTable with(Tenant tenant) {
        List<Tenant> next = new ArrayList<>(tenants);
        next.removeIf(t -> t.id().equals(tenant.id()));
        next.add(tenant);
        return new TenantTable(next, List.of());
    }

    /** This table without the tenant {@code id}. */
    public TenantTable without(String id) {
        List<Tenant> next = new ArrayList<>(tenants);
        next.removeIf(t -> t.id().equals(id));
        return next.isEmpty() ? EMPTY : new TenantTable(next, List.of());
    }

    /** The tenant of a request with this Host header and path; null when none. */
    public Resolved resolve(String hostHeader, String path) {
        if (hostHeader != null) {
            String host = hostHeader.strip().toLowerCase(Locale.ROOT);
            int colon = host.startsWith("[") ? host.indexOf("]:") + 1 : host.lastIndexOf(':');
            if (colon > 0) {
                host = host.substring(0, colon);
            }
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1);
            }
            Target t = exact.get(host);
            if (t == null) {
                for (Map.Entry<String, Target> w : wildcards) {
                    if (host.endsWith(w.getKey()) && host.length() > w.getKey().length()) {
                        t = w.getValue();
                        break;
                    }
                }
            }
            if (t != null) {
                return new Resolved(t.tenant(), path, t.held());
            }
        }
        for (Map.Entry<String, Target> p : prefixes) {
            String prefix = p.getKey();
            Target t = p.getValue();
            if (path.equals(prefix)) {
                return new Resolved(t.tenant(), "/", t.held());
            }
            if (path.startsWith(prefix) && path.charAt(prefix.length()) == '/') {
                return new Resolved(t.tenant(), path.substring(prefix.length()), t.held());
            }
        }
        return null;
    }
}
