package serv.console.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import serv.database.Database;
import serv.database.MigrationException;
import serv.database.Migrations;

/**
 * The admin API: one JSON API behind the console's Serv pages, the {@code serv} command line and scripts, under the
 * console's path and login ({@code /system/console/serv/api/...}, HTTP Basic). Every answer is JSON; an error is a
 * 4xx or 5xx with {@code {"error": "..."}} that says what to do.
 *
 * <pre>
 * GET    overview                          server, tenants, databases, traffic, what needs attention
 * GET    databases                         every database (the tenants' included), pool figures, source, changes
 * GET    databases/{name}[?tenant=t]       one, with its migration history
 * POST   databases/{name}/test[?tenant=t]  opens a connection of its own and checks it answers
 * POST   databases/{name}/rollback         {"extension": e, "version": v, "confirm": true}: runs down scripts
 * POST   databases/{name}/migrate          {"extension": e}: applies again the migrations a rollback held back
 * GET    tenants[?offset=&limit=&q=]       a page of tenants (100 by default, 1000 at most; q filters by id,
 *                                          name or host), how many there are, the refused tenant configurations
 * GET    tenants/{id}
 * POST   tenants                           {"id": ..., "hosts": [...], "database_schema": ...}: adds one
 * PUT    tenants/{id}                      the keys given replace the stored ones (null removes one)
 * DELETE tenants/{id}[?data=keep|drop]     removes it; drop also drops a schema tenant's schema
 * GET    cluster                           the cluster's store and nodes (clustered: false on its own)
 * GET    routes                            every route and whether it serves now
 * GET    extensions                        every extension: version, state, routes, settings, tenants, problem
 * GET    extensions/{id or name}           one, with its migrations
 * POST   extensions                        the jar as body: installs it (or replaces it) through deploy/
 * POST   extensions/{id}/start|stop
 * DELETE extensions/{id}                   removes a deployed extension
 * </pre>
 */
@Component(service = AdminApi.class)
public final class AdminApi {

    static final String PREFIX = "/api/";
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final long MAX_JAR = 64L << 20;
    /** Tenants per page when the caller does not say, and at most. */
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    private final ObjectMapper json = new ObjectMapper();
    private final JsonBody bodies = new JsonBody();
    private final Facts facts;
    private final TenantAdmin tenants;
    private final Extensions extensions;
    private final Migrations migrations;

    @Activate
    public AdminApi(@Reference Facts facts, @Reference TenantAdmin tenants, @Reference Extensions extensions,
            @Reference Migrations migrations) {
        this.facts = facts;
        this.tenants = tenants;
        this.extensions = extensions;
        this.migrations = migrations;
    }

    /** Answers one API request; {@code path} is what follows {@code /api/}. */
    void handle(String path, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String method = req.getMethod();
        String[] p = path.isEmpty() ? new String[0] : path.split("/");
        try {
            Object answer = route(method, p, req, resp);
            if (answer != null) {
                write(resp, resp.getStatus() == 0 ? 200 : resp.getStatus(), answer);
            } else if (resp.getStatus() != 204) {
                resp.setStatus(204);
            }
        } catch (ApiException e) {
            if (e.status() == 503) {
                resp.setHeader("Retry-After", "1");
            }
            write(resp, e.status(), e.version() == null ? Map.of("error", e.getMessage())
                    : Map.of("error", e.getMessage(), "version", e.version()));
        } catch (RuntimeException e) {
            String id = java.util.UUID.randomUUID().toString().substring(0, 8);
            LOG.error("Admin API {} {} failed, error id {}", Echo.cut(method), Echo.cut(path), id, e);
            write(resp, 500, Map.of("error", "the request failed (error id " + id + "); see the server's log"));
        }
    }

