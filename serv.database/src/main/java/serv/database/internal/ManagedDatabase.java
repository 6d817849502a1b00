package serv.database.internal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.jdbc.DataSourceFactory;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.SQLExceptionOverride;

import serv.database.Database;
import serv.database.DatabaseState;
import serv.database.Dialect;
import serv.database.MigrationException;
import serv.database.PoolStats;

/**
 * One configured database: its Hikari pool, its state, and its two services ({@link Database} and
 * {@link DataSource}). The services stay registered while the configuration exists, whatever happens to the pool
 * behind them: resizing changes the live pool, a new URL or new credentials start a new pool behind the same
 * services and drain the old one.
 */
final class ManagedDatabase implements Database, MigrationExtender.Listener {

    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(ManagedDatabase.class);
    private static final long MAX_BACKOFF_MS = 30_000;
    /** How often an UP database is checked, so that /health and routes notice an outage without traffic. */
    private static final long HEALTH_CHECK_MS = 5_000;
    /** Longest wait for a replaced pool's borrowed connections before it is closed anyway. */
    private static final long DRAIN_MS = 30_000;
    /** Longest wait for borrowed connections when the database stops (configuration deleted, server stopping). */
    private static final long STOP_DRAIN_MS = 10_000;

    private final BundleContext context;
    private final PoolScheduler scheduler;
    private final MigrationExtender migrations;
    private final StableDataSource dataSource = new StableDataSource();
    private final PoolCounters counters = new PoolCounters();

    private volatile DatabaseSettings settings;
    private volatile String fallbackName;
    /** The pool that serves. */
    private volatile HikariDataSource pool;
    /** A pool for new settings, being checked and migrated; it replaces {@link #pool} once ready. */
    private volatile HikariDataSource pending;
    private volatile DatabaseState state = DatabaseState.STARTING;
    private volatile String reason;
    private volatile DataSourceFactory driver;
    private ServiceRegistration<Database> databaseRegistration;
    private ServiceRegistration<DataSource> dataSourceRegistration;
    private long backoffMs = 1000;
    private boolean probeScheduled;
    private boolean probeAgain;
    private java.util.concurrent.ScheduledFuture<?> recheck;
    private int generation;

    private boolean migrated;
    /** Extensions (bundle ids) whose migrations for this database are not applied yet: their routes wait. */
    private final Set<Long> awaiting = ConcurrentHashMap.newKeySet();

    ManagedDatabase(BundleContext context, PoolScheduler scheduler, MigrationExtender migrations) {
        this.context = context;
        this.scheduler = scheduler;
        this.migrations = migrations;
        migrations.addListener(this);
    }

    // ---- Database API -------------------------------------------------------------------------------------

    @Override
    public String name() {
        DatabaseSettings s = settings;
        return s != null ? s.name() : fallbackName;
    }

    @Override
    public Optional<String> tenant() {
        DatabaseSettings s = settings;
        return Optional.ofNullable(s == null ? null : s.tenant());
    }

    @Override
    public Optional<Dialect> dialect() {
        DatabaseSettings s = settings;
        return Optional.ofNullable(s == null ? null : s.url().dialect());
    }

    @Override
    public DatabaseState state() {
        return state;
    }

    @Override
    public boolean readyFor(long bundleId) {
        return state == DatabaseState.UP && !awaiting.contains(bundleId);
    }

    @Override
    public Optional<String> reason() {
        return state == DatabaseState.UP ? Optional.empty() : Optional.ofNullable(reason);
    }

    @Override
    public PoolStats stats() {
        HikariDataSource p = pool;
        HikariPoolMXBean bean = p == null ? null : p.getHikariPoolMXBean();
        long acquired = counters.acquired.sum();
        long nanos = counters.acquireNanos.sum();
        long timeouts = counters.timeouts.sum();
        if (bean == null) {
            return new PoolStats(0, 0, 0, 0, acquired, nanos, timeouts);
        }
        return new PoolStats(bean.getActiveConnections(), bean.getIdleConnections(),
                bean.getThreadsAwaitingConnection(), p.getMaximumPoolSize(), acquired, nanos, timeouts);
    }

