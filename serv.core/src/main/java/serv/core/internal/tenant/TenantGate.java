package serv.core.internal.tenant;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * A tenant's share of the server: at most {@code max_requests} of its requests are served at once. The others wait
 * in line without holding a thread (the dispatcher suspends them) and are resumed one by one as requests finish, or
 * answered 503 with Retry-After when none finished in time. One tenant hammering the server fills its own line,
 * not the server's threads, its pool's connections or the CPU the other tenants need.
 */
public final class TenantGate {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final Queue<BooleanSupplier> line = new ConcurrentLinkedQueue<>();
    private final LongAdder waited = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private volatile int cap;

    TenantGate(int cap) {
        this.cap = cap;
    }

    void cap(int next) {
        cap = next;
        wakeOne(); // a higher cap lets one more in now
    }

    /** Takes a place among the requests served at once; false when they are all taken. */
    public boolean tryEnter() {
        while (true) {
            int n = inFlight.get();
            if (n >= cap) {
                return false;
            }
            if (inFlight.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives the place back, and resumes the first request in line (if it is still waiting). */
    public void leave() {
        inFlight.decrementAndGet();
        wakeOne();
    }

    /**
     * Puts a request in line: {@code resume} is called once a place may be free, and answers false when the request
     * is no longer waiting (answered by its timeout meanwhile). A place freed between the caller's failed
     * {@link #tryEnter} and this call wakes it at once.
     */
    public void await(BooleanSupplier resume) {
        waited.increment();
        line.add(resume);
        if (inFlight.get() < cap) {
            wakeOne();
        }
    }

    private void wakeOne() {
        for (BooleanSupplier next = line.poll(); next != null; next = line.poll()) {
            if (next.getAsBoolean()) {
                return;
            }
        }
    }

    /** A request waited for a place too long and was answered 503. */
    public void refused() {
        refused.increment();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public int cap() {
        return cap;
    }

    /** Requests that had to wait in line, since start. */
    public long waits() {
        return waited.sum();
    }

    /** Requests answered 503 because no place freed in time, since start. */
    public long refusals() {
        return refused.sum();
    }
}
