package serv.console.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import serv.core.runtime.Traffic;

/**
 * Requests and errors per second over the last ten seconds: the server's counts, sampled once a second (one small
 * daemon thread), so that every reader (a page refreshing, the command line) gets the same figures.
 */
@Component(service = TrafficRates.class)
public final class TrafficRates {

    private static final int WINDOW_SECONDS = 10;

    private record Sample(long nanos, Traffic.Counts counts) {
    }

    private final Traffic traffic;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "serv-console-traffic");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public TrafficRates(@Reference Traffic traffic) {
        this.traffic = traffic;
        sample();
        clock.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        clock.shutdownNow();
    }

    private synchronized void sample() {
        samples.addLast(new Sample(System.nanoTime(), traffic.counts()));
        while (samples.size() > WINDOW_SECONDS + 1) {
            samples.removeFirst();
        }
    }

    /** Rates over the window, and the totals since start. */
    synchronized Map<String, Object> now() {
        Sample last = new Sample(System.nanoTime(), traffic.counts());
        Sample first = samples.isEmpty() ? last : samples.peekFirst();
        double seconds = Math.max(1e-9, (last.nanos() - first.nanos()) / 1e9);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests_per_second", rate(last.counts().requests() - first.counts().requests(), seconds));
        m.put("client_errors_per_second", rate(last.counts().clientErrors() - first.counts().clientErrors(), seconds));
        m.put("server_errors_per_second", rate(last.counts().serverErrors() - first.counts().serverErrors(), seconds));
        m.put("requests", last.counts().requests());
        m.put("client_errors", last.counts().clientErrors());
        m.put("server_errors", last.counts().serverErrors());
        return m;
    }

    private static double rate(long count, double seconds) {
        return seconds < 0.5 ? 0.0 : Math.round(count / seconds * 10) / 10.0;
    }
}
