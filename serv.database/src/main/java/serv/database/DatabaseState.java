package serv.database;

/** The life of a database pool. */
public enum DatabaseState {
    /** The pool is being created. */
    STARTING,
    /** The pool is running and the database answers. */
    UP,
    /**
     * The database cannot be reached (or waits for another server's migrations); the pool keeps trying and
     * recovers by itself.
     */
    RETRYING,
    /**
     * The configuration is wrong and no earlier one serves, or the pool could not be made; nothing is retried until
     * the configuration changes. (A failed migration fails only its extension: see
     * {@link Database#failedExtensions()}.)
     */
    FAILED,
    /** The pool is closed. */
    STOPPED
}
