package serv.console.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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
 * POST   databases/{name}/test[?tenant=t]  opens a connection of its own and checks it answers (a sleeping
 *                                           tenant's pool is opened first, as for its rollback and migrate);
 *                                           no body or {} (as test, start, stop and the removals)
 * POST   databases/{name}/rollback         {"extension": e, "version": v, "confirm": true}: runs down scripts
 * POST   databases/{name}/migrate          {"extension": e}: applies again the migrations a rollback held back
 * GET    tenants[?offset=&limit=&q=]       a page of tenants (100 by default, 1000 at most; q filters by id,
 *                                          name or host), how many there are, the refused tenant configurations
 * GET    tenants/{id}                      one; a stored one that does not run: state REFUSED and the reason
 * POST   tenants                           {"id": ..., "hosts": [...], "database_schema": ...}: adds one
 * PUT    tenants/{id}                      the keys given replace the stored ones (null removes one); or PATCH
 * DELETE tenants/{id}[?data=keep|drop]     removes it; drop also drops a schema tenant's schema; {"version": v}
 * GET    cluster                           the cluster's store and nodes (clustered: false on its own)
 * GET    routes                            every route and whether it serves now
 * GET    extensions                        every extension: version, state, routes, settings, tenants, problem
 * GET    extensions/{id or name}           one, with its migrations
 * POST   extensions                        the jar as body (Content-Type application/java-archive, or one of
 *                                          {@link #JAR_TYPES}): installs it (or replaces it) through deploy/
 * POST   extensions/{id}/start|stop
 * DELETE extensions/{id}                   removes a deployed extension
 * </pre>
 *
 * <p>Every path that answers GET answers HEAD (the same headers, no body); OPTIONS answers 204 with {@code Allow};
 * any other method is a 405 with {@code Allow} ({@link ApiPaths}). A value of the request an error repeats is cut
 * after 60 characters ({@link Echo}). A body's keys are the ones its route takes: any other is a 400 naming it (and
 * the key it is close to), before anything is done ({@link BodyKeys}); a number in a body that stands for a whole
 * number (a version) is a 400 when it has a fraction. A body of another type than its route takes (JSON, or a jar)
 * is a 415 naming the types it takes, a form included: it is answered before the query's parameters are read, so a
 * form's body is never parsed as parameters.
 */
@Component(service = AdminApi.class)
public final class AdminApi {

    static final String PREFIX = "/api/";
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final long MAX_JAR = 64L << 20;
    /** How long a test, rollback or migration of a sleeping tenant's database waits for its pool to open. */
    static final long WAKE_WAIT_MS = 5_000;
    /** Tenants per page when the caller does not say, and at most. */
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;
    /** A migration version, as in V<version>__words.sql: digits, parts separated by '.' or '_'. */
    private static final Pattern MIGRATION_VERSION = Pattern.compile("\\d{1,18}(?:[._]\\d{1,18}){0,9}");
    /**
     * The Content-Types of a jar {@code POST extensions} takes ({@code serv deploy} and the console's upload send the
     * first); anything else, no Content-Type included, is a 415. The bytes are a jar or a 400 all the same.
     */
    static final List<String> JAR_TYPES = List.of("application/java-archive", "application/x-java-archive",
            "application/zip", "application/octet-stream");
    /** The keys of a rollback's and a migration's body. */
    static final List<String> ROLLBACK_KEYS = List.of("extension", "version", "confirm");
    static final List<String> MIGRATE_KEYS = List.of("extension");

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

    /**
     * Answers one API request, whatever its method; {@code path} is what follows {@code /api/}. An unknown path is a
     * 404, a method the path does not answer a 405 with {@code Allow} (TRACE included), OPTIONS a 204 with
     * {@code Allow}, HEAD the answer to GET without its body.
     */
    void handle(String path, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String method = req.getMethod();
        boolean head = method.equals("HEAD");
        String[] p = path.isEmpty() ? new String[0] : path.split("/");
        try {
            List<String> allowed = ApiPaths.methods(p);
            if (allowed == null) {
                throw ApiException.notFound(p.length == 0 ? "API path (try overview, databases, tenants, routes,"
                        + " extensions, cluster)" : "API path " + Echo.cut(path));
            }
            if (method.equals("OPTIONS")) {
                resp.setHeader("Allow", ApiPaths.allow(allowed));
                resp.setHeader("Cache-Control", "no-store");
                resp.setContentLength(0);
                resp.setStatus(204);
                return;
            }
            if (!allowed.contains(method)) {
                resp.setHeader("Allow", ApiPaths.allow(allowed));
                throw new ApiException(405, Echo.cut(method) + " is not allowed on " + Echo.cut(path) + "; use "
                        + ApiPaths.allow(allowed));
            }
            refuseForm(method, p, req);
            Object answer = route(head ? "GET" : method, p, req, resp);
            if (answer != null) {
                write(resp, resp.getStatus() == 0 ? 200 : resp.getStatus(), answer, head);
            } else {
                resp.setStatus(204);
            }
        } catch (ApiException e) {
            if (e.status() == 503) {
                resp.setHeader("Retry-After", "1");
            }
            write(resp, e.status(), e.version() == null ? Map.of("error", e.getMessage())
                    : Map.of("error", e.getMessage(), "version", e.version()), head);
        } catch (RuntimeException e) {
            String id = java.util.UUID.randomUUID().toString().substring(0, 8);
            LOG.error("Admin API {} {} failed, error id {}", Echo.cut(method), Echo.cut(path), id, e);
            write(resp, 500, Map.of("error", "the request failed (error id " + id + "); see the server's log"), head);
        }
    }

    /**
     * 415 for a form body ({@code application/x-www-form-urlencoded}), before anything reads a parameter: no route
     * takes one, and reading the query's parameters would parse the body as a form (a jar sent by {@code curl
     * --data-binary} was a 400 "the form is not valid", or its bytes taken for parameters).
     */
    private static void refuseForm(String method, String[] p, HttpServletRequest req) throws ApiException {
        if (req.getContentLengthLong() == 0
                || !JsonBody.mediaType(req.getContentType()).equals("application/x-www-form-urlencoded")) {
            return;
        }
        if (method.equals("POST") && p.length == 1 && p[0].equals("extensions")) {
            throw jarType(req.getContentType());
        }
        throw JsonBody.notJson(req.getContentType());
    }

    /** The answer to a request of a path that answers its method ({@link ApiPaths}); HEAD comes as GET. */
    private Object route(String method, String[] p, HttpServletRequest req, HttpServletResponse resp)
            throws ApiException, IOException {
        switch (p[0]) {
            case "overview" -> {
                return facts.overview();
            }
            case "cluster" -> {
                return facts.cluster();
            }
            case "routes" -> {
                return Map.of("routes", facts.routes());
            }
            case "databases" -> {
                return p.length == 1 ? Map.of("databases", facts.databases()) : database(p, req);
            }
            case "tenants" -> {
                return p.length == 1 ? tenants(method, req, resp) : tenant(method, p[1], req, resp);
            }
            case "extensions" -> {
                return extensions(method, p, req, resp);
            }
            default -> throw new IllegalStateException("ApiPaths knows " + p[0] + ", the router does not");
        }
    }

    private Object database(String[] p, HttpServletRequest req) throws ApiException, IOException {
        if (p.length == 3 && p[2].equals("test")) {
            BodyKeys.only(body(req), List.of(), "a connection test", "tenant");
        }
        String tenant = req.getParameter("tenant");
        Database db = facts.database(p[1], tenant).orElse(null);
        if (db == null && asleep(tenant, p[1])) {
            if (p.length == 2) {
                throw new ApiException(404, "database " + Echo.cut(tenant) + "/default is not open: tenant "
                        + Echo.cut(tenant) + " is asleep, and its pool opens on its first request (POST databases/"
                        + "default/test?tenant=" + Echo.cut(tenant) + " opens it)");
            }
            db = awaken(tenant);
        }
        if (db == null) {
            throw ApiException.notFound("database " + Echo.cut((tenant == null || tenant.isEmpty() ? "" : tenant
                    + "/") + p[1]));
        }
        if (p.length == 2) {
            Map<String, Object> one = facts.database(db, facts.databaseConfigurations());
            try {
                one.put("migrations", facts.migrations(db));
            } catch (ApiException e) {
                one.put("migrations_error", e.getMessage());
            }
            return one;
        }
        return switch (p[2]) {
            case "test" -> {
                Database.ConnectionTest t = db.testConnection();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("ok", t.ok());
                m.put("ms", t.millis());
                m.put("message", t.message());
                yield m;
            }
            case "rollback" -> rollback(db, bodies.read(req));
            default -> migrate(db, bodies.read(req));
        };
    }

    /** Whether {@code tenant} is a tenant whose pool sleeps: its database {@code name} opens on its first request. */
    private boolean asleep(String tenant, String name) {
        return tenant != null && !tenant.isEmpty() && name.equals("default")
                && facts.tenantService().find(tenant).isPresent() && !facts.tenantService().awake(tenant);
    }

    /**
     * Opens a sleeping tenant's pool, as its first request would, for an operator's test, rollback or migration of its
     * database (each answered 404 while it slept, which read as a tenant without a database), and waits (at most
     * {@value #WAKE_WAIT_MS} ms) until its database service is there.
     */
    private Database awaken(String tenant) throws ApiException {
        try {
            facts.tenantService().wake(tenant);
        } catch (IllegalArgumentException gone) {
            throw ApiException.notFound("tenant " + Echo.cut(tenant));
        }
        Waits.until(WAKE_WAIT_MS, 20, () -> facts.database("default", tenant).isPresent());
        return facts.database("default", tenant).orElseThrow(() -> new ApiException(503, "tenant " + Echo.cut(tenant)
                + "'s pool was asked to open, and its database did not come within " + WAKE_WAIT_MS / 1000
                + " s: GET tenants/" + Echo.cut(tenant) + " says its state"));
    }

    private Object tenants(String method, HttpServletRequest req, HttpServletResponse resp)
            throws ApiException, IOException {
        if (method.equals("POST")) {
            TenantAdmin.Result r = tenants.create(bodies.read(req));
            resp.setStatus(201);
            return r.toMap();
        }
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

    private Object tenant(String method, String id, HttpServletRequest req, HttpServletResponse resp)
            throws ApiException, IOException {
        switch (method) {
            case "PUT", "PATCH" -> {
                return tenants.update(id, bodies.read(req), ifMatch(req)).toMap();
            }
            case "DELETE" -> {
                Map<String, Object> body = body(req);
                BodyKeys.only(body, List.of("version"), "a removal", "data");
                Long version = TenantAdmin.version(body.get("version"), id);
                String data = req.getParameter("data") == null ? "keep" : req.getParameter("data");
                if (!data.equals("keep") && !data.equals("drop")) {
                    throw ApiException.badRequest("data=" + Echo.cut(data) + ": give data=keep (the default) or"
                            + " data=drop");
                }
                return tenants.remove(id, data.equals("drop"), version != null ? version : ifMatch(req)).toMap();
            }
            default -> {
                Map<String, Object> one = facts.tenant(id).orElseThrow(() -> ApiException.notFound("tenant "
                        + Echo.cut(id)));
                long version = tenants.version(id);
                if (version > 0) {
                    one.put("version", version); // give it back (body or If-Match) to edit on it
                    resp.setHeader("ETag", "\"" + version + "\"");
                }
                return one;
            }
        }
    }

    private Object extensions(String method, String[] p, HttpServletRequest req, HttpServletResponse resp)
            throws ApiException, IOException {
        if (p.length == 1) {
            if (method.equals("POST")) {
                Extensions.Upload done = extensions.install(jar(req));
                resp.setStatus(done.created() ? 201 : 200);
                return extensions.describe(done);
            }
            return Map.of("extensions", extensions.list());
        }
        if (p.length == 3) {
            BodyKeys.only(body(req), List.of(), "a " + p[2]);
            return p[2].equals("start") ? extensions.start(p[1]) : extensions.stop(p[1]);
        }
        if (method.equals("DELETE")) {
            BodyKeys.only(body(req), List.of(), "a removal");
            extensions.uninstall(p[1]);
            return null;
        }
        return extensions.get(p[1]);
    }

    private Object rollback(Database db, Map<String, Object> body) throws ApiException {
        BodyKeys.only(body, ROLLBACK_KEYS, "a rollback");
        Object version = body.get("version");
        if (!(body.get("extension") instanceof String) || version == null || version instanceof Map
                || version instanceof List) {
            throw ApiException.badRequest("give \"extension\" and \"version\" (the version to go down to; \"0\""
                    + " removes them all)");
        }
        if (version instanceof Double || version instanceof Float || version instanceof java.math.BigDecimal) {
            // 1.10 as a JSON number is the double 1.1: the rollback would go down to another version, dropping more
            throw ApiException.badRequest("key 'version': " + Echo.cut(version) + " came as a JSON number with a"
                    + " fraction, which loses its trailing zeros (1.10 reads as 1.1, another version): give it as a"
                    + " string, as in \"1.10\"");
        }
        if (!MIGRATION_VERSION.matcher(version.toString()).matches()) {
            throw ApiException.badRequest("key 'version': '" + Echo.cut(version) + "' is not a migration version:"
                    + " give the version to go down to, as in 3 or 1.2 (0 removes them all)");
        }
        String extension = installedExtension(body.get("extension"));
        if (!Boolean.TRUE.equals(body.get("confirm"))) {
            throw ApiException.badRequest("a rollback runs down scripts and may drop data: send \"confirm\": true");
        }
        try {
            List<String> done = migrations.rollback(db, extension, version.toString());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rolled_back", done);
            m.put("message", done.isEmpty() ? "nothing above version " + version + " to roll back"
                    : "rolled back " + String.join(", ", done) + "; while this version of " + extension + " is"
                            + " deployed they are not applied again and its routes answer 503: deploy the version"
                            + " that ends at " + version + " (or a newer one), or apply them again (POST"
                            + " databases/" + db.name() + "/migrate)");
            return m;
        } catch (MigrationException e) {
            throw ApiException.conflict(MigrationErrors.describe("rollback of " + extension + " on database "
                    + Facts.label(db), e));
        }
    }

    private Object migrate(Database db, Map<String, Object> body) throws ApiException {
        BodyKeys.only(body, MIGRATE_KEYS, "a migration");
        String name = installedExtension(body.get("extension"));
        try {
            boolean held = migrations.applyAgain(db, name);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("held", held);
            m.put("message", held ? "the migrations of " + name + " are being applied again on " + db.name()
                    : "no rollback held back the migrations of " + name + " on " + db.name()
                            + "; they are checked again");
            return m;
        } catch (MigrationException e) {
            throw ApiException.conflict(MigrationErrors.describe("applying again the migrations of " + name
                    + " on database " + Facts.label(db), e));
        }
    }

    /**
     * The body's {@code "extension"}: 400 when it is not a symbolic name (a NUL in it, a space, a '/'), 404 when no
     * extension of that name is installed (its migrations are known by its bundle).
     */
    private String installedExtension(Object value) throws ApiException {
        if (!(value instanceof String name) || name.isBlank()) {
            throw ApiException.badRequest("give \"extension\": the symbolic name of the extension, as in serv.blog");
        }
        if (!BundleManifest.isSymbolicName(name)) {
            throw ApiException.badRequest("key 'extension': '" + Echo.cut(name) + "' is not a symbolic name: give"
                    + " the extension's, as in serv.blog (GET extensions lists them)");
        }
        if (!extensions.installed(name)) {
            throw new ApiException(404, "no extension " + Echo.cut(name) + " is installed (GET extensions lists"
                    + " them)");
        }
        return name;
    }

    /**
     * The JSON body of a request that takes none or few keys (a test, a start, a removal): empty without one; a body
     * is JSON all the same (415 otherwise), so that a key sent there is refused, not ignored ({@link BodyKeys}).
     */
    private Map<String, Object> body(HttpServletRequest req) throws ApiException, IOException {
        boolean none = req.getContentLengthLong() == 0
                || req.getContentLengthLong() < 0 && req.getHeader("Transfer-Encoding") == null; // curl -X POST
        return none ? Map.of() : bodies.read(req);
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
            boolean tooLarge = v.strip().matches("\\+?[0-9]{10,}"); // a whole number all the same, past int's range
            throw ApiException.badRequest(name + "=" + Echo.cut(v) + (tooLarge
                    ? ": too large; give a whole number up to " + Integer.MAX_VALUE
                    : ": give a whole number, 0 or more"));
        }
    }

    private static byte[] jar(HttpServletRequest req) throws ApiException, IOException {
        if (!JAR_TYPES.contains(JsonBody.mediaType(req.getContentType()))) {
            throw jarType(req.getContentType());
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

    /** The 415 of a jar sent as another type (a form, a multipart upload, text, none). */
    static ApiException jarType(String contentType) {
        return new ApiException(415, "send the jar itself as the body, with Content-Type: application/java-archive"
                + " (or " + String.join(", ", JAR_TYPES.subList(1, JAR_TYPES.size())) + "); it came as "
                + (contentType == null || contentType.isBlank() ? "no Content-Type" : Echo.cut(contentType)));
    }

    /** Writes an answer; to a HEAD request, its headers alone (Content-Length says what GET would send). */
    private void write(HttpServletResponse resp, int status, Object body, boolean head) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(bytes.length);
        if (!head) {
            resp.getOutputStream().write(bytes);
        }
    }
}