    private Object route(String method, String[] p, HttpServletRequest req, HttpServletResponse resp)
            throws ApiException, IOException {
        if (p.length == 0) {
            throw ApiException.notFound("API path (try overview, databases, tenants, routes, extensions, cluster)");
        }
        String tenant = req.getParameter("tenant");
        switch (p[0]) {
            case "overview" -> {
                only(method, "GET", p, 1);
                return facts.overview();
            }
            case "databases" -> {
                if (p.length == 1) {
                    only(method, "GET", p, 1);
                    return Map.of("databases", facts.databases());
                }
                Database db = facts.database(p[1], tenant).orElseThrow(() -> ApiException.notFound("database "
                        + Echo.cut((tenant == null || tenant.isEmpty() ? "" : tenant + "/") + p[1])));
                if (p.length == 2) {
                    only(method, "GET", p, 2);
                    Map<String, Object> one = facts.database(db, facts.databaseConfigurations());
                    try {
                        one.put("migrations", facts.migrations(db));
                    } catch (ApiException e) {
                        one.put("migrations_error", e.getMessage());
                    }
                    return one;
                }
                if (p.length == 3 && p[2].equals("test")) {
                    only(method, "POST", p, 3);
                    Database.ConnectionTest t = db.testConnection();
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("ok", t.ok());
                    m.put("ms", t.millis());
                    m.put("message", t.message());
                    return m;
                }
                if (p.length == 3 && p[2].equals("rollback")) {
                    only(method, "POST", p, 3);
                    return rollback(db, bodies.read(req));
                }
                if (p.length == 3 && p[2].equals("migrate")) {
                    only(method, "POST", p, 3);
                    return migrate(db, bodies.read(req));
                }
                throw ApiException.notFound("API path databases/" + Echo.cut(String.join("/", List.of(p)
                        .subList(1, p.length))));
            }
            case "tenants" -> {
                if (p.length == 1 && method.equals("GET")) {
                    int offset = number(req, "offset", 0);
                    int limit = Math.min(number(req, "limit", DEFAULT_PAGE), MAX_PAGE);
                    Facts.TenantPage page = facts.tenants(offset, limit, req.getParameter("q"));
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("tenants", page.page());
                    m.put("total", page.total());
                    m.put("offset", offset);
                    m.put("limit", limit);
                    m.put("refused", facts.refusedTenants());
                    return m;
                }
                if (p.length == 1 && method.equals("POST")) {
                    TenantAdmin.Result r = tenants.create(bodies.read(req));
                    resp.setStatus(201);
                    return r.toMap();
                }
                if (p.length == 2) {
                    switch (method) {
                        case "GET" -> {
                            var t = facts.tenantService().find(p[1]).orElseThrow(() -> ApiException.notFound(
                                    "tenant " + Echo.cut(p[1])));
                            Map<String, Object> one = facts.tenant(t, facts.tenantConfiguration(p[1]));
                            long version = tenants.version(p[1]);
                            if (version > 0) {
                                one.put("version", version); // give it back (body or If-Match) to edit on it
                                resp.setHeader("ETag", "\"" + version + "\"");
                            }
                            return one;
                        }
                        case "PUT", "PATCH" -> {
                            return tenants.update(p[1], bodies.read(req), ifMatch(req)).toMap();
                        }
                        case "DELETE" -> {
                            String data = req.getParameter("data") == null ? "keep" : req.getParameter("data");
                            if (!data.equals("keep") && !data.equals("drop")) {
                                throw ApiException.badRequest("data=" + Echo.cut(data)
                                        + ": give data=keep (the default) or data=drop");
                            }
                            return tenants.remove(p[1], data.equals("drop"), ifMatch(req)).toMap();
                        }
                        default -> throw notAllowed(method, "GET, PUT, DELETE");
                    }
                }
                throw notAllowed(method, "GET, POST");
            }
            case "cluster" -> {
                only(method, "GET", p, 1);
                return facts.cluster();
            }
            case "routes" -> {
                only(method, "GET", p, 1);
                return Map.of("routes", facts.routes());
            }
            case "extensions" -> {
                if (p.length == 1 && method.equals("GET")) {
                    return Map.of("extensions", extensions.list());
                }
                if (p.length == 1 && method.equals("POST")) {
                    Deployments.Installed done = extensions.install(jar(req));
                    resp.setStatus(done.created() ? 201 : 200);
                    return extensions.describe(done.bundle());
                }
                if (p.length == 2 && method.equals("GET")) {
                    return extensions.get(p[1]);
                }
                if (p.length == 2 && method.equals("DELETE")) {
                    extensions.uninstall(p[1]);
                    resp.setStatus(204);
                    return null;
                }
                if (p.length == 3 && method.equals("POST") && p[2].equals("start")) {
                    return extensions.start(p[1]);
                }
                if (p.length == 3 && method.equals("POST") && p[2].equals("stop")) {
                    return extensions.stop(p[1]);
                }
                throw ApiException.notFound("API path " + Echo.cut(method + " " + String.join("/", p)));
            }
            default -> throw ApiException.notFound("API path " + Echo.cut(p[0])
                    + " (try overview, databases, tenants, routes, extensions, cluster)");
        }
    }

