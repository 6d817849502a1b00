package serv.database.internal.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

import com.zaxxer.hikari.HikariDataSource;

import serv.database.internal.DatabaseSettings;
import serv.database.internal.Errors;

/**
 * When a database is checked, and the check itself. Checks run on the pool threads, one at a time per database: a
 * check asked for while one is scheduled or running runs right after it. An UP database is checked again every few
 * seconds; an unreachable one with a backoff from 1 s doubling to 30 s (and sooner when a request meets it: see
 * {@code ManagedDatabase.state()}). A check belongs to a generation of pools:
 * once the pools are replaced or closed, the checks of the old ones do nothing.
 *
 * <p>Every method but {@link #check} is called with the database's monitor held ({@code lock}).
 */
final class ConnectivityProbe {

    static final long FIRST_BACKOFF_MS = 1000;
    static final long MAX_BACKOFF_MS = 30_000;

    private final PoolScheduler scheduler;
    private final Object lock;
    private final IntConsumer body;
    private final BooleanSupplier hasPool;

    private boolean scheduled;
    private boolean again;
    private ScheduledFuture<?> recheck;
    private int generation;
    private long backoffMs = FIRST_BACKOFF_MS;

    /**
     * @param lock the database's monitor, held by every caller
     * @param body the check of one generation, run on a pool thread without the lock
     * @param hasPool whether the database has a pool to check
     */
    ConnectivityProbe(PoolScheduler scheduler, Object lock, IntConsumer body, BooleanSupplier hasPool) {
        this.scheduler = scheduler;
        this.lock = lock;
        this.body = body;
        this.hasPool = hasPool;
    }

    int generation() {
        return generation;
    }

    /** The pools were replaced or closed: checks scheduled for the old ones do nothing. */
    void nextGeneration() {
        generation++;
    }

    /** Checks after {@code delayMs}, or right after the check that is scheduled or running. */
    void request(long delayMs) {
        if (scheduled) {
            again = true;
            return;
        }
        scheduled = true;
        int gen = generation;
        scheduler.schedule(() -> {
            try {
                body.accept(gen);
            } finally {
                synchronized (lock) {
                    scheduled = false;
                    if (again) {
                        again = false;
                        request(0);
                    }
                }
            }
        }, delayMs);
    }

    /** Asks for another check once the current one ends. */
    void again() {
        again = true;
    }

    /**
     * Checks again after {@code delayMs}, unless the pools have been replaced or closed by then. There is one
     * pending re-check at most: a new one replaces it.
     */
    void recheckLater(long delayMs) {
        if (recheck != null) {
            recheck.cancel(false);
        }
        int g = generation;
        recheck = scheduler.schedule(() -> {
            synchronized (lock) {
                if (g == generation && hasPool.getAsBoolean()) {
                    request(0);
                }
            }
        }, delayMs);
    }

    void resetBackoff() {
        backoffMs = FIRST_BACKOFF_MS;
    }

    /** The delay before the next check of an unreachable database; each call doubles the following one. */
    long nextBackoff() {
        long b = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        return b;
    }

    /** The delay the next {@link #nextBackoff()} gives. */
    long backoff() {
        return backoffMs;
    }

    /**
     * What a check found.
     *
     * @param answers the database answered
     * @param saturated no connection was free within the timeout (all in use, or the server's connection budget
     *            used up): the database is busy, not gone
     * @param failure why the database did not answer (never a credential), or null
     */
    record Check(boolean answers, boolean saturated, String failure) {

        static final Check ANSWERS = new Check(true, false, null);
        static final Check SATURATED = new Check(false, true, null);

        static Check failed(String why) {
            return new Check(false, false, why);
        }
    }

    /**
     * Checks a database that was unreachable with a connection of its own, opened beside the pool ({@code p}'s
     * driver data source, within the server's connection budget): the pool itself may be sleeping between two
     * attempts to reconnect (Hikari backs off up to 5 s), and borrowing from it would report the database down
     * for as long as it sleeps.
     */
    static Check checkDirect(HikariDataSource p, DatabaseSettings settings) {
        return direct(p, settings, false);
    }

    /**
     * Checks a database after a connection broke under a query, with a connection of its own opened beside the pool:
     * borrowing from the pool would wait up to its connection timeout while the pool cannot reconnect, and its
     * filler, once the database is back, may sleep seconds more between two attempts (Hikari backs off up to 5 s),
     * so an outage of a few seconds kept every request waiting and the first one served 2 s after the database came
     * back. Only a failure to connect (SQLState class 08) is an outage; any other refusal (the server out of
     * connection slots, say) does not tell about the pool's own connections, which are checked as usual.
     */
    static Check checkAfterBreak(HikariDataSource p, DatabaseSettings settings) {
        return direct(p, settings, true);
    }

    /**
     * A check with a connection opened beside the pool; {@code onlyConnectFailures}: a failure other than one to
     * connect is checked through the pool instead.
     */
    private static Check direct(HikariDataSource p, DatabaseSettings settings, boolean onlyConnectFailures) {
        javax.sql.DataSource direct = p.getDataSource();
        if (direct == null) {
            return check(p, settings, false);
        }
        try (Connection c = direct.getConnection()) {
            return c.isValid(validSeconds(settings)) ? Check.ANSWERS
                    : Check.failed("the database did not answer a validity check");
        } catch (ConnectionBudget.Refused e) {
            return Check.SATURATED;
        } catch (SQLException | RuntimeException e) {
            boolean connectFailure = e instanceof SQLException s && s.getSQLState() != null
                    && s.getSQLState().startsWith("08");
            return onlyConnectFailures && !connectFailure ? check(p, settings, false)
                    : Check.failed(Errors.describe(e));
        }
    }

    private static int validSeconds(DatabaseSettings settings) {
        return settings == null ? 5 : (int) Math.max(1, (settings.connectionTimeoutMs() + 999) / 1000);
    }

    /**
     * Creates a PostgreSQL schema unless it exists. Other servers may create it at the same moment (the nodes of a
     * cluster, each serving a new tenant's first request), and PostgreSQL's {@code IF NOT EXISTS} does not hold
     * against a concurrent creation: the loser fails with a unique violation on the catalog ({@code 23505}, or
     * {@code 42P06} duplicate schema), which took its database for unavailable for a second. The schema is there
     * either way, so that failure is success.
     */
    static void createSchema(Connection c, String schema) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema.replace("\"", "\"\"") + "\"");
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState()) && !"42P06".equals(e.getSQLState())) {
                throw e;
            }
            if (!c.getAutoCommit()) {
                c.rollback(); // the failed statement aborted the transaction it ran in
            }
        }
    }

    /**
     * Borrows a connection of {@code p} and checks that it answers; with {@code createSchema}, creates the schema of
     * a schema-per-tenant database when it is missing (it must exist before the migrations run).
     */
    static Check check(HikariDataSource p, DatabaseSettings settings, boolean createSchema) {
        try (Connection c = p.getConnection()) {
            if (!c.isValid(validSeconds(settings))) {
                return Check.failed("the database did not answer a validity check");
            }
            if (createSchema && settings != null && settings.schema() != null) {
                createSchema(c, settings.schema());
            }
            return Check.ANSWERS;
        } catch (SQLTransientConnectionException e) {
            // Hikari gives the last failure to connect as the cause; without one, every connection was in use.
            if (e.getCause() == null || e.getCause() instanceof ConnectionBudget.Refused) {
                return Check.SATURATED;
            }
            return Check.failed(Errors.describe(e));
        } catch (SQLException | RuntimeException e) {
            return Check.failed(Errors.describe(e));
        }
    }
}