    @Override
    public DataSource dataSource() {
        return dataSource;
    }

    // ---- life cycle, called by DatabaseComponent under its lock ------------------------------------------

    /** Starts with a configuration that could not be read: the database exists, FAILED, with the reason. */
    synchronized void fail(String name, String why) {
        fallbackName = name;
        settings = null;
        closePool("configuration rejected");
        setState(DatabaseState.FAILED, why);
        unregisterDataSource();
        registerOrUpdate();
    }

    /** Applies a (new or changed) valid configuration. */
    synchronized void apply(DatabaseSettings next) {
        DatabaseSettings previous = settings;
        settings = next;
        fallbackName = next.name();
        registerOrUpdate();
        HikariDataSource current = pool;
        if (current == null || previous == null) {
            startPool("started");
        } else if (previous.needsNewPool(next)) {
            startPool("switched to a new pool");
        } else {
            resize(current, next);
            LOG.info("Database {}: reconfigured in place (min idle {}, max {}, connection timeout {} ms)",
                    next.label(), next.minIdle(), next.maxPoolSize(), next.connectionTimeoutMs());
            if (state == DatabaseState.FAILED) {
                migrateAgain(); // FAILED by a migration: a configuration change is the operator's "try again"
            }
        }
    }

    /** Sets the driver (or none) for the next pool, without starting one. */
    synchronized void useDriver(DataSourceFactory factory) {
        driver = factory;
    }

    synchronized void driverAvailable(DataSourceFactory factory) {
        driver = factory;
        if (settings != null && pool == null && state != DatabaseState.FAILED) {
            startPool("started");
        }
    }

    synchronized void driverGone(DataSourceFactory factory) {
        if (driver == factory) {
            driver = null;
            if (pool != null) {
                closePool("its JDBC driver went away");
                setState(DatabaseState.STARTING, "waiting for the " + wantedDialect().id() + " JDBC driver");
            }
        }
    }

    Dialect wantedDialect() {
        DatabaseSettings s = settings;
        return s == null ? null : s.url().dialect();
    }

    synchronized void stop() {
        migrations.removeListener(this);
        unregisterDataSource();
        if (databaseRegistration != null) {
            try {
                databaseRegistration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping and the framework has already taken the registration away
            }
            databaseRegistration = null;
        }
        setState(DatabaseState.STOPPED, "stopped");
        generation++;
        HikariDataSource p = pool;
        HikariDataSource q = pending;
        pool = null;
        pending = null;
        if (q != null) {
            q.close();
        }
        if (p != null) {
            // New borrowings are refused from here on (pool is null); the requests holding a connection finish.
            awaitIdle(p, STOP_DRAIN_MS);
            p.close();
            LOG.info("Database {}: pool stopped", label());
        }
    }

    // ---- internals ----------------------------------------------------------------------------------------

    private String label() {
        DatabaseSettings s = settings;
        return s != null ? s.label() : fallbackName;
    }

