package serv.core;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An error answer: the runtime sends {@code {"error": message}} with the status (and headers). The message is
 * shown to the client: never put SQL, stack traces or secrets in it.
 */
public class HttpException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final Map<String, String> headers;

    public HttpException(int status, String message) {
        this(status, message, Map.of());
    }

    public HttpException(int status, String message, Map<String, String> headers) {
        super(message, null, false, false);
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
