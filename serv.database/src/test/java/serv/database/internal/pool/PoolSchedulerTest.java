package serv.database.internal.pool;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

class PoolSchedulerTest {

    @Test
    void stoppingLetsTheWorkUnderWayFinishUninterrupted() throws Exception {
        PoolScheduler scheduler = new PoolScheduler();
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        // Like a pool being closed at shutdown: Hikari waits for its threads, and gives up when interrupted.
        scheduler.execute(() -> {
            started.countDown();
            try {
                Thread.sleep(300);
                finished.set(true);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        assertTrue(started.await(5, TimeUnit.SECONDS));
        scheduler.deactivate();
        assertFalse(interrupted.get(), "the close under way was interrupted");
        assertTrue(finished.get());
        assertThrows(RejectedExecutionException.class, () -> scheduler.execute(() -> { }));
    }

    @Test
    void workScheduledOnceStoppedIsNotDoneAndThrowsNothing() throws Exception {
        // A probe that ended during the stop asked for its next check: that threw on the worker, stack and all
        PoolScheduler scheduler = new PoolScheduler(200);
        scheduler.deactivate();
        AtomicBoolean ran = new AtomicBoolean();
        assertNull(scheduler.schedule(() -> ran.set(true), 0));
        Thread.sleep(50);
        assertFalse(ran.get());
    }

    @Test
    void workThatDoesNotFinishIsInterruptedInTheEnd() throws Exception {
        PoolScheduler scheduler = new PoolScheduler(200);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        // Like a probe waiting on an unreachable server.
        scheduler.execute(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        assertTrue(started.await(5, TimeUnit.SECONDS));
        scheduler.deactivate();
        assertTrue(interrupted.await(0, TimeUnit.SECONDS));
    }
}
