package serv.database.internal.pool;

import java.sql.SQLException;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

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
import serv.database.internal.migration.MigrationRunner;

/**
 * One configured database: its state and the decisions of its life (start a pool, resize it, replace it, check
 * it, migrate, stop), made from the parts that do the work: {@link PoolFactory}, {@link PoolHandover},
 * {@link ConnectivityProbe}, {@link MigrationGate} and {@link DatabaseRegistrations}. Its services stay registered
 * while the configuration exists, whatever happens to the pool behind them.
 *
 * <p>What serves is only ever replaced by something better: a wrong configuration is refused while the last good
 * one goes on serving ({@link #rejectedChange()}); a new URL or new credentials take over only once their pool has
 * connected and been migrated ({@link #pendingChange()}); a migration that fails stops only its own extension
 * ({@link #failedExtensions()}); a pool that is busy is not down.
 */
final class ManagedDatabase implements Database, MigrationCatalog.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(ManagedDatabase.class);
    /** How often an UP database is checked, so that /health and routes notice an outage without traffic. */
    private static final long HEALTH_CHECK_MS = 5_000;
    /** A request that meets a RETRYING database has it checked at once when the last check is older than this. */
    private static final long RECHECK_ON_REQUEST_NANOS = 1_000_000_000L;
    /** Longest wait for borrowed connections when the database stops (configuration deleted, server stopping). */
    static final long STOP_DRAIN_MS = 10_000;

    private final BundleContext context;
    private final PoolScheduler scheduler;
    private final MigrationCatalog catalog;
    private final StableDataSource dataSource = new StableDataSource(this);
    private final PoolCounters counters = new PoolCounters();
    private final PoolHandover pools;
    private final ConnectivityProbe probe;
    private final MigrationGate gate;
    private final DatabaseRegistrations registrations;

    /** The configuration that serves (the last good one). */
    private volatile DatabaseSettings settings;
    /**
     * The dialect of the pool that serves, and of the one staged to take over: while a change to another database
     * is checked, requests (and JPA's choice of SQL) still run on the previous one.
     */
    private volatile Dialect servingDialect;
    private volatile Dialect stagedDialect;
    private volatile String fallbackName;
    /**
     * The tenant of a database whose configuration could not be read (null: the server's own): a tenant's database
     * that failed must not be taken for the server's database of its name.
     */
    private volatile String fallbackTenant;
    private volatile Status status = Status.STARTING;
    private volatile DataSourceFactory driver;
    /** The last configuration refused while a good one serves, with the key and the fix; null when none. */
    private volatile String rejected;
    /** Why the pending pool does not serve yet; null while there is none or it is being checked. */
    private volatile String pendingProblem;
    /** When the last check started: a request that meets an outage checks again when it is old. */
    private volatile long lastCheckNanos = System.nanoTime();
    private final AtomicBoolean checkRequested = new AtomicBoolean();
    /** Connections handed out as of the last check: more since, and nothing broke, means the database answers. */
    private long lastAcquired = -1;
    /** A connection broke under a query since the last check: the next check borrows one for real. */
    private volatile boolean suspect;
    /** When {@link #tablesChanged} last replaced a pool's connections (System.nanoTime; 0: never). */
    private volatile long lastStalePlanEviction;
    /** The last outage reason logged at WARN, so that an outage is logged once, not at every check. */
    private String lastLoggedFailure;
    /**
     * The pool the database was last UP on: the one whose connections requests used. A pool that was never UP
     * handed its connections to the checks and the migrations only.
     */
    private volatile HikariDataSource servedBy;

    ManagedDatabase(BundleContext context, PoolScheduler scheduler, MigrationCatalog catalog) {
        this.context = context;
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
        return Optional.ofNullable(s == null ? fallbackTenant : s.tenant());
    }

    @Override
    public Optional<Dialect> dialect() {
        if (pools.serving() != null && servingDialect != null) {
            return Optional.of(servingDialect);
        }
        DatabaseSettings s = settings; // nothing serves yet: what will
        return Optional.ofNullable(s == null ? null : s.url().dialect());
    }

    /** The state; a RETRYING database met by a caller is checked again at once when its last check is old. */
    @Override
    public DatabaseState state() {
        DatabaseState state = status.state();
        if (state == DatabaseState.RETRYING && System.nanoTime() - lastCheckNanos > RECHECK_ON_REQUEST_NANOS) {
            checkSoon();
        }
        return state;
    }

    @Override
    public boolean readyFor(long bundleId) {
        return status.state() == DatabaseState.UP && gate.readyFor(bundleId, symbolicName(bundleId));
    }

    @Override
    public Optional<String> reasonFor(long bundleId) {
        DatabaseState state = state();
        if (state != DatabaseState.UP) {
            return Optional.of("database " + name() + " is " + state);
        }
        if (gate.waitingFor(bundleId)) {
            return Optional.of("database " + name() + " is applying this extension's migrations");
        }
        String bsn = symbolicName(bundleId);
        MigrationRunner.Failure failure = bsn == null ? null : gate.failed().get(bsn);
        return failure == null ? Optional.empty() : Optional.of(failure.unavailable(bsn, name()));
    }

    @Override
    public Map<String, String> heldBackExtensions() {
        Map<String, String> out = new LinkedHashMap<>();
        gate.failed().forEach((bsn, f) -> {
            if (f.heldBack()) {
                out.put(bsn, f.message());
            }
        });
        return out;
    }

    @Override
    public Map<String, String> failedExtensions() {
        Map<String, String> out = new LinkedHashMap<>();
        gate.failed().forEach((bsn, f) -> out.put(bsn, f.message()));
        return out;
    }

    @Override
    public Optional<String> rejectedChange() {
        return Optional.ofNullable(rejected);
    }

    @Override
    public Optional<String> pendingChange() {
        if (pools.pending() == null) {
            return Optional.empty();
        }
        String problem = pendingProblem;
        return Optional.of(problem != null ? problem : "a new pool for the new settings is being checked and migrated;"
                + " the previous one goes on serving");
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
    public ConnectionTest testConnection() {
        HikariDataSource p = pools.serving();
        if (p == null) {
            return new ConnectionTest(false, 0, unavailableMessage() + ": it has no pool to test");
        }
        long start = System.nanoTime();
        ConnectivityProbe.Check check = ConnectivityProbe.checkDirect(p, settings);
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (check.answers()) {
            return new ConnectionTest(true, ms, "answered (" + settings.url().safeDescription() + ")");
        }
        return new ConnectionTest(false, ms, check.saturated() ? "the server's connection budget is used up"
                : check.failure());
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

    // ---- life cycle, called by DatabaseFactory ------------------------------------------------------------

    /**
     * A configuration that could not be read. With a good configuration serving, that one goes on and the change is
     * reported as rejected; without one, the database exists, FAILED, with the reason.
     */
    synchronized void reject(String name, String tenant, String why) {
        if (settings != null && status.state() != DatabaseState.STOPPED) {
            rejected = why;
            LOG.error("Database {}: the new configuration was refused: {}. The previous configuration goes on serving",
                    label(), why);
            return;
        }
        fallbackName = name;
        fallbackTenant = tenant;
        closePools("configuration rejected");
        setStatus(DatabaseState.FAILED, why);
        registrations.withdrawDataSource();
        registrations.publish(serviceProperties());
        LOG.error("Database {}: not started: {}", label(), why);
    }

    /** Applies a (new or changed) valid configuration. */
    synchronized void apply(DatabaseSettings next) {
        DatabaseSettings previous = settings;
        settings = next;
        fallbackName = next.name();
        fallbackTenant = next.tenant();
        rejected = null;
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
            if (!gate.failed().isEmpty() || status.state() == DatabaseState.FAILED) {
                migrateAgain(); // a configuration change is the operator's "try again"
            }
        }
    }

    /** Sets the driver (or none) for the next pool, without starting one. */
    synchronized void useDriver(DataSourceFactory factory) {
        driver = factory;
    }

    synchronized void driverAvailable(DataSourceFactory factory) {
        driver = factory;
        if (settings != null && pools.serving() == null && status.state() != DatabaseState.FAILED
                && status.state() != DatabaseState.STOPPED) {
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

    /**
     * Stops: the services go at once and new borrowings are refused; then, without holding this database's monitor,
     * the borrowed connections are waited for (at most {@link #STOP_DRAIN_MS}) and the pools close. Stopping twice
     * is stopping once.
     */
    void stop() {
        PoolHandover.Detached taken;
        synchronized (this) {
            catalog.removeListener(this);
            registrations.withdrawAll();
            setStatus(DatabaseState.STOPPED, "stopped");
            probe.nextGeneration();
            taken = pools.detach();
        }
        if (taken.close(STOP_DRAIN_MS)) {
            LOG.info("Database {}: pool stopped", label());
        }
    }

    // ---- internals ----------------------------------------------------------------------------------------

    private String label() {
        DatabaseSettings s = settings;
        return s != null ? s.label() : DatabaseSettings.label(fallbackName, fallbackTenant);
    }

    private String symbolicName(long bundleId) {
        if (gate.failed().isEmpty()) {
            return null; // nothing failed: no need to know whose routes these are
        }
        Bundle b = context.getBundle(bundleId);
        return b == null ? null : b.getSymbolicName();
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
            next = PoolFactory.create(s, factory, counters, this::suspectOutage, this::tablesChanged);
        } catch (SQLException | RuntimeException e) {
            closePools("it could not be replaced");
            setStatus(DatabaseState.FAILED, "the pool could not be created: " + Errors.describe(e));
            registrations.withdrawDataSource();
            LOG.error("Database {}: the pool could not be created: {}", s.label(), Errors.describe(e));
            return;
        }
        probe.nextGeneration();
        boolean staged = pools.serving() != null && status.state() == DatabaseState.UP;
        LOG.info("Database {}: pool {} ({} {}, min idle {}, max {})", s.label(),
                staged ? "for the new settings started (it takes over once connected and migrated)" : verb,
                s.url().dialect().id(), s.url().safeDescription(), s.minIdle(), s.maxPoolSize());
        if (staged) {
            // Zero failed requests: the serving pool keeps serving until the new one answers and is migrated.
            pendingProblem = null;
            stagedDialect = s.url().dialect();
            pools.stage(next);
        } else {
            gate.reset();
            servingDialect = s.url().dialect();
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

    /** Checks the pending pool when there is one (it takes over once good), and the serving one. */
    private void probe(int generation) {
        HikariDataSource serving;
        HikariDataSource pending;
        synchronized (this) {
            if (generation != probe.generation()) {
                if (pools.candidate() != null) {
                    probe.again();
                }
                return;
            }
            serving = pools.serving();
            pending = pools.pending();
            lastCheckNanos = System.nanoTime();
        }
        if (pending != null && tryPending(pending)) {
            return;
        }
        if (serving != null) {
            checkServing(serving);
        }
    }

    /**
     * Checks and migrates the pending pool; it serves once both worked. When it cannot, it is reported, not
     * promoted, and tried again at the next check.
     *
     * @return true when it took over
     */
    private boolean tryPending(HikariDataSource p) {
        DatabaseSettings s = settings;
        MigrationGate.Run run = gate.start();
        ConnectivityProbe.Check check = ConnectivityProbe.check(p, s, true);
        String problem = check.answers() ? null : check.saturated() ? "no connection was free" : check.failure();
        MigrationRunner.Outcome outcome = null;
        if (problem == null) {
            try {
                outcome = gate.apply(s, p);
                if (!outcome.failed().isEmpty()) {
                    problem = "on the new database " + outcome.failed().values().iterator().next().message();
                }
            } catch (MigrationException e) {
                problem = e.getMessage();
            }
        }
        synchronized (this) {
            if (pools.pending() != p) {
                return false;
            }
            if (problem == null) {
                servingDialect = stagedDialect;
                pools.promote(p);
                if (!gate.applied(run, outcome)) {
                    probe.request(0);
                }
                pendingProblem = null;
                probe.resetBackoff();
                setStatus(DatabaseState.UP, null);
                servedBy = p;
                probe.recheckLater(HEALTH_CHECK_MS);
                return true;
            }
            if (!problem.equals(pendingProblem)) {
                LOG.warn("Database {}: the new settings do not serve yet ({}); the previous configuration goes on"
                        + " serving", label(), problem);
            }
            pendingProblem = "the new settings do not serve yet: " + problem
                    + "; the previous configuration goes on serving";
            return false;
        }
    }

    /** Checks that the serving pool's database answers (and migrates it when needed); UP, or RETRYING. */
    private void checkServing(HikariDataSource p) {
        DatabaseSettings current = settings;
        boolean fresh = !gate.migrated();
        boolean broke = suspect; // before servedSinceLastCheck() forgets it
        boolean served = servedSinceLastCheck();
        boolean down = !fresh && status.state() == DatabaseState.RETRYING;
        boolean afterBreak = !fresh && !down && broke;
        ConnectivityProbe.Check check;
        if (down) {
            check = ConnectivityProbe.checkDirect(p, current); // not through the pool, which may be backing off
        } else if (afterBreak) {
            check = ConnectivityProbe.checkAfterBreak(p, current); // nor when a connection broke under a query
        } else if (!fresh && served && status.state() == DatabaseState.UP) {
            check = ConnectivityProbe.Check.ANSWERS; // requests got connections and none broke: no need to borrow one
        } else {
            check = ConnectivityProbe.check(p, current, fresh);
        }
        if (check.saturated() && !fresh) {
            check = ConnectivityProbe.Check.ANSWERS; // busy is not down: saturation never changes the state
        }
        MigrationGate.Run run = gate.start();
        MigrationRunner.Outcome outcome = null;
        String failure = check.answers() ? null : check.saturated() ? "no connection was free to apply the"
                + " migrations; trying again" : check.failure();
        boolean busy = check.saturated();
        if (failure == null && fresh && current != null) {
            try {
                outcome = gate.apply(current, p);
                renewConnections(p, outcome); // before the gate lets the waiting extensions through
            } catch (MigrationException.Busy e) {
                busy = true;
                failure = e.getMessage();
            } catch (MigrationException e) {
                failure = e.getMessage();
            }
        }
        synchronized (this) {
            if (pools.serving() != p) {
                if (failure != null) {
                    LOG.debug("Database {}: a check of a pool that no longer serves failed: {}", label(), failure);
                }
                return;
            }
            if (failure == null) {
                if (outcome != null && !gate.applied(run, outcome)) {
                    probe.request(0); // overtaken: what it found is not said, the next run says it
                    if (status.state() != DatabaseState.UP) {
                        return; // nor is a database up on it: an extension whose migration failed would be served
                    }
                } else if (outcome != null) {
                    outcome.failed().forEach((bsn, f) -> {
                        if (f.heldBack()) {
                            LOG.warn("Database {}: extension {} is not available: {}", label(), bsn, f.message());
                        } else {
                            LOG.error("Database {}: extension {} is not available: {}", label(), bsn, f.message());
                        }
                    });
                }
                if (status.state() != DatabaseState.UP) {
                    LOG.info("Database {}: UP", label());
                }
                lastLoggedFailure = null;
                if (down || afterBreak) {
                    renewIfEmpty(p, down);
                }
                probe.resetBackoff();
                setStatus(DatabaseState.UP, null);
                servedBy = pools.serving(); // a fresh pool after an outage serves from now on
                probe.recheckLater(HEALTH_CHECK_MS);
            } else if (busy) {
                // Another server migrates, or every connection is in use: waiting is not failing. An UP database
                // stays UP (only a newcomer's routes wait); one that is not up yet is RETRYING with the reason, and
                // looks again in a second.
                if (status.state() != DatabaseState.UP) {
                    setStatus(DatabaseState.RETRYING, failure);
                }
                LOG.info("Database {}: {}", label(), failure);
                probe.recheckLater(ConnectivityProbe.FIRST_BACKOFF_MS);
            } else {
                long delay = probe.nextBackoff();
                if (failure.equals(lastLoggedFailure)) {
                    // The same outage, checked again (requests recheck it every second): once in the log is enough.
                    LOG.debug("Database {}: still unavailable ({})", label(), failure);
                } else {
                    LOG.warn("Database {}: unavailable ({}); checking again in {} ms, or at a request after 1 s",
                            label(), failure, delay);
                    lastLoggedFailure = failure;
                }
                setStatus(DatabaseState.RETRYING, failure + "; next check in " + delay / 1000.0 + " s");
                probe.recheckLater(delay);
            }
        }
    }

    /**
     * Migrations were applied through {@code p}, a pool that has served: its connections are replaced, the idle ones
     * closed now and the borrowed ones when they are returned. pgjdbc prepares a statement on the server from its
     * fifth use on a connection and keeps it there with the plan of the tables as they were: once a migration
     * changed what it returns (a column added to a table an {@code INSERT ... RETURNING} writes, as
     * RETURN_GENERATED_KEYS asks for), its next use in a transaction (a transactional route's request) fails with
     * "cached plan must not change result type": pgjdbc retries it by itself only outside one, and Hikari drops the
     * connection only after it failed. Done before the run is published, so that the routes of the extensions that
     * waited for it get fresh connections from their first request.
     *
     * <p>A pool that was never UP (a start, a tenant's first request, new settings checked in {@link #tryPending})
     * keeps its connections: they ran the checks and the migrations only, and reconnecting would slow its first
     * requests for nothing; the pool that new settings replace drains once they take over. Work that
     * holds a connection across the migration (a request of another extension, a job), and a server whose run
     * applied nothing because another server of the cluster applied the migrations first, meet the error once: that
     * request gets a 503 with {@code Retry-After} ({@link serv.database.internal.StalePlan}) and the pool's
     * connections are replaced then ({@link #tablesChanged}).
     */
    private void renewConnections(HikariDataSource p, MigrationRunner.Outcome outcome) {
        HikariPoolMXBean bean = p.getHikariPoolMXBean();
        if (outcome.applied() == 0 || p != servedBy || bean == null) {
            return;
        }
        bean.softEvictConnections();
        LOG.info("Database {}: migrations were applied; the pool's connections are replaced (idle ones now, borrowed"
                + " ones when returned) so that no statement prepared on them before runs on the changed tables",
                label());
    }

    /**
     * The database is back after an outage. A pool that lost all its connections reconnects only when its filler
     * wakes from its backoff (up to 5 s in Hikari, with no way to wake it): a fresh pool with the same settings
     * serves at once instead, and the old one drains and closes. After an outage ({@code wasDown}) the idle
     * connections a pool still counts are those no request borrowed since: they broke with the others, and the next
     * borrower would find them dead and wait for the filler all the same; only a pool with connections in use is
     * kept.
     */
    private void renewIfEmpty(HikariDataSource p, boolean wasDown) {
        HikariPoolMXBean bean = p.getHikariPoolMXBean();
        DataSourceFactory factory = driver;
        if (bean == null || factory == null || settings == null
                || (wasDown ? bean.getActiveConnections() : bean.getTotalConnections()) > 0) {
            return;
        }
        try {
            HikariDataSource next = PoolFactory.create(settings, factory, counters, this::suspectOutage, this::tablesChanged);
            probe.nextGeneration();
            servingDialect = settings.url().dialect();
            pools.serve(next);
            LOG.info("Database {}: a fresh pool serves after the outage", label());
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Database {}: no fresh pool after the outage ({}); the old one reconnects", label(),
                    Errors.describe(e));
        }
    }

    /** Whether requests got connections since the last check and none broke under a query. */
    private boolean servedSinceLastCheck() {
        long acquired = counters.acquired.sum();
        boolean served = acquired != lastAcquired && !suspect;
        lastAcquired = acquired;
        suspect = false;
        return served;
    }

    /** Has the database checked soon, on a pool thread (a caller met it RETRYING). */
    private void checkSoon() {
        if (checkRequested.compareAndSet(false, true)) {
            scheduler.execute(() -> {
                synchronized (this) {
                    checkRequested.set(false);
                    if (status.state() == DatabaseState.RETRYING && pools.serving() != null) {
                        lastCheckNanos = System.nanoTime();
                        probe.request(0);
                    }
                }
            });
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
            gate.reset();
            if (status.state() == DatabaseState.FAILED) {
                setStatus(DatabaseState.STARTING, "applying migrations");
            }
            probe.request(0);
        }
    }

    /** An extension with migrations for this database went: it waits no more, and its failure is forgotten. */
    @Override
    public synchronized void extensionLeft(Set<String> databases, Bundle bundle) {
        if (!concerns(databases)) {
            return;
        }
        if ((bundle.getState() & (Bundle.STARTING | Bundle.ACTIVE)) == 0) {
            gate.forget(bundle.getBundleId(), bundle.getSymbolicName()); // stopping: it has no routes left to wait
        } else if (gate.failed().containsKey(bundle.getSymbolicName()) && pools.serving() != null) {
            migrateAgain(); // still running, with one migration less: the rest may now apply
        }
    }

    /** A rollback (or its end) changed this database's history: its extensions are checked again at once. */
    @Override
    public synchronized void historyChanged(Database database) {
        if (database == this && pools.serving() != null) {
            migrateAgain();
        }
    }

    private boolean concerns(Set<String> databases) {
        DatabaseSettings s = settings;
        return s != null && databases.contains(s.name());
    }

    /** Applies the migrations again; an UP database stays UP meanwhile. */
    private void migrateAgain() {
        gate.reset();
        if (status.state() == DatabaseState.FAILED) {
            setStatus(DatabaseState.STARTING, "applying migrations");
        }
        probe.request(0);
    }

    /** A connection broke under a query: check now, for real (the check decides whether the database is down). */
    /**
     * A statement that {@code p} prepared before failed: a table it uses changed since (another server of the
     * cluster applied a migration, or one was applied while a connection was held). Each of the pool's connections
     * that prepared it would fail once: they are replaced, the idle ones now and the borrowed ones when returned.
     * Once per pool every few seconds, however many connections meet it at once.
     */
    private void tablesChanged(HikariDataSource p) {
        long now = System.nanoTime();
        long last = lastStalePlanEviction;
        if (last != 0 && now - last < java.util.concurrent.TimeUnit.SECONDS.toNanos(5)) {
            return;
        }
        lastStalePlanEviction = now;
        HikariPoolMXBean bean = p.getHikariPoolMXBean();
        if (bean != null) {
            bean.softEvictConnections();
            LOG.info("Database {}: a table changed under statements prepared on the pool's connections (a migration"
                    + " applied by another server, or while a connection was held); the connections are replaced",
                    label());
        }
    }

    private synchronized void suspectOutage() {
        suspect = true;
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
            suspect = true;
            probe.request(0);
        }
    }

    private void setStatus(DatabaseState state, String why) {
        status = new Status(state, why);
    }

    private Dictionary<String, Object> serviceProperties() {
        DatabaseSettings s = settings;
        return DatabaseRegistrations.properties(name(), tenant().orElse(null),
                s == null ? null : s.url().dialect());
    }
}
