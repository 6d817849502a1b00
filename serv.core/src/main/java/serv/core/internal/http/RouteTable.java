package serv.core.internal.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import org.osgi.framework.Bundle;

import serv.core.Handler;

/**
 * An immutable table of routes, rebuilt whenever a route comes or goes (copy on write): lookups take no lock.
 * Of the routes that match a request, the first in {@link #ORDER} answers it: literal segments win over
 * {@code {param}} segments, then the higher service ranking, then the extension installed first.
 */
final class RouteTable {

    /**
     * One registered route, with the bundle (the extension) that registered it and the name of its component (null
     * when unknown). {@code shape} is its template without the names of its parameters: {@code /notes/{id}} and
     * {@code /notes/{noteId}} are one path template.
     */
    record Entry(String template, String[] segments, Set<String> methods, String database, Handler handler,
            long serviceId, int ranking, int literals, Bundle bundle, String component, String shape) {

        static Entry of(String template, Set<String> methods, String database, Handler handler, long serviceId,
                int ranking, Bundle bundle) {
            return of(template, methods, database, handler, serviceId, ranking, bundle, null);
        }

        static Entry of(String template, Set<String> methods, String database, Handler handler, long serviceId,
                int ranking, Bundle bundle, String component) {
            if (template == null || !template.startsWith("/")) {
                throw new IllegalArgumentException("route path '" + template + "' must start with '/'");
            }
            String[] segments = split(template);
            int literals = 0;
            StringBuilder shape = new StringBuilder();
            Set<String> params = new java.util.HashSet<>();
            for (String s : segments) {
                if (!isParam(s)) {
                    if (s.indexOf('{') >= 0 || s.indexOf('}') >= 0) {
                        // taken for literal text, it would answer only a request for that very text, braces and all
                        throw new IllegalArgumentException("route path '" + template + "' has '" + s + "', which is"
                                + " not a parameter: a parameter is a whole segment, {name}");
                    }
                    literals++;
                    shape.append('/').append(s);
                } else if (s.length() < 3) {
                    throw new IllegalArgumentException("route path '" + template + "' has an empty {} segment");
                } else if (!params.add(s)) {
                    throw new IllegalArgumentException("route path '" + template + "' has " + s + " twice: give"
                            + " each parameter its own name");
                } else {
                    shape.append("/{}");
                }
            }
            if (methods.isEmpty()) {
                throw new IllegalArgumentException("route " + template + " has no method: name one or more of "
                        + String.join(", ", KNOWN_METHODS));
            }
            Set<String> upper = new LinkedHashSet<>();
            for (String m : methods) {
                String method = m.strip().toUpperCase(Locale.ROOT);
                if (!KNOWN_METHODS.contains(method)) {
                    throw new IllegalArgumentException("route " + template + " has method '" + m + "', which Serv"
                            + " does not answer: use " + String.join(", ", KNOWN_METHODS));
                }
                upper.add(method);
            }
            if (upper.contains("GET")) {
                upper.add("HEAD");
            }
            return new Entry(template, segments, Set.copyOf(upper), database == null ? "" : database, handler,
                    serviceId, ranking, literals, bundle, component, shape.length() == 0 ? "/" : shape.toString());
        }

        /** The id of its bundle; a route of no bundle (a test's) comes after every extension's. */
        long bundleId() {
            return bundle == null ? Long.MAX_VALUE : bundle.getBundleId();
        }

        /** Whether this route comes before {@code other} when both match a request. */
        boolean precedes(Entry other) {
            return ORDER.compare(this, other) < 0;
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

    /**
     * The methods a route may answer (a typo such as {@code GTE} was bound and answered nothing). HEAD comes with
     * GET; OPTIONS without a route of its own is answered by Serv with {@code Allow}.
     */
    static final List<String> KNOWN_METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    /** The outcome of a lookup. */
    record Match(Entry entry, Map<String, String> params, Set<String> allowed) {
    }

    static final RouteTable EMPTY = new RouteTable(List.of());

    /**
     * Which of the routes that match a request answers it: the first in this order. Every step decides something
     * the operator can see and keep, so that the answer does not depend on the order in which services came:
     * <ol>
     * <li>more literal segments first: {@code /posts/latest} before {@code /posts/{id}}, the more specific template.
     * Routes of one path template have as many, so this only decides between different templates;</li>
     * <li>the higher {@code service.ranking}: a route meant to replace another one says so, on its component or in
     * its configuration;</li>
     * <li>the lower bundle id: of two extensions with a route on one path and method, the one installed first keeps
     * it. A bundle keeps its id when it is updated or refreshed (a new version deployed), so the other can take the
     * path neither during nor after that; service ids, which decided before, are new at every registration, and an
     * updated extension lost its path to the one deployed after it;</li>
     * <li>of one extension, the component whose name sorts first: the same across restarts and updates;</li>
     * <li>the lower service id: routes of no bundle (a test's), or one component registered twice.</li>
     * </ol>
     * A route that another one of its path template comes before, for some of its methods, never answers those:
     * {@link #shadows} finds them, and the dispatcher says so (the log, {@code Routes}).
     */
    static final Comparator<Entry> ORDER = Comparator.comparingInt(Entry::literals).reversed()
            .thenComparing(Comparator.comparingInt(Entry::ranking).reversed())
            .thenComparingLong(Entry::bundleId)
            .thenComparing(Entry::component, Comparator.nullsLast(Comparator.naturalOrder()))
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

    /** This table without the routes of {@code bundleId} with the path template of {@code route}. */
    RouteTable withoutTemplate(long bundleId, Entry route) {
        List<Entry> next = new ArrayList<>(entries);
        next.removeIf(e -> e.bundle() != null && e.bundle().getBundleId() == bundleId
                && e.shape().equals(route.shape()));
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
        return find(method, path, e -> true);
    }

    /**
     * Finds the route for a method and path among those {@code accept} takes (a tenant's: the routes of its
     * extensions), as {@link #find(String, String)}: a route it does not take hides none of them.
     */
    Match find(String method, String path, Predicate<Entry> accept) {
        String[] segments = split(path);
        Set<String> allowed = null;
        for (Entry e : entries) {
            Map<String, String> params = e.match(segments);
            if (params == null || !accept.test(e)) {
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

    /**
     * The first route of this table that answers {@code method} on {@code path} before {@code route} would, of those
     * {@code accept} takes; null when none does.
     */
    Entry before(Entry route, String method, String path, Predicate<Entry> accept) {
        String[] segments = split(path);
        for (Entry e : entries) {
            if (!e.precedes(route)) {
                return null; // the table is in ORDER: none of the rest does
            }
            if (e.methods().contains(method) && e.match(segments) != null && accept.test(e)) {
                return e;
            }
        }
        return null;
    }

    /**
     * Methods of {@code route} that {@code by}, a route of the same path template, answers first: {@code route}
     * never answers them.
     */
    record Shadow(Entry route, Set<String> methods, Entry by) {
    }

    /**
     * The routes of this table that another route of their path template (the names of its parameters aside) comes
     * before for some of their methods, with the route that answers those instead. {@code holders} are routes out of
     * this table that keep their paths: an extension's that is stopped or being updated (they answer 503 naming it).
     */
    List<Shadow> shadows(List<Entry> holders) {
        Map<String, List<Entry>> byShape = new HashMap<>();
        for (Entry e : entries) {
            byShape.computeIfAbsent(e.shape(), k -> new ArrayList<>()).add(e);
        }
        if (byShape.size() == entries.size() && holders.isEmpty()) {
            return List.of(); // one route per path template: nothing to shadow
        }
        for (Entry h : holders) {
            List<Entry> same = byShape.get(h.shape());
            if (same != null) {
                same.add(h);
            }
        }
        for (List<Entry> same : byShape.values()) {
            same.sort(ORDER);
        }
        List<Shadow> out = new ArrayList<>();
        for (Entry e : entries) {
            List<Entry> same = byShape.get(e.shape());
            if (same.size() < 2) {
                continue;
            }
            List<Entry> by = new ArrayList<>(2); // the routes that take its methods, each with those it takes
            List<Set<String>> taken = new ArrayList<>(2);
            for (String m : new TreeSet<>(e.methods())) {
                for (Entry other : same) {
                    if (other == e) {
                        break; // the rest come after it
                    }
                    if (other.methods().contains(m)) {
                        int i = 0;
                        while (i < by.size() && by.get(i) != other) {
                            i++;
                        }
                        if (i == by.size()) {
                            by.add(other);
                            taken.add(new TreeSet<>());
                        }
                        taken.get(i).add(m);
                        break;
                    }
                }
            }
            for (int i = 0; i < by.size(); i++) {
                out.add(new Shadow(e, Collections.unmodifiableSet(taken.get(i)), by.get(i)));
            }
        }
        return out;
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
