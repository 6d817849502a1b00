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
    public static final TenantTable EMPTY = new TenantTable(List.of());

    private final List<Tenant> tenants;
    private final Map<String, Tenant> exact = new HashMap<>();
    /** Wildcard suffixes (".example.com"), longest first. */
    private final List<Map.Entry<String, Tenant>> wildcards = new ArrayList<>();
    /** Path prefixes, longest first. */
    private final List<Map.Entry<String, Tenant>> prefixes = new ArrayList<>();

    /** A request's tenant and its path without the tenant's prefix. */
    public record Resolved(Tenant tenant, String path) {
    }

    private TenantTable(List<Tenant> tenants) {
        this.tenants = List.copyOf(tenants);
        for (Tenant t : tenants) {
            for (String h : t.hosts()) {
                if (h.startsWith("*.")) {
                    wildcards.add(Map.entry(h.substring(1), t));
                } else {
                    exact.putIfAbsent(h, t);
                }
            }
            if (t.pathPrefix() != null) {
                prefixes.add(Map.entry(t.pathPrefix(), t));
            }
        }
        Comparator<Map.Entry<String, Tenant>> longestFirst =
                Comparator.comparingInt((Map.Entry<String, Tenant> e) -> e.getKey().length()).reversed();
        wildcards.sort(longestFirst);
        prefixes.sort(longestFirst);
    }

    /** The table of these tenants, built once (a tenant id given twice: the last one counts). */
    public static TenantTable of(Collection<Tenant> tenants) {
        if (tenants.isEmpty()) {
            return EMPTY;
        }
        Map<String, Tenant> byId = new LinkedHashMap<>();
        tenants.forEach(t -> byId.put(t.id(), t));
        return new TenantTable(new ArrayList<>(byId.values()));
    }

    public boolean isEmpty() {
        return tenants.isEmpty();
    }

    /** This table with {@code tenant} added, or replacing the one of the same id. */
    public TenantTable with(Tenant tenant) {
        List<Tenant> next = new ArrayList<>(tenants);
        next.removeIf(t -> t.id().equals(tenant.id()));
        next.add(tenant);
        return new TenantTable(next);
    }

    /** This table without the tenant {@code id}. */
    public TenantTable without(String id) {
        List<Tenant> next = new ArrayList<>(tenants);
        next.removeIf(t -> t.id().equals(id));
        return next.isEmpty() ? EMPTY : new TenantTable(next);
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
            Tenant t = exact.get(host);
            if (t == null) {
                for (Map.Entry<String, Tenant> w : wildcards) {
                    if (host.endsWith(w.getKey()) && host.length() > w.getKey().length()) {
                        t = w.getValue();
                        break;
                    }
                }
            }
            if (t != null) {
                return new Resolved(t, path);
            }
        }
        for (Map.Entry<String, Tenant> p : prefixes) {
            String prefix = p.getKey();
            if (path.equals(prefix)) {
                return new Resolved(p.getValue(), "/");
            }
            if (path.startsWith(prefix) && path.charAt(prefix.length()) == '/') {
                return new Resolved(p.getValue(), path.substring(prefix.length()));
            }
        }
        return null;
    }
}
