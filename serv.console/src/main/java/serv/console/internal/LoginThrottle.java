package serv.console.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wrong console logins, counted by client address: after {@link #LIMIT} within {@link #WINDOW_NANOS}, that address's
 * logins are refused at once (429) until the oldest of them is a window old. Each wrong password costs a PBKDF2
 * derivation (about 0.2 s of a core): without a limit, a guesser tries thousands of passwords an hour per
 * connection and, with a few dozen connections, keeps both cores busy for everybody. A login already verified (the
 * browser sends the same header again) is not counted nor refused, so an operator who is in stays in.
 */
final class LoginThrottle {

    static final int LIMIT = 10;
    static final long WINDOW_NANOS = 60_000_000_000L;
    /** Addresses kept at most: beyond it, those whose failures are all older than the window are forgotten. */
    private static final int MAX_ADDRESSES = 10_000;

    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();
    /** When each address was last said to be refused. */
    private final Map<String, Long> warned = new ConcurrentHashMap<>();

    /** Seconds until {@code address} may try again, or 0 when it may now. */
    long refusedFor(String address, long now) {
        Deque<Long> times = failures.get(address);
        if (times == null) {
            return 0;
        }
        synchronized (times) {
            expire(times, now);
            if (times.size() < LIMIT) {
                return 0;
            }
            return Math.max(1, (times.peekFirst() + WINDOW_NANOS - now + 999_999_999L) / 1_000_000_000L);
        }
    }

    /**
     * Counts a wrong login; true when it reaches the limit and the address was not said to be refused within the
     * last window (a guesser who keeps trying as the window frees is said once a window, not at every guess).
     */
    boolean failed(String address, long now) {
        if (failures.size() >= MAX_ADDRESSES) {
            forgetExpired(now);
        }
        Deque<Long> times = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
        synchronized (times) {
            expire(times, now);
            times.addLast(now);
            while (times.size() > LIMIT) {
                times.removeFirst();
            }
            if (times.size() < LIMIT) {
                return false;
            }
            Long said = warned.get(address);
            if (said != null && now - said < WINDOW_NANOS) {
                return false;
            }
            warned.put(address, now);
            return true;
        }
    }

    private void forgetExpired(long now) {
        for (Iterator<Map.Entry<String, Deque<Long>>> it = failures.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Deque<Long>> e = it.next();
            synchronized (e.getValue()) {
                expire(e.getValue(), now);
                if (e.getValue().isEmpty()) {
                    it.remove();
                    warned.remove(e.getKey());
                }
            }
        }
    }

    private static void expire(Deque<Long> times, long now) {
        while (!times.isEmpty() && now - times.peekFirst() >= WINDOW_NANOS) {
            times.removeFirst();
        }
    }
}
