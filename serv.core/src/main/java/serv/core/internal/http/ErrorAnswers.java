package serv.core.internal.http;

import java.io.IOException;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.http.HttpServletResponse;
import serv.core.HttpException;
import serv.database.SqlError;

/**
 * Every error answer of the dispatcher, as JSON {@code {"error": "..."}}: an {@link HttpException} as its status,
 * a database error the same way on PostgreSQL and SQLite (the seed's "handle database errors gracefully": 409
 * naming the columns of a unique violation, 400 for the other constraints and for a value the database cannot
 * take (SQLSTATE class 22), 503 with {@code Retry-After} when the
 * database is unavailable), and anything else as a 500 whose body carries only an error id that matches the log
 * line, never SQL or a class name.
 */
final class ErrorAnswers {

    static final int RETRY_AFTER_SECONDS = 5;

    /** Largest answer kept whole in the response's buffer (see {@link #send}); a larger one is written as it goes. */
    static final int MAX_BUFFERED = 4 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private ErrorAnswers() {
    }

    /**
     * Sends a complete answer: status, headers and a JSON body (or none). The body goes into the response's buffer
     * (made large enough for it, up to {@link #MAX_BUFFERED}) and no Content-Length is set here: Jetty then writes
     * it once the request's thread has returned, without a thread, and sets the Content-Length itself. Written with
     * its Content-Length, the last byte made Jetty write it at once, blocking: a client that sends requests and
     * reads no answer held a thread per connection until the idle timeout (60 s), and 200 of them held them all.
     */
    static void send(HttpServletResponse resp, int status, byte[] body, Map<String, String> headers)
            throws IOException {
        resp.setStatus(status);
        headers.forEach(resp::setHeader);
        if (body != null) {
            if (resp.getContentType() == null) {
                resp.setContentType("application/json");
            }
            if (body.length < MAX_BUFFERED && !resp.isCommitted()) {
                resp.setBufferSize(Math.max(resp.getBufferSize(), body.length + 1));
            }
            resp.getOutputStream().write(body);
        }
    }

    static void error(HttpServletResponse resp, int status, String message) throws IOException {
        send(resp, status, Json.error(message), Map.of());
    }

    static void error(HttpServletResponse resp, HttpException e) throws IOException {
        send(resp, e.status(), Json.error(e.getMessage()), e.headers());
    }

    /** 503 with {@code Retry-After}. */
    static void unavailable(HttpServletResponse resp, String message) throws IOException {
        send(resp, 503, Json.error(message), Map.of("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)));
    }

    /**
     * The answer to what a route or a middleware threw (or its transaction's commit). An {@link HttpException}
     * takes only 400 to 599; one that says another status all the same (a subclass's {@code status()}) is the
     * extension's mistake, answered as any unexpected exception: Jetty would refuse the status with an
     * IllegalArgumentException and answer a 500 of its own, without the error id.
     */
    static void thrown(HttpServletResponse resp, RouteTable.Entry route, String tenant, Exception e)
            throws IOException {
        if (e instanceof HttpException h && h.status() >= 400 && h.status() <= 599) {
            error(resp, h);
        } else if (e instanceof HttpException h) {
            failed(resp, route, tenant, new IllegalArgumentException("HTTP status " + h.status() + " of "
                    + h.getClass().getName() + " is not an error status: an HttpException takes 400 to 599", h));
        } else {
            failed(resp, route, tenant, e);
        }
    }

    /** The answer to an exception a route threw (or its transaction's commit). */
    static void failed(HttpServletResponse resp, RouteTable.Entry route, String tenant, Exception e)
            throws IOException {
        SqlError sql = SqlError.of(e).orElse(null);
        if (sql != null) {
            switch (sql.kind()) {
                case UNIQUE -> {
                    error(resp, 409, sql.clientMessage());
                    return;
                }
                case FOREIGN_KEY, NOT_NULL, CHECK, INVALID_VALUE -> {
                    error(resp, 400, sql.clientMessage());
                    return;
                }
                case UNAVAILABLE -> {
                    // The database's own state changes are logged once, where they happen; not at every request.
                    LOG.debug("Route {}{}: database {} unavailable: {}", route.template(),
                            tenant == null ? "" : " of tenant " + tenant, route.database(), e.getMessage());
                    unavailable(resp, "database " + route.database() + " is unavailable");
                    return;
                }
                case OTHER -> {
                    // a 500 below
                }
            }
        }
        String id = UUID.randomUUID().toString().substring(0, 8);
        if (tenant == null) {
            LOG.error("Route {} failed, error id {}", route.template(), id, e);
        } else {
            LOG.error("Route {} of tenant {} failed, error id {}", route.template(), tenant, id, e);
        }
        send(resp, 500, Json.error("internal server error", "id", id), Map.of());
    }
}
