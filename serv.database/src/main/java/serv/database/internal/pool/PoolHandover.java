package serv.database.internal.pool;

import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;

/**
 * The pools behind one database: the one that serves, and a pending one made for new settings (a new URL or new
 * credentials) that is checked and migrated while the serving one goes on. A pool that is replaced is not closed
 * under its borrowers: new borrowings go to its successor at once, and it closes in the background once nothing
 * holds or waits for its connections (at most {@link #DRAIN_MS}).
 */
final class PoolHandover {

    private static final Logger LOG = LoggerFactory.getLogger(PoolHandover.class);
    /** Longest wait for a replaced pool's borrowed connections before it is closed anyway. */
    static final long DRAIN_MS = 30_000;

    private final PoolScheduler scheduler;
    private final Supplier<String> label;
    private volatile HikariDataSource serving;
    private volatile HikariDataSource pending;

    PoolHandover(PoolScheduler scheduler, Supplier<String> label) {
        this.scheduler = scheduler;
        this.label = label;
    }

    /** The pool that serves, or null. */
    HikariDataSource serving() {
        return serving;
    }

    /** The pending pool, or null. */
    HikariDataSource pending() {
        return pending;
    }

    /** The pool a check is for: the pending one when there is one, else the serving one. */
    HikariDataSource candidate() {
        HikariDataSource p = pending;
        return p != null ? p : serving;
    }

    /** Whether {@code p} is still one of this database's pools (not replaced or closed meanwhile). */
    boolean holds(HikariDataSource p) {
        return p != null && (p == serving || p == pending);
    }

    /** Serves from {@code next} at once; the serving pool so far drains and closes. */
    void serve(HikariDataSource next) {
        HikariDataSource old = serving;
        serving = next;
        drain(old);
    }

    /** Makes {@code next} the pending pool; the serving one goes on until {@link #promote}. */
    void stage(HikariDataSource next) {
        HikariDataSource abandoned = pending;
        pending = next;
        if (abandoned != null) {
            scheduler.execute(abandoned::close);
        }
    }

    /** Makes the pending pool {@code p} the serving one (the old one drains); false when {@code p} is not pending. */
    boolean promote(HikariDataSource p) {
        if (p == null || pending != p) {
            return false;
        }
        HikariDataSource old = serving;
        serving = p;
        pending = null;
        drain(old);
        LOG.info("Database {}: now served by the new pool", label.get());
        return true;
    }

    /** Takes both pools away: the pending one closes, the serving one drains and closes; true when one served. */
    boolean closeAll() {
        HikariDataSource p = serving;
        HikariDataSource q = pending;
        serving = null;
        pending = null;
        if (q != null) {
            scheduler.execute(q::close);
        }
        drain(p);
        return p != null;
    }

    /** Takes both pools away: nothing serves from here on; {@link Detached#close} closes them. */
    Detached detach() {
        Detached d = new Detached(serving, pending);
        serving = null;
        pending = null;
        return d;
    }

    /** The pools of a stopped database, to be closed without holding the database's monitor. */
    record Detached(HikariDataSource serving, HikariDataSource pending) {

        /**
         * Closes the pending pool, and the serving one once its borrowed connections came back (at most
         * {@code maxMs}); true when one served.
         */
        boolean close(long maxMs) {
            if (pending != null) {
                pending.close();
            }
            if (serving == null) {
                return false;
            }
            awaitIdle(serving, maxMs);
            serving.close();
            return true;
        }
    }

    /**
     * Closes a replaced pool in the background once it is idle: new borrowings already go to the new pool, and the
     * requests still holding or waiting for one of the old pool's connections are served first (bounded by
     * {@link #DRAIN_MS}).
     */
    private void drain(HikariDataSource old) {
        if (old == null) {
            return;
        }
        long deadline = System.nanoTime() + DRAIN_MS * 1_000_000;
        Runnable check = new Runnable() {
            @Override
            public void run() {
                if (busy(old) && System.nanoTime() < deadline) {
                    scheduler.schedule(this, 50);
                    return;
                }
                old.close();
                LOG.info("Database {}: previous pool drained and closed", label.get());
            }
        };
        scheduler.execute(check);
    }

    private static boolean busy(HikariDataSource p) {
        HikariPoolMXBean bean = p.getHikariPoolMXBean();
        return bean != null && (bean.getActiveConnections() > 0 || bean.getThreadsAwaitingConnection() > 0);
    }

    /** Waits (bounded) until no connection of {@code p} is borrowed or waited for. */
    private static void awaitIdle(HikariDataSource p, long maxMs) {
        long end = System.nanoTime() + maxMs * 1_000_000;
        while (busy(p) && System.nanoTime() < end) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
