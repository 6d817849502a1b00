package serv.core.internal.http;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.servlet.http.HttpServletRequest;
import serv.core.Request;
import serv.core.RequestResource;
import serv.core.Response;
import serv.core.security.ClientAddress;
import serv.database.Database;

/**
 * One call of a handler: the {@link Request} and the {@link Response} it gets, over the servlet request, the
 * {@link RequestBody}, the {@link BufferedResponse} and the {@link RequestTransaction}.
 */
final class RequestContext implements Request, Response {

    private final HttpServletRequest servlet;
    private final String method;
    private final String path;
    private final Map<String, String> params;
    private final String tenant;
    private final RequestBody body;
    private final BufferedResponse response = new BufferedResponse();
    private final RequestTransaction transaction;
    private final ClientAddress clients;
    private Map<String, List<String>> query;
    /** Who the client is, resolved on first use. */
    private ClientAddress.Client client;

    RequestContext(HttpServletRequest servlet, String method, String path, Map<String, String> params,
            Database database, String tenant, long maxBody, byte[] body, ClientAddress clients) {
        this.servlet = servlet;
        this.clients = clients;
        this.method = method;
        this.path = path;
        this.params = params;
        this.tenant = tenant;
        this.body = new RequestBody(servlet, maxBody, body);
        this.transaction = new RequestTransaction(database, Dispatcher.isWrite(method));
    }

    // ---- Request --------------------------------------------------------------------------------------------

    @Override
    public String method() {
        return method;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String pathParam(String name) {
        return params.get(name);
    }

    @Override
    public String query(String name) {
        List<String> values = queryParams().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public Map<String, List<String>> queryParams() {
        if (query == null) {
            query = RequestBody.decodeForm(servlet.getQueryString());
        }
        return query;
    }

    @Override
    public String header(String name) {
        return servlet.getHeader(name);
    }

    @Override
    public String remoteAddress() {
        return client().address();
    }

    @Override
    public Optional<String> proxyAddress() {
        return client().through();
    }

    private ClientAddress.Client client() {
        if (client == null) {
            client = clients.resolve(servlet);
        }
        return client;
    }

    @Override
    public byte[] body() throws IOException {
        return body.bytes();
    }

    @Override
    public Map<String, String> form() throws IOException {
        return body.form();
    }

    @Override
    public <T> T json(Class<T> type) throws IOException {
        return body.json(type);
    }

    @Override
    public Optional<String> tenant() {
        return Optional.ofNullable(tenant);
    }

    @Override
    public Optional<Database> database() {
        return Optional.ofNullable(transaction.database());
    }

    @Override
    public boolean transactional() {
        return transaction.transactional();
    }

    @Override
    public Connection connection() throws SQLException {
        return transaction.connection();
    }

    @Override
    public <T extends RequestResource> T resource(Class<T> type, Supplier<T> open) {
        return transaction.resource(type, open);
    }

    /**
     * Ends the request's use of the database: commits when {@code success} and the answer is not an error,
     * otherwise rolls back; the connection always goes back to the pool.
     *
     * @throws Exception when a resource or the commit fails (everything is rolled back; the answer must be an error)
     */
    void close(boolean success) throws Exception {
        transaction.end(success && response.status() < 400);
    }

    // ---- Response -------------------------------------------------------------------------------------------

    @Override
    public Response status(int code) {
        response.status(code);
        return this;
    }

    @Override
    public Response header(String name, String value) {
        response.header(name, value);
        return this;
    }

    @Override
    public void json(Object value) {
        body(Json.bytes(value), "application/json");
    }

    @Override
    public void body(byte[] bytes, String type) {
        response.body(bytes, type);
    }

    @Override
    public int status() {
        return response.status();
    }

    BufferedResponse answer() {
        return response;
    }
}
