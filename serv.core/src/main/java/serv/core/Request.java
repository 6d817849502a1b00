package serv.core;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.osgi.annotation.versioning.ProviderType;

import serv.database.Database;

/** One HTTP request, as a route sees it. Valid only during {@link Handler#handle}. */
@ProviderType
public interface Request {

    /** The HTTP method, upper case. */
    String method();

    /** The path, decoded, without the tenant's path prefix and without the query. */
    String path();

    /** The value of a {@code {name}} segment of the route's template, or null. */
    String pathParam(String name);

    /**
     * The first value of a query parameter, or null when absent. A malformed percent escape or a value that is not
     * UTF-8 gives a 400 naming it.
     */
    String query(String name);

    /** All query parameters (checked as {@link #query(String)}). */
    Map<String, List<String>> queryParams();

    /** A request header, or null. */
    String header(String name);

    /**
     * The client's IP address: what a route may count requests or failed logins by. Since 2.1. The connection's
     * peer address, unless the peer is a trusted proxy ({@code http: {trusted_proxies: [...]}}, PID
     * {@code serv.http}; since 2.2): then the client that proxy forwarded, the right-most address of
     * {@code X-Forwarded-For} (or of {@code Forwarded: for=}) that is not itself a trusted proxy
     * ({@link serv.core.security.ClientAddress}). From any other peer those headers are ignored (a direct client
     * chooses them); a trusted proxy's headers that cannot be read give the peer.
     */
    String remoteAddress();

    /**
     * The trusted proxy this request came through (the connection's peer), when {@link #remoteAddress()} is the
     * client it forwarded; empty when the client connected directly. Since 2.2.
     */
    default Optional<String> proxyAddress() {
        return Optional.empty();
    }

    /** The request body as bytes; larger than the server's limit gives a 413 {@link HttpException}. */
    byte[] body() throws IOException;

    /**
     * The body's fields: from {@code application/x-www-form-urlencoded} (first value of each field) or from a
     * JSON object (its string, number and boolean members as text; a null member is left out). Another content type
     * or a compressed body (415), a malformed body, a value that is not UTF-8 or holds a NUL character, or a member
     * that is an array or an object gives a 400 naming it.
     */
    Map<String, String> form() throws IOException;

    /**
     * The body parsed as JSON into {@code type}. A malformed body, one with more after its value, a field given twice
     * or half a surrogate pair gives a 400 saying where; a compressed body a 415.
     */
    <T> T json(Class<T> type) throws IOException;

    /** The tenant this request was resolved to; empty on a single-tenant server. */
    Optional<String> tenant();

    /**
     * The connection of this request to the route's database, borrowed on first use and returned when the request
     * ends. For POST, PUT, PATCH and DELETE it is in a transaction that commits when the handler succeeds and rolls
     * back when it throws or answers an error status; for other methods it is in auto-commit mode. Do not close it.
     */
    Connection connection() throws SQLException;

    /** The database of the route (a tenant's own for a tenant's request); empty when the route names none. */
    Optional<Database> database();

    /**
     * Whether {@link #connection()} runs in a transaction: true for POST, PUT, PATCH and DELETE, whose work commits
     * when the handler succeeds and rolls back when it throws or answers an error status.
     */
    boolean transactional();

    /**
     * The resource of this request of the given type, opened by {@code open} on first use: something the request
     * holds until it ends and that takes part in its transaction (serv.jpa's EntityManagers on the request's
     * connection are one). Resources end in the reverse order of their opening, before the request's connection
     * commits or rolls back.
     *
     * @since 2.0
     */
    <T extends RequestResource> T resource(Class<T> type, Supplier<T> open);
}
