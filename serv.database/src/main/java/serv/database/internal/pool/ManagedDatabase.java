package serv.database.internal.pool;

import java.sql.SQLException;
import java.util.Dictionary;
import java.util.Optional;
import java.util.Set;

import javax.sql.DataSource;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.jdbc.DataSourceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;

import serv.database.Database;
import serv.database.DatabaseState;
import serv.database.Dialect;
import serv.database.MigrationException;
import serv.database.PoolStats;
import serv.database.internal.DatabaseSettings;
import serv.database.internal.Errors;
import serv.database.internal.migration.MigrationCatalog;

/**
 * One configured database: its state and the decisions of its life (start a pool, resize it, replace it, check
 * it, migrate, stop), made from the parts that do the work: {@link PoolFactory}, {@link PoolHandover},
 * {@link ConnectivityProbe}, {@link MigrationGate} and {@link DatabaseRegistrations}. Its services stay registered
 * while the configuration exists, whatever happens to the pool behind them.
 */
final class ManagedDatabase implements Database, MigrationCatalog.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(ManagedDatabase.class);
    /** How often an UP database is checked, so that /health and routes notice an outage without traffic. */
    private static final long HEALTH_CHECK_MS = 5_000;
    /** Longest wait for borrowed connections when the database stops (configuration deleted, server stopping). */
    private static final long STOP_DRAIN_MS = 10_000;

    private final PoolScheduler scheduler;
    private final MigrationCatalog catalog;
    private final StableDataSource dataSource = new StableDataSource(this);
    private final PoolCounters counters = new PoolCounters();
    private final PoolHandover pools;
    private final ConnectivityProbe probe;
    private final MigrationGate gate;
    private final DatabaseRegistrations registrations;

    private volatile DatabaseSettings settings;
    private volatile String fallbackName;
    private volatile Status status = Status.STARTING;
    private volatile DataSourceFactory driver;

    ManagedDatabase(BundleContext context, PoolScheduler scheduler, MigrationCatalog catalog) {
        this.scheduler = scheduler;
        this.catalog = catalog;
        this.pools = new PoolHandover(scheduler, this::label);
        this.probe = new ConnectivityProbe(scheduler, this, this::probe, () -> pools.serving() != null);
        this.gate = new MigrationGate(catalog);
        this.registrations = new DatabaseRegistrations(context, this, dataSource);
        catalog.addListener(this);
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
        return status.state();
    }

    @Override
    public boolean readyFor(long bundleId) {
        return status.state() == DatabaseState.UP && gate.readyFor(bundleId);
    }

    @Override
    public Optional<String> reason() {
        Status s = status;
        return s.state() == DatabaseState.UP ? Optional.empty() : Optional.ofNullable(s.reason());
    }

    @Override
    public PoolStats stats() {
        HikariDataSource p = pools.serving();
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

    // ---- for the stable data source ---------------------------------------------------------------------------

    HikariDataSource servingPool() {
        return pools.serving();
    }

    String unavailableMessage() {
        Status s = status;
        return "database " + label() + " is " + s.state() + (s.reason() == null ? "" : " (" + s.reason() + ")");
    }

    int loginTimeoutSeconds() {
        DatabaseSettings s = settings;
        return s == null ? 0 : (int) (s.connectionTimeoutMs() / 1000);
    }

    // ---- life cycle, called by DatabaseComponent under its lock ------------------------------------------

    /** Starts with a configuration that could not be read: the database exists, FAILED, with the reason. */
    synchronized void fail(String name, String why) {
        fallbackName = name;
        settings = null;
        closePools("configuration rejected");
        setStatus(DatabaseState.FAILED, why);
        registrations.withdrawDataSource();
        registrations.publish(serviceProperties());
    }

    /** Applies a (new or changed) valid configuration. */
    synchronized void apply(DatabaseSettings next) {
        DatabaseSettings previous = settings;
        settings = next;
        fallbackName = next.name();
        registrations.publish(serviceProperties());
        HikariDataSource current = pools.serving();
        if (current == null || previous == null) {
            startPool("started");
        } else if (previous.needsNewPool(next)) {
            startPool("switched to a new pool");
        } else {
            PoolFactory.resize(current, next);
            LOG.info("Database {}: reconfigured in place (min idle {}, max {}, connection timeout {} ms)",
                    next.label(), next.minIdle(), next.maxPoolSize(), next.connectionTimeoutMs());
            if (status.state() == DatabaseState.FAILED) {
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
        if (settings != null && pools.serving() == null && status.state() != DatabaseState.FAILED) {
            startPool("started");
        }
    }

    synchronized void driverGone(DataSourceFactory factory) {
        if (driver == factory) {
            driver = null;
            if (pools.serving() != null) {
                closePools("its JDBC driver went away");
                setStatus(DatabaseState.STARTING, "waiting for the " + wantedDialect().id() + " JDBC driver");
            }
        }
    }

    Dialect wantedDialect() {
        DatabaseSettings s = settings;
        return s == null ? null : s.url().dialect();
    }

    synchronized void stop() {
        catalog.removeListener(this);
        registrations.withdrawAll();
        setStatus(DatabaseState.STOPPED, "stopped");
        probe.nextGeneration();
        if (pools.stop(STOP_DRAIN_MS)) {
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
            setStatus(DatabaseState.STARTING, "waiting for the " + s.url().dialect().id() + " JDBC driver");
            return;
        }
        HikariDataSource next;
        try {
            next = PoolFactory.create(s, factory, counters, this::suspectOutage);
        } catch (SQLException | RuntimeException e) {
            closePools("it could not be replaced");
            setStatus(DatabaseState.FAILED, "the pool could not be created: " + Errors.describe(e));
            registrations.withdrawDataSource();
            LOG.error("Database {}: the pool could not be created: {}", s.label(), Errors.describe(e));
            return;
        }
        probe.nextGeneration();
        gate.reset();
        LOG.info("Database {}: pool {} ({} {}, min idle {}, max {})", s.label(), verb, s.url().dialect().id(),
                s.url().safeDescription(), s.minIdle(), s.maxPoolSize());
        if (pools.serving() != null && status.state() == DatabaseState.UP) {
            // Zero failed requests: the serving pool keeps serving until the new one answers and is migrated.
            pools.stage(next);
        } else {
            pools.serve(next);
            if (status.state() != DatabaseState.UP) {
                setStatus(DatabaseState.STARTING, "connecting");
            }
            registrations.publishDataSource(serviceProperties());
        }
        probe.resetBackoff();
        probe.request(0);
    }

    private void closePools(String why) {
        probe.nextGeneration();
        if (pools.closeAll()) {
            LOG.info("Database {}: pool closed because {}", label(), why);
        }
    }

    /** Checks that the database answers (the pending pool first); moves to UP, or to RETRYING with a backoff. */
    private void probe(int generation) {
        HikariDataSource p;
        boolean fresh;
        synchronized (this) {
            p = pools.candidate();
            fresh = p == pools.pending() || !gate.migrated();
            if (p == null || generation != probe.generation()) {
                if (p != null) {
                    probe.again();
                }
                return;
            }
        }
        DatabaseSettings current = settings;
        String failure = ConnectivityProbe.check(p, current, fresh);
        if (failure == null && fresh && !migrate(p)) {
            return;
        }
        synchronized (this) {
            if (!pools.holds(p)) {
                return;
            }
            pools.promote(p);
            if (failure == null) {
                if (status.state() != DatabaseState.UP) {
                    LOG.info("Database {}: UP", label());
                }
                probe.resetBackoff();
                setStatus(DatabaseState.UP, null);
                probe.recheckLater(HEALTH_CHECK_MS);
            } else {
                long delay = probe.nextBackoff();
                LOG.warn("Database {}: unreachable ({}); retrying in {} ms", label(), failure, delay);
                setStatus(DatabaseState.RETRYING, failure + "; next try in " + delay / 1000.0 + " s");
                probe.recheckLater(delay);
            }
        }
    }

    /**
     * Applies pending migrations before the database is published as UP (routes answer 503 meanwhile).
     *
     * @return true when they ran; false when the database is now FAILED
     */
    private boolean migrate(HikariDataSource p) {
        DatabaseSettings s = settings;
        if (s == null) {
            return false;
        }
        // Extensions that arrived before this point have their migrations in this run; later ones wait for the next.
        Set<Long> waiting = gate.waiting();
        try {
            gate.apply(s, p);
            synchronized (this) {
                if (pools.holds(p)) {
                    gate.applied(waiting);
                }
            }
            return true;
        } catch (MigrationException e) {
            LOG.error("Database {}: FAILED: {}", s.label(), e.getMessage());
            synchronized (this) {
                if (pools.holds(p)) {
                    pools.promote(p);
                    setStatus(DatabaseState.FAILED, e.getMessage());
                }
            }
            return false;
        }
    }

    /**
     * An extension with migrations for this database was deployed: apply them before its routes use them. An UP
     * database stays UP meanwhile, so the routes of the other extensions go on being served; only the newcomer's
     * routes wait ({@link #readyFor(long)}).
     */
    @Override
    public synchronized void extensionArrived(Set<String> databases, Bundle bundle) {
        if (concerns(databases) && pools.serving() != null && status.state() != DatabaseState.STOPPED) {
            gate.expect(bundle.getBundleId());
            if (status.state() == DatabaseState.UP) {
                gate.reset();
                probe.request(0);
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
            gate.forget(bundle.getBundleId()); // stopping: it has no routes left to wait
        }
        if (pools.serving() != null && status.state() == DatabaseState.FAILED) {
            migrateAgain();
        }
    }

    private boolean concerns(Set<String> databases) {
        DatabaseSettings s = settings;
        return s != null && databases.contains(s.name());
    }

    /** Applies the migrations again before the database is UP again; routes answer 503 meanwhile. */
    private void migrateAgain() {
        gate.reset();
        DatabaseState state = status.state();
        if (state == DatabaseState.UP || state == DatabaseState.FAILED) {
            setStatus(DatabaseState.STARTING, "applying migrations");
        }
        probe.request(0);
    }

    /** A connection broke under a query: probe now (the probe decides whether the database is down). */
    private synchronized void suspectOutage() {
        if (status.state() == DatabaseState.UP && pools.serving() != null) {
            probe.request(0);
        }
    }

    /**
     * A borrowing timed out. When new connections could not be made (Hikari gives the last failure as the cause),
     * the database may be gone: RETRYING, checked at once. Every connection in use (no cause) or the server's
     * connection budget used up is saturation, not an outage: that borrower gets its 503 and the database stays UP,
     * or a load peak would keep it answering 503 for a whole probe round after the peak.
     */
    synchronized void connectionFailed(SQLException e) {
        if (e.getCause() == null || e.getCause() instanceof ConnectionBudget.Refused) {
            return;
        }
        if (status.state() == DatabaseState.UP && pools.serving() != null) {
            setStatus(DatabaseState.RETRYING, Errors.describe(e));
            LOG.warn("Database {}: a connection could not be had ({}); checking the database", label(),
                    Errors.describe(e));
            probe.request(0);
        }
    }

    private void setStatus(DatabaseState state, String why) {
        status = new Status(state, why);
    }

    private Dictionary<String, Object> serviceProperties() {
        DatabaseSettings s = settings;
        return DatabaseRegistrations.properties(name(), s == null ? null : s.tenant(),
                s == null ? null : s.url().dialect());
    }
}