    private void startPool(String verb) {
        DatabaseSettings s = settings;
        DataSourceFactory factory = driver;
        if (factory == null) {
            setState(DatabaseState.STARTING, "waiting for the " + s.url().dialect().id() + " JDBC driver");
            return;
        }
        HikariDataSource next;
        try {
            next = new HikariDataSource(hikariConfig(s, factory));
            ConnectionBudget.track(ConnectionBudget.server(s.url().jdbcUrl()), next);
        } catch (SQLException | RuntimeException e) {
            closePool("it could not be replaced");
            setState(DatabaseState.FAILED, "the pool could not be created: " + describe(e));
            unregisterDataSource();
            LOG.error("Database {}: the pool could not be created: {}", s.label(), describe(e));
            return;
        }
        generation++;
        migrated = false;
        LOG.info("Database {}: pool {} ({} {}, min idle {}, max {})", s.label(), verb, s.url().dialect().id(),
                s.url().safeDescription(), s.minIdle(), s.maxPoolSize());
        if (pool != null && state == DatabaseState.UP) {
            // Zero failed requests: the serving pool keeps serving until the new one answers and is migrated.
            HikariDataSource abandoned = pending;
            pending = next;
            if (abandoned != null) {
                scheduler.execute(abandoned::close);
            }
            backoffMs = 1000;
            scheduleProbe(0);
            return;
        }
        HikariDataSource old = pool;
        pool = next;
        drain(old, s);
        if (state != DatabaseState.UP) {
            setState(DatabaseState.STARTING, "connecting");
        }
        registerDataSource();
        backoffMs = 1000;
        scheduleProbe(0);
    }

    /**
     * Closes a replaced pool in the background once it is idle: new borrowings already go to the new pool, and the
     * requests still holding or waiting for one of the old pool's connections are served first (bounded by
     * {@link #DRAIN_MS}).
     */
    private void drain(HikariDataSource old, DatabaseSettings s) {
        if (old == null) {
            return;
        }
        long deadline = System.nanoTime() + DRAIN_MS * 1_000_000;
        Runnable check = new Runnable() {
            @Override
            public void run() {
                HikariPoolMXBean bean = old.getHikariPoolMXBean();
                boolean busy = bean != null
                        && (bean.getActiveConnections() > 0 || bean.getThreadsAwaitingConnection() > 0);
                if (busy && System.nanoTime() < deadline) {
                    scheduler.schedule(this, 50);
                    return;
                }
                old.close();
                LOG.info("Database {}: previous pool drained and closed", s == null ? label() : s.label());
            }
        };
        scheduler.execute(check);
    }

    /** Waits (bounded) until no connection of {@code p} is borrowed or waited for. */
    private static void awaitIdle(HikariDataSource p, long maxMs) {
        long end = System.nanoTime() + maxMs * 1_000_000;
        HikariPoolMXBean bean = p.getHikariPoolMXBean();
        while (bean != null && (bean.getActiveConnections() > 0 || bean.getThreadsAwaitingConnection() > 0)
                && System.nanoTime() < end) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Makes the pending pool the serving one. */
    private void promote(HikariDataSource p) {
        if (pending == p) {
            HikariDataSource old = pool;
            pool = p;
            pending = null;
            drain(old, settings);
            LOG.info("Database {}: now served by the new pool", label());
        }
    }

    private HikariConfig hikariConfig(DatabaseSettings s, DataSourceFactory factory) throws SQLException {
        Properties props = new Properties();
        props.setProperty(DataSourceFactory.JDBC_URL, s.url().jdbcUrl());
        if (s.user() != null) {
            props.setProperty(DataSourceFactory.JDBC_USER, s.user());
        }
        if (s.password() != null) {
            props.setProperty(DataSourceFactory.JDBC_PASSWORD, s.password());
        }
        if (s.url().dialect() == Dialect.SQLITE) {
            props.setProperty(SqliteDataSourceFactory.BUSY_TIMEOUT, Long.toString(s.connectionTimeoutMs()));
        }
        HikariConfig config = new HikariConfig();
        config.setDataSource(ConnectionBudget.wrap(factory.createDataSource(props),
                ConnectionBudget.server(s.url().jdbcUrl()), s.connectionTimeoutMs()));
        config.setPoolName("serv-" + (s.tenant() == null ? "" : s.tenant() + "-") + s.name());
        config.setMetricsTrackerFactory(counters);
        // A connection that breaks under a query (SQLState 08...) may mean the server is gone: check now rather
        // than at the next periodic probe. Hikari still evicts the connection as it would.
        config.setExceptionOverride(new SQLExceptionOverride() {
            @java.lang.Override
            public SQLExceptionOverride.Override adjudicate(SQLException e) {
                if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                    suspectOutage();
                }
                return SQLExceptionOverride.Override.CONTINUE_EVICT;
            }
        });
        config.setMinimumIdle(s.minIdle());
        config.setMaximumPoolSize(s.maxPoolSize());
        config.setConnectionTimeout(s.connectionTimeoutMs());
        config.setValidationTimeout(Math.min(s.connectionTimeoutMs(), 5000));
        config.setIdleTimeout(s.idleTimeoutMs());
        config.setMaxLifetime(s.maxLifetimeMs());
        // Never fail at start: an unreachable database is RETRYING, not a failed component.
        config.setInitializationFailTimeout(-1);
        if (s.url().dialect() == Dialect.POSTGRESQL && s.commandTimeoutMs() > 0) {
            config.setConnectionInitSql("SET statement_timeout = " + s.commandTimeoutMs());
        }
        return config;
    }

