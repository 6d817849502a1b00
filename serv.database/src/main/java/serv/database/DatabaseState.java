package serv.database;

/** The life of a database pool. */
public enum DatabaseState {
    /** The pool is being created. */
    STARTING,
    /** The pool is running and the database answers. */
    UP,
    /** The database cannot be reached; the pool keeps trying with backoff and recovers by itself. */
    RETRYING,
    /** The configuration is wrong or a migration failed; nothing is retried until the configuration changes. */
    FAILED,
    /** The pool is closed. */
    STOPPED
}
