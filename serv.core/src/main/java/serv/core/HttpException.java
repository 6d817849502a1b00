package serv.core;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An error answer: the runtime sends {@code {"error": message}} with the status (and headers). The status is an
 * error's, 400 to 599 (4xx: the client's mistake, 5xx: the server's); a request that ends in one rolls its
 * transaction back. The message is shown to the client: never put SQL, stack traces or secrets in it.
 */
public class HttpException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final Map<String, String> headers;

    /**
     * An error answer of {@code status} with {@code message}.
     *
     * @throws IllegalArgumentException when {@code status} is not 400 to 599 (a 2xx or 3xx is an answer, set with
     *     {@link Response#status(int)}; 0, 99 or 1000 are no HTTP status): a route or middleware that makes one fails
     *     like any other unexpected exception, a 500 whose error id matches the log line
     */
    public HttpException(int status, String message) {
        this(status, message, Map.of());
    }

    /**
     * An error answer of {@code status} with {@code message} and these headers.
     *
     * @throws IllegalArgumentException when {@code status} is not 400 to 599 (see
     *     {@link #HttpException(int, String)})
     */
    public HttpException(int status, String message, Map<String, String> headers) {
        super(message, null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("HTTP status " + status + " is not an error status: an HttpException"
                    + " takes 400 to 599 (4xx: the client's mistake, 5xx: the server's)");
        }
        this.status = status;
        this.headers = Map.copyOf(headers);
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** Extra headers of the answer. */
    public Map<String, String> headers() {
        return headers;
    }

    /** 400: the request is malformed. */
    public static HttpException badRequest(String message) {
        return new HttpException(400, message);
    }

    /** 404: nothing here. */
    public static HttpException notFound(String message) {
        return new HttpException(404, message);
    }

    /** 405 with the {@code Allow} header. */
    public static HttpException methodNotAllowed(Set<String> allowed) {
        return new HttpException(405, "method not allowed", Map.of("Allow", String.join(", ", new TreeSet<>(allowed))));
    }

    /** 409: the request conflicts with existing data. */
    public static HttpException conflict(String message) {
        return new HttpException(409, message);
    }

    /** 413: the body is larger than allowed. */
    public static HttpException payloadTooLarge(long limit) {
        return new HttpException(413, "request body larger than " + limit + " bytes");
    }

    /** 503 with {@code Retry-After}. */
    public static HttpException unavailable(String message, int retryAfterSeconds) {
        return new HttpException(503, message, Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
    }

    /** 500 with a message shown to the client; prefer throwing the underlying exception instead. */
    public static HttpException serverError(String message) {
        return new HttpException(500, message);
    }
}
