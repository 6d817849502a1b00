package serv.database;

/**
 * Pool figures at one moment.
 *
 * @param active connections borrowed right now
 * @param idle connections open and waiting in the pool
 * @param pending threads waiting for a connection
 * @param max the maximum number of connections the pool may open
 * @param acquired connections handed out since the database was configured (across pool replacements)
 * @param acquireNanos total time spent waiting for those connections, in nanoseconds
 * @param timeouts borrowings that gave up after the connection timeout
 */
public record PoolStats(int active, int idle, int pending, int max, long acquired, long acquireNanos, long timeouts) {

    /** The figures of a pool that has no connections and has served none. */
    public static final PoolStats EMPTY = new PoolStats(0, 0, 0, 0, 0, 0, 0);
}
