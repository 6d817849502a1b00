package serv.cluster.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node on the cluster's latest state, on one thread and one connection: {@code LISTEN} wakes it when a write
 * commits, and every {@value #POLL_MS} ms it reads the cluster's version anyway, so a notification that was missed
 * (the connection was down, the node was stopped) costs at most that. When the version moved it reads every
 * record (never a log of events) and hands the state over. It beats the node's heartbeat every
 * {@value #HEARTBEAT_MS} ms. A store out of reach is reported, and tried again every {@value #RETRY_MS} ms.
 */
final class Follower implements Runnable {

    static final long POLL_MS = 500;
    static final long HEARTBEAT_MS = 1000;
    static final long RETRY_MS = 500;
    private static final Logger LOG = LoggerFactory.getLogger(Follower.class);

    /** What the follower tells its node. */
    interface Node {
        /** The cluster's state at a new version. */
        void changed(Store.State state);

        /** The store is reachable again (null), or is not, and why. */
        void reachable(String problem);

        /** Writes the heartbeat and reads the other nodes, on the follower's connection. */
        void beat(Connection c) throws SQLException;

        /** Once per connection: after the schema is there. */
        void connected(Connection c) throws SQLException;
    }

    private final StoreAddress address;
    private final Store store;
    private final Node node;
    private volatile boolean stopped;
    private volatile Connection current;
    private long seen = -1;

    Follower(StoreAddress address, Store store, Node node) {
        this.address = address;
        this.store = store;
        this.node = node;
    }

    void stop() {
        stopped = true;
        Connection c = current;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void run() {
        while (!stopped) {
            try (Connection c = address.connect()) {
                current = c;
                store.prepare(c);
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + Store.CHANNEL);
                }
                node.connected(c);
                node.reachable(null);
                PGConnection pg = c.unwrap(PGConnection.class);
                long lastBeat = 0;
                while (!stopped) {
                    long v = store.version(c);
                    if (v != seen) {
                        Store.State state = store.read(c);
                        node.changed(state);
                        seen = state.version();
                    }
                    long now = System.nanoTime();
                    if (now - lastBeat >= TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MS)) {
                        node.beat(c);
                        lastBeat = now;
                    }
                    pg.getNotifications((int) POLL_MS); // returns at once when a write was announced
                }
            } catch (SQLException | RuntimeException e) {
                if (stopped) {
                    return;
                }
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                node.reachable(why);
                LOG.debug("Cluster store: {}", why);
                try {
                    Thread.sleep(RETRY_MS);
                } catch (InterruptedException interrupted) {
                    return;
                }
            } finally {
                current = null;
            }
        }
    }
}
