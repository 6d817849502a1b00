package serv.database.internal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Two small threads for every database's background work (connectivity probes, draining replaced pools), owned by
 * a component so that it stops with the bundle and no thread outlives it.
 */
@Component(service = PoolScheduler.class)
public final class PoolScheduler {

    private final ScheduledThreadPoolExecutor executor;

    public PoolScheduler() {
        executor = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "serv-database");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
    }

    ScheduledFuture<?> schedule(Runnable task, long delayMs) {
        return executor.schedule(task, delayMs, TimeUnit.MILLISECONDS);
    }

    void execute(Runnable task) {
        executor.execute(task);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(10, TimeUnit.SECONDS);
    }
}
