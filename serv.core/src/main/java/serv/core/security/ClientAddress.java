package serv.core.security;

import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Who the client of a request is, for whatever counts by client (the console's limit of wrong logins, a route's own
 * limits, a log line). The connection's peer, unless that peer is one of the trusted proxies ({@code http:
 * {trusted_proxies: [...]}} in serv.config.yaml, PID {@code serv.http}): then the right-most address of
 * {@code X-Forwarded-For} (or of RFC 7239 {@code Forwarded: for=}) that is not itself a trusted proxy. Without
 * trusted proxies, or from a peer that is not one, those headers are ignored: a direct client chooses them. A
 * trusted proxy's headers that cannot be read (not an address, {@code for=unknown}, both headers at once) give the
 * peer. serv.core provides it (since 1.2); {@code Request.remoteAddress()} is its answer for a route's request.
 */
@ProviderType
public interface ClientAddress {

    /**
     * A request's client.
     *
     * @param address the client's IP address: the peer's as the connection has it, or the one a trusted proxy
     *        forwarded
     * @param proxy the trusted proxy the request came through (the connection's peer), or null when the client is
     *        the peer
     */
    record Client(String address, String proxy) {

        /** The trusted proxy the request came through; empty when the client is the connection's peer. */
        public Optional<String> through() {
            return Optional.ofNullable(proxy);
        }

        /** {@code 203.0.113.7}, or {@code 203.0.113.7 (through proxy 10.0.0.5)}: for log lines. */
        @Override
        public String toString() {
            return proxy == null ? address : address + " (through proxy " + proxy + ")";
        }
    }

    /**
     * The client of a request that came from {@code peer} (the connection's remote address) with these header
     * values, each as sent (a value may hold several comma-separated entries; the values in the order of the header
     * lines). Never throws for what a client sent.
     *
     * @param peer the connection's remote IP address
     * @param forwardedFor the values of the {@code X-Forwarded-For} header lines (empty when none)
     * @param forwarded the values of the {@code Forwarded} header lines (empty when none)
     */
    Client resolve(String peer, List<String> forwardedFor, List<String> forwarded);

    /** The client of a servlet request: its peer and its {@code X-Forwarded-For} and {@code Forwarded} lines. */
    default Client resolve(HttpServletRequest request) {
        return resolve(request.getRemoteAddr(), lines(request, "X-Forwarded-For"), lines(request, "Forwarded"));
    }

    /** The values of a header's lines, in order (none when the container does not tell). */
    private static List<String> lines(HttpServletRequest request, String name) {
        Enumeration<String> values = request.getHeaders(name);
        return values == null ? List.of() : Collections.list(values);
    }
}