    private static void resize(HikariDataSource pool, DatabaseSettings s) {
        HikariConfigMXBean bean = pool.getHikariConfigMXBean();
        // Raise the maximum before the minimum and lower the minimum before the maximum: Hikari refuses min > max.
        if (s.maxPoolSize() >= bean.getMaximumPoolSize()) {
            bean.setMaximumPoolSize(s.maxPoolSize());
            bean.setMinimumIdle(s.minIdle());
        } else {
            bean.setMinimumIdle(s.minIdle());
            bean.setMaximumPoolSize(s.maxPoolSize());
        }
        bean.setConnectionTimeout(s.connectionTimeoutMs());
        bean.setValidationTimeout(Math.min(s.connectionTimeoutMs(), 5000));
        bean.setIdleTimeout(s.idleTimeoutMs());
        bean.setMaxLifetime(s.maxLifetimeMs());
    }

    private void closePool(String why) {
        HikariDataSource p = pool;
        HikariDataSource q = pending;
        pool = null;
        pending = null;
        generation++;
        if (q != null) {
            scheduler.execute(q::close);
        }
        if (p != null) {
            drain(p, settings);
            LOG.info("Database {}: pool closed because {}", label(), why);
        }
    }

    /**
     * Probes again after {@code delayMs}, unless the pool has been replaced or closed by then. There is one pending
     * re-check at most: a new one replaces it.
     */
    private void recheckLater(long delayMs) {
        if (recheck != null) {
            recheck.cancel(false);
        }
        int g = generation;
        recheck = scheduler.schedule(() -> {
            synchronized (this) {
                if (g == generation && pool != null) {
                    scheduleProbe(0);
                }
            }
        }, delayMs);
    }

    /** Probes run one at a time: a probe asked for while one is scheduled or running runs right after it. */
    private void scheduleProbe(long delayMs) {
        if (probeScheduled) {
            probeAgain = true;
            return;
        }
        probeScheduled = true;
        int gen = generation;
        scheduler.schedule(() -> {
            try {
                probe(gen);
            } finally {
                synchronized (this) {
                    probeScheduled = false;
                    if (probeAgain) {
                        probeAgain = false;
                        scheduleProbe(0);
                    }
                }
            }
        }, delayMs);
    }

