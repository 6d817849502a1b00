package serv.core.runtime;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One route of the server as it is now, for the server's own site (a tenant's database may differ in state).
 *
 * @param methods the HTTP methods it answers
 * @param path its path template ({@code /posts/{id}})
 * @param database the database it uses, or "" for none
 * @param extension the symbolic name of the bundle that brings it
 * @param extensionVersion that bundle's version
 * @param bundleId that bundle's id
 * @param status whether it serves now
 * @param reason why it does not serve, or null
 * @param overridden {@link RouteStatus#SHADOWED} only by routes of a higher {@code service.ranking}: a deliberate
 *            override (the whiteboard's standard way to replace a service), not a clash to fix; false otherwise
 *            (since 1.3)
 */
public record RouteInfo(Set<String> methods, String path, String database, String extension,
        String extensionVersion, long bundleId, RouteStatus status, String reason, boolean overridden) {

    public RouteInfo {
        methods = Set.copyOf(methods);
    }

    /** A route that no other route overrides. */
    public RouteInfo(Set<String> methods, String path, String database, String extension, String extensionVersion,
            long bundleId, RouteStatus status, String reason) {
        this(methods, path, database, extension, extensionVersion, bundleId, status, reason, false);
    }

    /**
     * The databases that the routes of the server's site depend on to serve, by name, each with the extensions whose
     * routes name it: every route that names a database, except those of an extension that is stopped (they answer
     * 503 naming the extension whatever the database's state, and the extension does not serve until it is started
     * again, when it is listed here again). A database not among them serves no route of the site: its being down
     * takes nothing out of service. What {@code /health} and the console go by to tell whether a shared database
     * that is not up takes the node out.
     *
     * <p>Routes that do not serve for another reason still count ({@link RouteStatus#SHADOWED} may still answer some of
     * its methods, {@link RouteStatus#NOT_STARTED} serves once its component starts, a migration's state is the
     * database's own): a database one of them names is not one "no route uses".
     *
     * @param routes the routes, as {@link Routes#routes()} lists them
     * @return database name to the symbolic names of the extensions whose routes use it, both sorted
     * @since 1.5
     */
    public static Map<String, Set<String>> databasesInUse(List<RouteInfo> routes) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (RouteInfo r : routes) {
            if (!r.database().isEmpty() && r.status() != RouteStatus.EXTENSION_STOPPED) {
                out.computeIfAbsent(r.database(), k -> new TreeSet<>()).add(r.extension());
            }
        }
        return out;
    }
}
