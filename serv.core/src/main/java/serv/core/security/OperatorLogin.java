package serv.core.security;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The operator's login (the Web Console's: the same user and password), for the runtime's surfaces that show an
 * operator more than the public, such as the details of {@code /health} and the series of {@code /metrics} that
 * name a tenant. Provided by serv.console; when no bundle provides it, nobody is the operator there.
 *
 * <p>A wrong login counts towards the provider's limit of wrong logins from an address, the console's own included:
 * a surface that asks this service is no way around it to guess the password.
 */
@ProviderType
public interface OperatorLogin {

    /** What a request's credentials are. */
    enum Outcome {
        /** The operator's. */
        OPERATOR,
        /** None sent (no {@code Authorization} header, or not HTTP Basic): not counted as a wrong login. */
        NONE,
        /** Sent and not the operator's (counted as a wrong login from the address). */
        WRONG,
        /** Not looked at: the address sent too many wrong logins lately. */
        THROTTLED
    }

    /**
     * The outcome of a check.
     *
     * @param outcome what the credentials are
     * @param retryAfterSeconds when {@link Outcome#THROTTLED}, the seconds until the address may try again; else 0
     */
    record Check(Outcome outcome, long retryAfterSeconds) {

        /** Whether the credentials are the operator's. */
        public boolean operator() {
            return outcome == Outcome.OPERATOR;
        }
    }

    /**
     * Checks the value of a request's {@code Authorization} header (null when it has none), sent from
     * {@code address} (the client's IP address as {@link ClientAddress} resolves it: the connection's, or the one a
     * trusted proxy forwarded), against the operator's login. A first check of a password takes a few hundred
     * milliseconds (PBKDF2); the same header again is answered at once.
     */
    Check check(String authorization, String address);

    /**
     * {@link #check(String, String)} for a client that may have come through a trusted proxy, which the provider's
     * log lines name beside the client. Since 1.2.
     */
    default Check check(String authorization, ClientAddress.Client client) {
        return check(authorization, client.address());
    }
}
