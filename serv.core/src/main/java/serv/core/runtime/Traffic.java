package serv.core.runtime;

import java.time.Instant;

import org.osgi.annotation.versioning.ProviderType;

/** What the server answered since it started, as a service: for rates, sample {@link #counts()} twice. */
@ProviderType
public interface Traffic {

    /**
     * Requests answered since start.
     *
     * @param requests every request answered
     * @param clientErrors those answered 4xx
     * @param serverErrors those answered 5xx (503 included: a database down, a pool saturated)
     */
    record Counts(long requests, long clientErrors, long serverErrors) {
    }

    Counts counts();

    /** When the dispatcher started serving. */
    Instant started();
}