    /** Checks that the database answers; moves to UP, or to RETRYING with a growing delay. */
    private void probe(int gen) {
        HikariDataSource p;
        boolean fresh;
        synchronized (this) {
            p = pending != null ? pending : pool;
            fresh = p == pending || !migrated;
            if (p == null || gen != generation) {
                probeAgain |= p != null;
                return;
            }
        }
        String failure = null;
        DatabaseSettings current = settings;
        int validSeconds = current == null ? 5 : (int) Math.max(1, (current.connectionTimeoutMs() + 999) / 1000);
        try (Connection c = p.getConnection()) {
            if (!c.isValid(validSeconds)) {
                failure = "the database did not answer a validity check";
            } else if (fresh && current != null && current.schema() != null) {
                // Schema per tenant: the connections' search path names it; it must exist before migrations.
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("CREATE SCHEMA IF NOT EXISTS \"" + current.schema() + "\"");
                }
            }
        } catch (SQLException | RuntimeException e) {
            failure = describe(e);
        }
        if (failure == null && fresh) {
            String migrationFailure = runMigrations(p);
            if (migrationFailure != null) {
                return;
            }
        }
        synchronized (this) {
            if (pool != p && pending != p) {
                return;
            }
            promote(p);
            if (failure == null) {
                if (state != DatabaseState.UP) {
                    LOG.info("Database {}: UP", label());
                }
                backoffMs = 1000;
                setState(DatabaseState.UP, null);
                recheckLater(HEALTH_CHECK_MS);
            } else {
                LOG.warn("Database {}: unreachable ({}); retrying in {} ms", label(), failure, backoffMs);
                setState(DatabaseState.RETRYING, failure + "; next try in " + backoffMs / 1000.0 + " s");
                recheckLater(backoffMs);
                backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            }
        }
    }

    /**
     * Applies pending migrations before the database is published as UP (routes answer 503 meanwhile).
     *
     * @return null when they ran, else the reason the database is now FAILED
     */
    private String runMigrations(HikariDataSource p) {
        DatabaseSettings s = settings;
        if (s == null) {
            return "no configuration";
        }
        // Extensions that arrived before this point have their migrations in this run; later ones wait for the next.
        Set<Long> applied = Set.copyOf(awaiting);
        try {
            migrations.migrate(s.name(), s.url().dialect(), p);
            synchronized (this) {
                if (pool == p || pending == p) {
                    migrated = true;
                    awaiting.removeAll(applied);
                }
            }
            return null;
        } catch (MigrationException e) {
            LOG.error("Database {}: FAILED: {}", s.label(), e.getMessage());
            synchronized (this) {
                if (pool == p || pending == p) {
                    promote(p);
                    setState(DatabaseState.FAILED, e.getMessage());
                }
            }
            return e.getMessage();
        }
    }

    /**
     * An extension with migrations for this database was deployed: apply them before its routes use them. An UP
     * database stays UP meanwhile, so the routes of the other extensions go on being served; only the newcomer's
     * routes wait ({@link #readyFor(long)}).
     */
    @Override
    public synchronized void extensionArrived(Set<String> databases, Bundle bundle) {
        if (concerns(databases) && pool != null && state != DatabaseState.STOPPED) {
            awaiting.add(bundle.getBundleId());
            if (state == DatabaseState.UP) {
                migrated = false;
                scheduleProbe(0);
            } else {
                migrateAgain();
            }
        }
    }

    /** An extension with migrations for this database went: if they had failed it, check again without them. */
    @Override
    public synchronized void extensionLeft(Set<String> databases, Bundle bundle) {
        if (!concerns(databases)) {
            return;
        }
        if ((bundle.getState() & (Bundle.STARTING | Bundle.ACTIVE)) == 0) {
            awaiting.remove(bundle.getBundleId()); // stopping: it has no routes left to wait
        }
        if (pool != null && state == DatabaseState.FAILED) {
            migrateAgain();
        }
    }

    private boolean concerns(Set<String> databases) {
        DatabaseSettings s = settings;
        return s != null && databases.contains(s.name());
    }

    /** Applies the migrations again before the database is UP again; routes answer 503 meanwhile. */
    private void migrateAgain() {
        migrated = false;
        if (state == DatabaseState.UP || state == DatabaseState.FAILED) {
            setState(DatabaseState.STARTING, "applying migrations");
        }
        scheduleProbe(0);
    }

    /** A connection broke under a query: probe now (the probe decides whether the database is down). */
    private synchronized void suspectOutage() {
        if (state == DatabaseState.UP && pool != null) {
            scheduleProbe(0);
        }
    }

    /**
     * A borrowing timed out. When new connections could not be made (Hikari gives the last failure as the cause),
     * the database may be gone: RETRYING, checked at once. Every connection in use (no cause) or the server's
     * connection budget used up is saturation, not an outage: that borrower gets its 503 and the database stays UP,
     * or a load peak would keep it answering 503 for a whole probe round after the peak.
     */
    private synchronized void connectionFailed(SQLException e) {
        if (e.getCause() == null || e.getCause() instanceof ConnectionBudget.Refused) {
            return;
        }
        if (state == DatabaseState.UP && pool != null) {
            setState(DatabaseState.RETRYING, describe(e));
            LOG.warn("Database {}: a connection could not be had ({}); checking the database", label(), describe(e));
            scheduleProbe(0);
        }
    }

    private void setState(DatabaseState next, String why) {
        state = next;
        reason = why;
    }

    private void registerOrUpdate() {
        Dictionary<String, Object> props = serviceProperties();
        if (databaseRegistration == null) {
            databaseRegistration = context.registerService(Database.class, this, props);
        } else {
            databaseRegistration.setProperties(props);
        }
        if (dataSourceRegistration != null) {
            dataSourceRegistration.setProperties(props);
        }
    }

    private void registerDataSource() {
        if (dataSourceRegistration == null) {
            dataSourceRegistration = context.registerService(DataSource.class, dataSource, serviceProperties());
        }
    }

    private void unregisterDataSource() {
        if (dataSourceRegistration != null) {
            try {
                dataSourceRegistration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping and the framework has already taken the registration away
            }
            dataSourceRegistration = null;
        }
    }

    /** Name, tenant, dialect and JNDI name; never a URL or a credential. */
    private Dictionary<String, Object> serviceProperties() {
        Hashtable<String, Object> props = new Hashtable<>();
        String name = name();
        props.put(NAME, name);
        props.put(JNDI_NAME, tenant().map(t -> t + "/" + name).orElse(name));
        tenant().ifPresent(t -> props.put(TENANT, t));
        if (settings != null) {
            props.put(DIALECT, settings.url().dialect().id());
        }
        return props;
    }

    /** An exception's message chain without class names, for states and logs. */
    static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null && out.length() < 300; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank() && out.indexOf(m) < 0) {
                out.append(out.length() == 0 ? "" : ": ").append(m.strip());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return out.length() == 0 ? "unknown error" : out.toString();
    }

    /**
     * The data source published as a service: stable across pool swaps, it hands out connections from whichever
     * pool is current.
     */
    private final class StableDataSource implements DataSource {

        @Override
        public Connection getConnection() throws SQLException {
            HikariDataSource p = pool;
            if (p == null) {
                throw new SQLTransientConnectionException("database " + label() + " is " + state
                        + (reason == null ? "" : " (" + reason + ")"), "08001");
            }
            try {
                return p.getConnection();
            } catch (SQLTransientConnectionException e) {
                connectionFailed(e);
                throw e;
            } catch (SQLException e) {
                if (p.isClosed() && pool != null && pool != p) {
                    return pool.getConnection(); // lost the race with a pool swap: use the new pool
                }
                throw e;
            }
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            throw new SQLFeatureNotSupportedException("Serv pools use the configured credentials");
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
            // pools log through SLF4J
        }

        @Override
        public void setLoginTimeout(int seconds) {
            // the configured connection_timeout applies
        }

        @Override
        public int getLoginTimeout() {
            DatabaseSettings s = settings;
            return s == null ? 0 : (int) (s.connectionTimeoutMs() / 1000);
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            if (iface.isInstance(this)) {
                return iface.cast(this);
            }
            throw new SQLException("not a wrapper for " + iface.getName());
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return iface.isInstance(this);
        }
    }
}
