package serv.core.internal.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.osgi.framework.Bundle;

import serv.core.Handler;

/**
 * An immutable table of routes, rebuilt whenever a route comes or goes (copy on write): lookups take no lock.
 * Literal segments win over {@code {param}} segments, then the higher service ranking wins.
 */
final class RouteTable {

    /** One registered route, with the bundle (the extension) that registered it. */
    record Entry(String template, String[] segments, Set<String> methods, String database, Handler handler,
            long serviceId, int ranking, int literals, Bundle bundle) {

        static Entry of(String template, Set<String> methods, String database, Handler handler, long serviceId,
                int ranking, Bundle bundle) {
            if (template == null || !template.startsWith("/")) {
                throw new IllegalArgumentException("route path '" + template + "' must start with '/'");
            }
            String[] segments = split(template);
            int literals = 0;
            for (String s : segments) {
                if (!isParam(s)) {
                    literals++;
                } else if (s.length() < 3) {
                    throw new IllegalArgumentException("route path '" + template + "' has an empty {} segment");
                }
            }
            Set<String> upper = new LinkedHashSet<>();
            for (String m : methods) {
                upper.add(m.toUpperCase(Locale.ROOT));
            }
            if (upper.contains("GET")) {
                upper.add("HEAD");
            }
            return new Entry(template, segments, Set.copyOf(upper), database == null ? "" : database, handler,
                    serviceId, ranking, literals, bundle);
        }

        /** The path parameters if {@code path} matches this template, else null. */
        Map<String, String> match(String[] path) {
            if (path.length != segments.length) {
                return null;
            }
            Map<String, String> params = null;
            for (int i = 0; i < path.length; i++) {
                String s = segments[i];
                if (isParam(s)) {
                    if (path[i].isEmpty()) {
                        return null;
                    }
                    if (params == null) {
                        params = new HashMap<>(4);
                    }
                    params.put(s.substring(1, s.length() - 1), path[i]);
                } else if (!s.equals(path[i])) {
                    return null;
                }
            }
            return params == null ? Map.of() : params;
        }
    }

    /** The outcome of a lookup. */
    record Match(Entry entry, Map<String, String> params, Set<String> allowed) {
    }

    static final RouteTable EMPTY = new RouteTable(List.of());

    private static final Comparator<Entry> ORDER = Comparator.comparingInt(Entry::literals).reversed()
            .thenComparing(Comparator.comparingInt(Entry::ranking).reversed())
            .thenComparingLong(Entry::serviceId);

    private final List<Entry> entries;

    private RouteTable(List<Entry> entries) {
        this.entries = entries;
    }

    RouteTable with(Entry entry) {
        List<Entry> next = new ArrayList<>(entries);
        next.removeIf(e -> e.serviceId() == entry.serviceId());
        next.add(entry);
        next.sort(ORDER);
        return new RouteTable(List.copyOf(next));
    }

    RouteTable without(long serviceId) {
        List<Entry> next = new ArrayList<>(entries);
        next.removeIf(e -> e.serviceId() == serviceId);
        return new RouteTable(List.copyOf(next));
    }

    /** This table without the routes of the bundle {@code bundleId}. */
    RouteTable withoutBundle(long bundleId) {
        List<Entry> next = new ArrayList<>(entries);
        next.removeIf(e -> e.bundle() != null && e.bundle().getBundleId() == bundleId);
        return next.size() == entries.size() ? this : new RouteTable(List.copyOf(next));
    }

    /** This table without the routes of {@code bundleId} with {@code template}. */
    RouteTable withoutTemplate(long bundleId, String template) {
        List<Entry> next = new ArrayList<>(entries);
        next.removeIf(e -> e.bundle() != null && e.bundle().getBundleId() == bundleId && e.template().equals(template));
        return next.size() == entries.size() ? this : new RouteTable(List.copyOf(next));
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The route of the service {@code serviceId}, or null. */
    Entry entry(long serviceId) {
        for (Entry e : entries) {
            if (e.serviceId() == serviceId) {
                return e;
            }
        }
        return null;
    }

    List<Entry> entries() {
        return entries;
    }

    /**
     * Finds the route for a method and path. Returns null when no template matches the path; a match with a null
     * entry and the allowed methods when templates match but none takes the method.
     */
    Match find(String method, String path) {
        String[] segments = split(path);
        Set<String> allowed = null;
        for (Entry e : entries) {
            Map<String, String> params = e.match(segments);
            if (params == null) {
                continue;
            }
            if (e.methods().contains(method)) {
                return new Match(e, params, null);
            }
            if (allowed == null) {
                allowed = new LinkedHashSet<>();
            }
            allowed.addAll(e.methods());
        }
        return allowed == null ? null : new Match(null, Map.of(), allowed);
    }

    private static boolean isParam(String segment) {
        return segment.length() >= 2 && segment.charAt(0) == '{' && segment.charAt(segment.length() - 1) == '}';
    }

    /** "/a/b/" and "/a/b" are the same path; "/" has no segments. */
    static String[] split(String path) {
        String p = path;
        int start = p.startsWith("/") ? 1 : 0;
        int end = p.length();
        if (end > start && p.charAt(end - 1) == '/') {
            end--;
        }
        if (end <= start) {
            return new String[0];
        }
        return p.substring(start, end).split("/", -1);
    }
}
