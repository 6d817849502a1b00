package serv.console.internal;

/** A request of the admin API that cannot be done as asked: its HTTP status and the message the caller reads. */
final class ApiException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;

    ApiException(int status, String message) {
        super(message);
        this.status = status;
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
