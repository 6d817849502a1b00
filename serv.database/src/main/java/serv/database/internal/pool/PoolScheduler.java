package serv.database.internal.pool;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The threads of every database's background work (connectivity probes, migrations, draining and closing replaced
 * pools), owned by a component so that they stop with the bundle. One timer thread only schedules; the work itself,
 * which blocks on the network, runs on worker threads, so that a database that hangs never delays another's probe.
 */
@Component(service = PoolScheduler.class)
public final class PoolScheduler {

    private final ScheduledExecutorService timer;
    private final ExecutorService workers;
    private final long finishMs;

    public PoolScheduler() {
        this(FINISH_MS);
    }

    PoolScheduler(long finishMs) {
        this.finishMs = finishMs;
        timer = Executors.newSingleThreadScheduledExecutor(daemon("serv-database-timer"));
        workers = Executors.newCachedThreadPool(daemon("serv-database"));
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Runs {@code task} on a worker after {@code delayMs}; null once the scheduler stopped: a probe that ends while the
     * bundle stops asks for its next check, and that check has no pool left to look at (it was rejected, and its
     * stack printed to the console as an uncaught exception of the worker).
     */
    ScheduledFuture<?> schedule(Runnable task, long delayMs) {
        try {
            return timer.schedule(() -> workers.execute(task), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopped) {
            return null;
        }
    }

    void execute(Runnable task) {
        workers.execute(task);
    }

    /**
     * Stops scheduling at once, lets the work under way finish for a while (pools being closed, as every tenant's
     * is at shutdown: interrupted, Hikari abandons the close and logs a warning with its stack), then interrupts
     * what is left (a probe or migration waiting on an unreachable server).
     */
    @Deactivate
    void deactivate() throws InterruptedException {
        timer.shutdownNow();
        workers.shutdown();
        if (!workers.awaitTermination(finishMs, TimeUnit.MILLISECONDS)) {
            workers.shutdownNow();
            workers.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** How long the work under way may take to finish when the bundle stops. */
    static final long FINISH_MS = 5_000;
}
