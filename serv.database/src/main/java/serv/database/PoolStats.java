package serv.database;

/**
 * Pool figures at one moment.
 *
 * @param active connections borrowed right now
 * @param idle connections open and waiting in the pool
 * @param pending threads waiting for a connection
 * @param max the maximum number of connections the pool may open
 */
public record PoolStats(int active, int idle, int pending, int max) {

    /** The figures of a pool that has no connections. */
    public static final PoolStats EMPTY = new PoolStats(0, 0, 0, 0);
}