    /** A migration version, as in V<version>__words.sql: digits, parts separated by '.' or '_'. */
    private static final java.util.regex.Pattern MIGRATION_VERSION =
            java.util.regex.Pattern.compile("\\d{1,18}(?:[._]\\d{1,18}){0,9}");

    private Object rollback(Database db, Map<String, Object> body) throws ApiException {
        Object extension = body.get("extension");
        Object version = body.get("version");
        if (!(extension instanceof String) || version == null || version instanceof Map || version instanceof List) {
            throw ApiException.badRequest("give \"extension\" and \"version\" (the version to go down to; \"0\""
                    + " removes them all)");
        }
        if (!MIGRATION_VERSION.matcher(version.toString()).matches()) {
            throw ApiException.badRequest("key 'version': '" + Echo.cut(version) + "' is not a migration version:"
                    + " give the version to go down to, as in 3 or 1.2 (0 removes them all)");
        }
        if (!Boolean.TRUE.equals(body.get("confirm"))) {
            throw ApiException.badRequest("a rollback runs down scripts and may drop data: send \"confirm\": true");
        }
        try {
            List<String> done = migrations.rollback(db, extension.toString(), version.toString());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rolled_back", done);
            m.put("message", done.isEmpty() ? "nothing above version " + version + " to roll back"
                    : "rolled back " + String.join(", ", done) + "; while this version of " + extension + " is"
                            + " deployed they are not applied again and its routes answer 503: deploy the version"
                            + " that ends at " + version + " (or a newer one), or apply them again (POST"
                            + " databases/" + db.name() + "/migrate)");
            return m;
        } catch (MigrationException e) {
            throw ApiException.conflict(e.getMessage());
        }
    }

    private Object migrate(Database db, Map<String, Object> body) throws ApiException {
        Object extension = body.get("extension");
        if (!(extension instanceof String name) || name.isBlank()) {
            throw ApiException.badRequest("give \"extension\": the symbolic name of the extension whose migrations a"
                    + " rollback held back");
        }
        try {
            boolean held = migrations.applyAgain(db, name);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("held", held);
            m.put("message", held ? "the migrations of " + name + " are being applied again on " + db.name()
                    : "no rollback held back the migrations of " + name + " on " + db.name()
                            + "; they are checked again");
            return m;
        } catch (MigrationException e) {
            throw ApiException.conflict(e.getMessage());
        }
    }

    /** The version a change was made on, from {@code If-Match: "7"}; null when the request does not say. */
    private static Long ifMatch(HttpServletRequest req) throws ApiException {
        String v = req.getHeader("If-Match");
        if (v == null || v.isBlank() || v.strip().equals("*")) {
            return null;
        }
        try {
            return Long.parseLong(v.strip().replace("\"", "").replace("W/", ""));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("If-Match: " + Echo.cut(v) + ": give the version the change was made on"
                    + " (\"7\")");
        }
    }

    /** A non-negative whole number query parameter, or {@code fallback}. */
    private static int number(HttpServletRequest req, String name, int fallback) throws ApiException {
        String v = req.getParameter(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + "=" + Echo.cut(v) + ": give a whole number, 0 or more");
        }
    }

    private static void only(String method, String allowed, String[] p, int length) throws ApiException {
        if (p.length != length) {
            throw ApiException.notFound("API path " + Echo.cut(String.join("/", p)));
        }
        if (!method.equals(allowed) && !(allowed.equals("GET") && method.equals("HEAD"))) {
            throw notAllowed(method, allowed);
        }
    }

    private static ApiException notAllowed(String method, String allowed) {
        return new ApiException(405, Echo.cut(method) + " is not allowed here; use " + allowed);
    }

    private static byte[] jar(HttpServletRequest req) throws ApiException, IOException {
        String type = JsonBody.mediaType(req.getContentType());
        if (type.equals("application/x-www-form-urlencoded") || type.startsWith("multipart/")) {
            throw new ApiException(415, "send the jar itself as the body, with Content-Type: application/java-archive"
                    + " (it came as " + Echo.cut(req.getContentType()) + ")");
        }
        if (req.getContentLengthLong() > MAX_JAR) {
            throw new ApiException(413, "the jar is larger than " + (MAX_JAR >> 20) + " MiB");
        }
        byte[] bytes = JsonBody.read(req.getInputStream(), MAX_JAR);
        if (bytes.length == 0) {
            throw ApiException.badRequest("send the extension's jar as the body (Content-Type:"
                    + " application/java-archive)");
        }
        return bytes;
    }

    private void write(HttpServletResponse resp, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }
}
