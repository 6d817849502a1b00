package serv.core.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.persistence.EntityManager;
import javax.persistence.EntityTransaction;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import jakarta.servlet.http.HttpServletRequest;
import serv.core.HttpException;
import serv.core.Request;
import serv.core.Response;
import serv.core.internal.jpa.PersistenceUnits;
import serv.database.Database;

/**
 * The request and the answer being built, for one call of a handler. It owns the request's database connection:
 * borrowed on first use, in a transaction for writing methods, and always returned by {@link #close(boolean)}.
 */
final class RequestContext implements Request, Response {

    /** Most bytes of an oversized body read and dropped before answering 413; past it the connection closes. */
    static final long DISCARD_LIMIT = 64L << 20;

    private final HttpServletRequest servlet;
    private final String method;
    private final String path;
    private final Map<String, String> params;
    private final Database database;
    private final String tenant;
    private final long maxBody;
    private final PersistenceUnits units;

    private Map<String, List<String>> query;
    private byte[] body;
    private Connection connection;
    private boolean transactional;
    /** The request's EntityManagers by unit, in the order they were opened; null until the first. */
    private Map<String, EntityManager> entityManagers;

    private int status = 200;
    private Map<String, String> headers;
    private byte[] output;
    private String contentType;

    RequestContext(HttpServletRequest servlet, String method, String path, Map<String, String> params,
            Database database, String tenant, long maxBody, PersistenceUnits units) {
        this.servlet = servlet;
        this.method = method;
        this.path = path;
        this.params = params;
        this.database = database;
        this.tenant = tenant;
        this.maxBody = maxBody;
        this.units = units;
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
            query = decodeForm(servlet.getQueryString());
        }
        return query;
    }

    @Override
    public String header(String name) {
        return servlet.getHeader(name);
    }

    @Override
    public byte[] body() throws IOException {
        if (body == null) {
            long declared = servlet.getContentLengthLong();
            byte[] buffer = new byte[8192];
            try (InputStream in = servlet.getInputStream()) {
                if (declared > maxBody) {
                    throw tooLarge(in, buffer);
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 256);
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (out.size() + n > maxBody) {
                        throw tooLarge(in, buffer);
                    }
                    out.write(buffer, 0, n);
                }
                body = out.toByteArray();
            }
        }
        return body;
    }

    /**
     * The 413 for a body over the limit. The rest of the body is read and dropped first (up to
     * {@link #DISCARD_LIMIT}), so that the client, still sending, gets the answer instead of a broken connection.
     */
    private HttpException tooLarge(InputStream in, byte[] buffer) throws IOException {
        long dropped = 0;
        int n;
        while (dropped < DISCARD_LIMIT && (n = in.read(buffer)) > 0) {
            dropped += n;
        }
        return HttpException.payloadTooLarge(maxBody);
    }

    @Override
    public Map<String, String> form() throws IOException {
        String type = servlet.getContentType() == null ? "" : servlet.getContentType().toLowerCase(Locale.ROOT);
        if (type.startsWith("application/x-www-form-urlencoded")) {
            Map<String, String> fields = new LinkedHashMap<>();
            decodeForm(new String(body(), StandardCharsets.UTF_8))
                    .forEach((k, v) -> fields.put(k, v.isEmpty() ? "" : v.get(0)));
            return fields;
        }
        if (type.startsWith("application/json")) {
            JsonNode node = parse(JsonNode.class);
            if (node == null || !node.isObject()) {
                throw HttpException.badRequest("the JSON body must be an object");
            }
            Map<String, String> fields = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> {
                JsonNode v = e.getValue();
                if (v.isValueNode() && !v.isNull()) {
                    fields.put(e.getKey(), v.asText());
                } else if (!v.isNull()) {
                    fields.put(e.getKey(), v.toString());
                }
            });
            return fields;
        }
        throw new HttpException(415, "send application/x-www-form-urlencoded or application/json");
    }

    @Override
    public <T> T json(Class<T> type) throws IOException {
        return parse(type);
    }

    private <T> T parse(Class<T> type) throws IOException {
        byte[] bytes = body();
        if (bytes.length == 0) {
            throw HttpException.badRequest("the request body is empty");
        }
        try {
            return Json.MAPPER.readValue(bytes, type);
        } catch (JsonProcessingException e) {
            throw HttpException.badRequest("the request body is not valid JSON");
        }
    }

    @Override
    public Optional<String> tenant() {
        return Optional.ofNullable(tenant);
    }

    @Override
    public Connection connection() throws SQLException {
        if (connection == null) {
            if (database == null) {
                throw new SQLException("this route declares no database (set database in its @Route)");
            }
            Connection c = database.connection();
            transactional = Dispatcher.isWrite(method);
            if (transactional) {
                try {
                    c.setAutoCommit(false);
                } catch (SQLException e) {
                    c.close();
                    throw e;
                }
            }
            connection = c;
        }
        return connection;
    }

    @Override
    public EntityManager entityManager(String unit) {
        EntityManager em = entityManagers == null ? null : entityManagers.get(unit);
        if (em == null) {
            if (database == null) {
                throw new IllegalStateException("this route declares no database (set database in its @Route)");
            }
            em = units.open(unit, database, this::connection);
            if (entityManagers == null) {
                entityManagers = new LinkedHashMap<>(2);
            }
            entityManagers.put(unit, em);
            if (Dispatcher.isWrite(method)) {
                em.getTransaction().begin();
            }
        }
        return em;
    }

    /**
     * Ends the request's use of the database: commits when {@code success} and the answer is not an error,
     * otherwise rolls back; the connection always goes back to the pool. The EntityManagers' pending writes are
     * flushed first, on the same connection, so that a failing flush (a constraint, say) rolls everything back.
     *
     * @throws Exception when a flush or the commit fails (everything is rolled back; the answer must be an error)
     */
    void close(boolean success) throws Exception {
        boolean commit = success && status < 400;
        try {
            closeEntityManagers(commit);
        } catch (RuntimeException | Error e) {
            closeConnection(false);
            throw e;
        }
        closeConnection(commit);
    }

    /** Commits (flushes) or rolls back each EntityManager's transaction, then closes it; throws when one failed. */
    private void closeEntityManagers(boolean commit) {
        Map<String, EntityManager> ems = entityManagers;
        if (ems == null) {
            return;
        }
        entityManagers = null;
        RuntimeException failure = null;
        try {
            for (EntityManager em : ems.values()) {
                try {
                    if (em.isOpen()) {
                        EntityTransaction tx = em.getTransaction();
                        if (tx.isActive()) {
                            if (commit && failure == null && !tx.getRollbackOnly()) {
                                tx.commit();
                            } else {
                                tx.rollback();
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                } finally {
                    if (em.isOpen()) {
                        em.close();
                    }
                }
            }
        } finally {
            units.release(); // the thread serves another request next
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void closeConnection(boolean commit) throws SQLException {
        Connection c = connection;
        if (c == null) {
            return;
        }
        connection = null;
        try {
            if (transactional) {
                if (commit) {
                    c.commit();
                } else {
                    c.rollback();
                }
            }
        } finally {
            try {
                if (transactional) {
                    c.setAutoCommit(true);
                }
            } catch (SQLException ignored) {
                // the pool resets and validates the connection itself
            } finally {
                c.close();
            }
        }
    }

    // ---- Response -------------------------------------------------------------------------------------------

    @Override
    public Response status(int code) {
        if (code < 100 || code > 599) {
            throw new IllegalArgumentException("not an HTTP status: " + code);
        }
        status = code;
        return this;
    }

    @Override
    public Response header(String name, String value) {
        if (headers == null) {
            headers = new LinkedHashMap<>();
        }
        headers.put(name, value);
        return this;
    }

    @Override
    public void json(Object value) {
        body(Json.bytes(value), "application/json");
    }

    @Override
    public void body(byte[] bytes, String type) {
        output = bytes;
        contentType = type;
    }

    @Override
    public int status() {
        return status;
    }

    Map<String, String> headers() {
        return headers == null ? Map.of() : headers;
    }

    byte[] output() {
        return output;
    }

    String contentType() {
        return contentType;
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    static Map<String, List<String>> decodeForm(String text) {
        if (text == null || text.isEmpty()) {
            return Map.of();
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key;
            String value;
            try {
                key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw HttpException.badRequest("malformed percent-encoding in form or query");
            }
            out.computeIfAbsent(key, k -> new ArrayList<>(1)).add(value);
        }
        out.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return Collections.unmodifiableMap(out);
    }
}
