package serv.core.runtime;

/** Whether a route serves now, and if not, why. */
public enum RouteStatus {
    /** It answers requests. */
    SERVING,
    /** Its database is applying its extension's migrations (deployed a moment ago): 503 until they ran. */
    WAITING_FOR_MIGRATIONS,
    /** A migration of its extension failed on its database: 503 naming the migration, until it is fixed. */
    MIGRATION_FAILED,
    /** Its database is not up (starting, unreachable, failed): 503. */
    DATABASE_DOWN,
    /** It names a database that is not configured: 503. */
    DATABASE_NOT_CONFIGURED,
    /** Its extension is installed but stopped (or being updated): 503 naming the extension. */
    EXTENSION_STOPPED,
    /**
     * Its component, or a middleware's, failed to activate (its constructor or activate method threw): 503 naming
     * it, until its configuration changes or its extension is restarted or updated.
     */
    NOT_STARTED,
    /**
     * Another route on the same path template and method answers its requests (of a higher {@code service.ranking},
     * of the extension installed first, or of the same extension): this one never does, for those methods, until one
     * of the two moves to another path, changes its ranking or goes. The reason names the other route, the methods
     * and the rule that chose it. Outranked only by a higher {@code service.ranking} is a deliberate override
     * ({@link RouteInfo#overridden()}), not a clash: it is not reported as a problem.
     *
     * @since 1.2
     */
    SHADOWED
}
