package serv.core.runtime;

import java.util.Set;

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
}
