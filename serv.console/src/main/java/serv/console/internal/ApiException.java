package serv.console.internal;

/** A request of the admin API that cannot be done as asked: its HTTP status and the message the caller reads. */
final class ApiException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    /** The version stored now, for a compare-and-set that lost (409 in a cluster); null otherwise. */
    private final Long version;

    ApiException(int status, String message) {
        this(status, message, null);
    }

    ApiException(int status, String message, Long version) {
        super(message);
        this.status = status;
        this.version = version;
    }

    Long version() {
        return version;
    }

    /** What a write to the cluster's store that failed answers: 409 with the stored version, or 503. */
    static ApiException of(serv.core.config.ConfigStore.Conflict e) {
        return new ApiException(409, e.getMessage(), e.current());
    }

    static ApiException of(serv.core.config.ConfigStore.Unavailable e) {
        return new ApiException(503, e.getMessage());
    }

    int status() {
        return status;
    }

    static ApiException notFound(String what) {
        return new ApiException(404, what + " not found");
    }

    static ApiException badRequest(String why) {
        return new ApiException(400, why);
    }

    static ApiException conflict(String why) {
        return new ApiException(409, why);
    }
}
