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

    /** The request is answered: it completes (when it went asynchronous) and is counted out, once. */
    void finish() {
        if (finished.compareAndSet(false, true)) {
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
