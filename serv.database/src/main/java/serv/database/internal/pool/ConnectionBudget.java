package serv.database.internal.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import serv.database.AbstractDataSource;
import serv.database.ForwardingConnection;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;

/**
 * The budget of physical connections per PostgreSQL server (host and port), shared by every pool of this process:
 * the databases, and every tenant's. A pool opens a connection only with a permit (waiting at most its connection
 * timeout) and gives the permit back when that connection closes, so the sum of open connections never exceeds
 * the budget; a request that cannot get a connection in time is answered 503 with Retry-After, as for any
 * unavailable database. Set with the framework property or environment variable {@value #PROPERTY} /
 * {@code SERV_CONNECTION_BUDGET} (default {@value #DEFAULT}, under PostgreSQL's default max_connections of 100).
 *
 * <p>When the budget is used up, a waiting pool asks the quietest pool of the same server (nothing borrowed,
 * nobody waiting, no minimum to keep) to close its idle connections, rather than waiting for them to time out:
 * a tenant that went quiet a few seconds ago does not keep a busy one from the server.
 *
 * <p>Hand-written rather than a pool option: Hikari bounds one pool, not a server shared by many pools.
 */
final class ConnectionBudget {

    /** Framework property: physical connections allowed per PostgreSQL server. */
    static final String PROPERTY = "serv.connection.budget";
    static final int DEFAULT = 90;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConnectionBudget.class);
    private static final Map<String, ConnectionBudget> SERVERS = new ConcurrentHashMap<>();
    private static volatile int limit = DEFAULT;

    private int open;
    private int peak;
    /** The pools drawing on this budget (closed ones are dropped as they are met). */
    private final java.util.Set<HikariDataSource> pools = ConcurrentHashMap.newKeySet();
    /** The open pools' data sources with their guaranteed connections (guarded by this budget's monitor). */
    private final java.util.List<Budgeted> shares = new java.util.ArrayList<>();

    /** The last value refused, said once (the factory may be activated more than once). */
    private static volatile String refused;

    /**
     * Sets the budget from {@code key} (the framework property or the environment variable, which the message names:
     * an operator who set SERV_CONNECTION_BUDGET was told about serv.connection.budget); a wrong value keeps the
     * default.
     */
    static void configure(String value, String key) {
        if (value == null || value.isBlank()) {
            return;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n < 1) {
                throw new NumberFormatException();
            }
            limit = n;
        } catch (NumberFormatException e) {
            if (!value.equals(refused)) {
                refused = value;
                LOG.error("{}='{}' is not a whole number of connections of 1 or more; keeping {}: set {} to the"
                        + " connections all pools may open per PostgreSQL server (below its max_connections), or"
                        + " leave it out for {}", key, value.length() > 60 ? value.substring(0, 60) + "…" : value,
                        limit, key, DEFAULT);
            }
        }
    }

    /**
     * The budget's server key of a JDBC URL: the PostgreSQL server's host (lower case) and port (5432 when the URL
     * names none), so that {@code db} and {@code DB:5432} draw on one budget; null for SQLite (no server).
     */
    static String server(String jdbcUrl) {
        if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
            return null;
        }
        String rest = jdbcUrl.substring("jdbc:postgresql://".length());
        int end = rest.length();
        for (char c : new char[] { '/', '?' }) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        StringBuilder out = new StringBuilder();
        for (String hostPort : rest.substring(0, end).split(",")) {
            String h = hostPort.strip().toLowerCase(java.util.Locale.ROOT);
            int colon = h.startsWith("[") ? h.indexOf("]:") + 1 : h.lastIndexOf(':');
            String host = colon > 0 ? h.substring(0, colon) : h;
            String port = colon > 0 ? h.substring(colon + 1) : "5432";
            out.append(out.length() == 0 ? "" : ",").append(host.isEmpty() ? "localhost" : host).append(':')
                    .append(port);
        }
        return out.toString();
    }

    /** {@code dataSource} drawing on the budget of {@code server}; itself when there is no server. */
    static DataSource wrap(DataSource dataSource, String server, long timeoutMs) {
        return wrap(dataSource, server, timeoutMs, 0);
    }

    /**
     * {@code dataSource} drawing on the budget of {@code server}, with {@code guaranteed} connections kept for it
     * (once its pool is {@link #track tracked}, until the pool closes); itself when there is no server.
     */
    static DataSource wrap(DataSource dataSource, String server, long timeoutMs, int guaranteed) {
        if (server == null) {
            return dataSource;
        }
        return new Budgeted(dataSource, SERVERS.computeIfAbsent(server, s -> new ConnectionBudget()), timeoutMs,
                guaranteed);
    }

    /** Changes the connections kept for a pool's data source (a live edit); nothing when it has no budget. */
    static void guarantee(DataSource budgeted, int guaranteed) {
        if (budgeted instanceof Budgeted b) {
            synchronized (b.budget) {
                b.guaranteed = guaranteed;
                b.budget.notifyAll();
            }
        }
    }

    /** The budget is used up: saturation, not an outage of the database. */
    static final class Refused extends SQLTransientConnectionException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, "08004");
        }
    }

    /**
     * Registers a pool made on {@code server}'s budget, so that its idle connections can be asked back and its
     * guaranteed connections are kept for it while it is open.
     */
    static void track(String server, HikariDataSource pool, DataSource budgeted) {
        if (server == null) {
            return;
        }
        ConnectionBudget budget = SERVERS.computeIfAbsent(server, s -> new ConnectionBudget());
        budget.pools.removeIf(HikariDataSource::isClosed);
        if (pool != null) {
            budget.pools.add(pool);
        }
        if (budgeted instanceof Budgeted b) {
            synchronized (budget) {
                b.pool = pool;
                budget.shares.removeIf(x -> x.pool != null && x.pool.isClosed());
                budget.shares.add(b);
            }
        }
    }

    static void track(String server, HikariDataSource pool) {
        track(server, pool, null);
    }

    /**
     * Whether {@code asking} may open one more connection now. A pool below its own guarantee may take any free
     * connection: pools below their guarantee are served first come, first served. A pool at or above its
     * guarantee may only take what is left beyond the connections the other open pools are guaranteed and have not
     * taken yet: no pool grows into what is kept for the others.
     *
     * <p>Why not keep the others' guarantees from a pool below its own as well: the open pools' guarantees can add
     * up to more than the budget (a hundred tenants served within their idle timeout, one connection each, on a
     * budget of 90), and a connection taken early above a guarantee (a database's minimum pool) stays; counting
     * every unmet guarantee against a pool that has none of its own then left it nothing, and each idle connection
     * closed for it only added one more unmet guarantee: every tenant first served after that got 503 until an idle
     * pool closed, minutes later. Called with the budget's monitor held.
     */
    private boolean hasRoom(Budgeted asking) {
        if (open >= limit) {
            return false;
        }
        if (asking.open < asking.guaranteed) {
            return true;
        }
        int reserved = 0;
        for (java.util.Iterator<Budgeted> it = shares.iterator(); it.hasNext();) {
            Budgeted b = it.next();
            if (b.pool != null && b.pool.isClosed()) {
                it.remove();
            } else if (b != asking) {
                reserved += Math.max(0, b.guaranteed - b.open);
            }
        }
        return limit - open > reserved;
    }

    /** The most connections open at once on {@code server} since start: what shows that the budget held. */
    static int peak(String server) {
        ConnectionBudget b = SERVERS.get(server);
        return b == null ? 0 : b.peakNow();
    }

    private synchronized int peakNow() {
        return peak;
    }

    /** A permit for one more connection of {@code asking}, once the budget {@link #hasRoom has room} for it. */
    private void acquire(Budgeted asking, long timeoutMs) throws SQLException {
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        boolean asked = false;
        while (true) {
            synchronized (this) {
                if (hasRoom(asking)) {
                    open++;
                    asking.open++;
                    peak = Math.max(peak, open);
                    return;
                }
                long left = (end - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new Refused("the connection budget of " + limit + " connections to this database server"
                            + " is used up (" + PROPERTY + "; " + (open >= limit ? "all open"
                                    : (limit - open) + " kept for other databases' guaranteed connections") + ")");
                }
                if (asked) {
                    try {
                        wait(Math.min(left, 100)); // a closing connection wakes us; else ask again
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new SQLTransientConnectionException("interrupted while waiting for the connection budget");
                    }
                    asked = false;
                    continue;
                }
            }
            reclaimIdle(); // outside the lock: the connections it closes give their permits back through it
            asked = true;
        }
    }

    /**
     * Closes the idle connections of the quietest pool of this server: one with idle connections, none borrowed,
     * nobody waiting and no minimum to keep (a pool with a minimum would only open them again). Hikari closes them
     * on its own thread; each close gives a permit back.
     */
    private void reclaimIdle() {
        HikariDataSource quietest = null;
        int most = 0;
        for (HikariDataSource p : pools) {
            if (p.isClosed()) {
                pools.remove(p);
                continue;
            }
            HikariPoolMXBean bean = p.getHikariPoolMXBean();
            if (bean == null || p.getMinimumIdle() > 0 || bean.getActiveConnections() > 0
                    || bean.getThreadsAwaitingConnection() > 0) {
                continue;
            }
            int idle = bean.getIdleConnections();
            if (idle > most) {
                most = idle;
                quietest = p;
            }
        }
        if (quietest != null) {
            LOG.debug("Connection budget used up: closing {} idle connections of {}", most, quietest.getPoolName());
            quietest.getHikariPoolMXBean().softEvictConnections();
        }
    }

    private synchronized void release(Budgeted from) {
        open--;
        from.open--;
        notifyAll();
    }

    /** A physical connection holding a permit of the budget until it closes (or is aborted). */
    private static final class Permitted extends ForwardingConnection {
        private final Budgeted source;
        private final AtomicBoolean released = new AtomicBoolean();

        Permitted(Connection connection, Budgeted source) {
            super(connection);
            this.source = source;
        }

        @Override
        public void close() throws SQLException {
            try {
                delegate.close();
            } finally {
                release();
            }
        }

        @Override
        public void abort(java.util.concurrent.Executor executor) throws SQLException {
            try {
                delegate.abort(executor);
            } finally {
                release();
            }
        }

        private void release() {
            if (released.compareAndSet(false, true)) {
                source.budget.release(source); // closing twice gives back once
            }
        }
    }

    /** A data source whose physical connections hold a permit until they close. */
    private static final class Budgeted extends AbstractDataSource {
        private final DataSource target;
        private final ConnectionBudget budget;
        private final long timeoutMs;
        /** Connections kept for it; its connections open now; its pool (guarded by the budget's monitor). */
        private int guaranteed;
        private int open;
        private HikariDataSource pool;

        Budgeted(DataSource target, ConnectionBudget budget, long timeoutMs, int guaranteed) {
            this.target = target;
            this.budget = budget;
            this.timeoutMs = timeoutMs;
            this.guaranteed = guaranteed;
        }

        @Override
        public Connection getConnection() throws SQLException {
            budget.acquire(this, timeoutMs);
            Connection c;
            try {
                c = target.getConnection();
            } catch (SQLException | RuntimeException e) {
                budget.release(this);
                throw e;
            }
            return new Permitted(c, this);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return target.getLoginTimeout();
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            target.setLoginTimeout(seconds);
        }
    }
}
