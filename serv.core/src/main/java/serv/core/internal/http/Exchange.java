package serv.core.internal.http;

import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * One request on its way through the dispatcher, which may have to wait: for its body ({@link AsyncBody}) or for
 * its tenant's pool to start (a sleeping tenant's first request). Waiting parks no thread: the request becomes
 * asynchronous and is dispatched again, on one of the server's threads, a few milliseconds later, until it can be
 * answered or its time is up.
 */
final class Exchange {

    /** Re-dispatches a waiting request this often. */
    static final long RETRY_MS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

    /** Dispatches a request once more; false when it has to wait again. */
    interface Step {
        boolean run(Exchange exchange) throws IOException;
    }

    final HttpServletRequest request;
    final HttpServletResponse response;
    final byte[] body;
    private final Runnable done;
    private final AtomicBoolean finished = new AtomicBoolean();
    private AsyncContext async;
    private long deadline;
    private serv.core.internal.tenant.TenantGate gate;

    Exchange(HttpServletRequest request, HttpServletResponse response, byte[] body, Runnable done) {
        this.request = request;
        this.response = response;
        this.body = body;
        this.done = done;
    }

    /** Whether the request may still wait for what it needs ({@code maxMs} from its first wait). */
    boolean mayWait(long maxMs) {
        if (deadline == 0) {
            deadline = System.nanoTime() + maxMs * 1_000_000;
        }
        return System.nanoTime() < deadline;
    }

    /** Suspends the request and has {@code step} dispatch it again shortly, on a server thread. */
    void retryLater(ScheduledExecutorService timer, Step step) {
        if (async == null) {
            async = request.isAsyncStarted() ? request.getAsyncContext() : request.startAsync();
            async.setTimeout(0); // the deadline of mayWait bounds the wait
        }
        timer.schedule(() -> async.start(() -> {
            try {
                if (step.run(this)) {
                    finish();
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("The answer could not be written: {}", e.toString()); // the client went away
                finish();
            }
        }), RETRY_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Suspends the request until {@code wake} resumes it (its tenant's gate, as a place frees) or {@code timeoutMs}
     * passes, whichever comes first; either way {@code step} dispatches it again, once.
     */
    void park(ScheduledExecutorService timer, long timeoutMs, java.util.function.Consumer<java.util.function.BooleanSupplier> wake,
            Step step) {
        if (async == null) {
            async = request.isAsyncStarted() ? request.getAsyncContext() : request.startAsync();
            async.setTimeout(0);
        }
        AtomicBoolean parked = new AtomicBoolean(true);
        java.util.function.BooleanSupplier resume = () -> {
            if (!parked.compareAndSet(true, false)) {
                return false;
            }
            async.start(() -> {
                try {
                    if (step.run(this)) {
                        finish();
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.debug("The answer could not be written: {}", e.toString());
                    finish();
                }
            });
            return true;
        };
        timer.schedule(resume::getAsBoolean, Math.max(1, timeoutMs), TimeUnit.MILLISECONDS);
        wake.accept(resume);
    }

    /** The tenant's place this request holds, given back when it is answered. */
    synchronized void hold(serv.core.internal.tenant.TenantGate held) {
        this.gate = held;
    }

    synchronized boolean holdsGate() {
        return gate != null;
    }

    /** Gives the tenant's place back (once, whoever calls). */
    synchronized void releaseGate() {
        serv.core.internal.tenant.TenantGate g = gate;
        gate = null;
        if (g != null) {
            g.leave();
        }
    }

    /** Milliseconds left of the request's wait ({@link #mayWait}'s deadline), at least 0. */
    long waitLeftMs() {
        return deadline == 0 ? 0 : Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
    }

    /** The request is answered: it completes (when it went asynchronous) and is counted out, once. */
    void finish() {
        if (finished.compareAndSet(false, true)) {
            releaseGate();
            try {
                if (async != null) {
                    async.complete();
                }
            } catch (IllegalStateException alreadyOver) {
                // completed by the container
            } finally {
                done.run();
            }
        }
    }

    /** Whether it went asynchronous for a wait of its own (its completion is {@link #finish}'s). */
    boolean suspended() {
        return async != null;
    }
}
