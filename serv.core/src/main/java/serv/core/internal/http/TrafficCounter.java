package serv.core.internal.http;

import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

import org.osgi.service.component.annotations.Component;

import serv.core.runtime.Traffic;

/**
 * The requests the dispatcher answered, by status class: a component of its own (not the dispatcher), so that
 * {@code /metrics}, itself a route of the dispatcher, can read it without a reference cycle.
 */
@Component(service = { Traffic.class, TrafficCounter.class })
public final class TrafficCounter implements Traffic {

    private final LongAdder answered = new LongAdder();
    private final LongAdder clientErrors = new LongAdder();
    private final LongAdder serverErrors = new LongAdder();
    private final Instant started = Instant.now();

    /** One request answered with {@code status}. */
    void count(int status) {
        answered.increment();
        if (status >= 500) {
            serverErrors.increment();
        } else if (status >= 400) {
            clientErrors.increment();
        }
    }

    @Override
    public Counts counts() {
        return new Counts(answered.sum(), clientErrors.sum(), serverErrors.sum());
    }

    @Override
    public Instant started() {
        return started;
    }
}
