package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import serv.it.AdminApiClient.Answer;
import serv.testkit.ServTestSupport;

/**
 * The operator's surfaces of a running serv.jar, used as an operator uses them: the admin API under the console's
 * path and login (#12), the {@code serv} command line against it (tables, {@code --json}, exit codes), and the Gogo
 * shell on the terminal ({@code run --shell}). One server on a fresh PostgreSQL database for the class.
 */
public class OperatorIT {

    private static final String USER = "op";
    private static final String PASSWORD = "operator-pw-8812";

    private static ServProcess serv;
    private static AdminApiClient admin;
    private static String db;

    @BeforeClass
    public static void start() throws Exception {
        String url = ServTestSupport.freshPostgres();
        db = url.substring(url.lastIndexOf('/') + 1);
        Path home = Files.createTempDirectory("serv-operator-it-");
        Files.writeString(home.resolve("serv.config.yaml"), """
                databases:
                  default: {url: "%s", pool_size: 2}
                """.formatted(url));
        serv = new ServProcess(home, ServProcess.freePort(), "serv.log",
                Map.of("SERV_CONSOLE_USER", USER, "SERV_CONSOLE_PASSWORD", PASSWORD));
        serv.awaitHealthy();
        admin = new AdminApiClient(serv, USER, PASSWORD);
        admin.awaitServing("/posts");
    }

    @AfterClass
    public static void stop() throws Exception {
        if (serv != null) {
            serv.close();
        }
    }

    // ---- the admin API ------------------------------------------------------------------------------------

    private static Answer api(String method, String path, byte[] body, String type) throws Exception {
        return admin.api(method, path, body, type);
    }

    private static Answer get(String path) throws Exception {
        return api("GET", path, null, null);
    }

    private static Answer json(String method, String path, Object body) throws Exception {
        return admin.json(method, path, body);
    }

    @Test
    public void theApiNeedsTheConsolesLogin() throws Exception {
        assertEquals(401, serv.status("/system/console/serv/api/overview", null, null));
        assertEquals(401, serv.status("/system/console/serv/api/overview", USER, "wrong"));
    }

    /**
     * A guesser of the console's password is refused at once after ten wrong logins a minute from its address
     * (each cost a PBKDF2 derivation: a few dozen connections kept both cores busy), while an operator already in
     * stays in. A server of its own: the limit would hold this class's other wrong-login checks at 429.
     */
    @Test
    public void wrongConsoleLoginsAreThrottledByAddress() throws Exception {
        Path home = Files.createTempDirectory("serv-operator-throttle-it-");
        try (ServProcess own = new ServProcess(home, ServProcess.freePort(), "serv.log",
                Map.of("SERV_CONSOLE_USER", USER, "SERV_CONSOLE_PASSWORD", PASSWORD))) {
            own.awaitHealthy();
            String path = "/system/console/serv/api/overview";
            assertEquals(200, own.status(path, USER, PASSWORD));
            for (int i = 0; i < 10; i++) {
                assertEquals(401, own.status(path, USER, "guess-" + i));
            }
            String refused = own.raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Authorization: Basic " + Base64.getEncoder().encodeToString((USER + ":guess-10").getBytes(
                            StandardCharsets.UTF_8)) + "\r\n\r\n");
            assertTrue(refused, refused.startsWith("HTTP/1.1 429 "));
            assertTrue(refused, refused.contains("Retry-After: "));
            assertTrue(refused, refused.contains("{\"error\":\"too many wrong console logins from this address: try"
                    + " again in "));
            assertEquals("the operator who is in stays in", 200, own.status(path, USER, PASSWORD));
            String again = own.raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Authorization: Basic  " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(
                            StandardCharsets.UTF_8)) + "\r\n\r\n"); // right, but not this header: a new login
            assertTrue(again, again.startsWith("HTTP/1.1 429 "));
            String log = own.log();
            assertTrue(log, log.contains("WARN serv.console.internal.ConsoleSecurity - Web Console login: 10 wrong"
                    + " logins from 127.0.0.1 within 60 s"));
        }
    }

    @Test
    public void theConsolesLogPageShowsTheServersLog() throws Exception {
        String auth = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(
                StandardCharsets.UTF_8));
        String log = new String(serv.get("/system/console/logs.json", "Authorization", auth).body(),
                StandardCharsets.UTF_8);
        assertTrue(log, log.contains("Route GET,HEAD ") && log.contains(" of serv.blog ")); // JSON writes / as \\/
        assertTrue(log, log.contains("Serv ready at"));
        assertTrue(log, log.contains("BundleEvent STARTED")); // and the framework's own entries
        assertTrue("no SCR error at start: " + log, !log.contains("FrameworkEvent ERROR"));
    }

    @Test
    public void overviewAndDatabasesSayWhatRunsAndWhereItComesFrom() throws Exception {
        JsonNode o = get("overview").body();
        assertFalse(o.get("server").get("version").asText().isEmpty());
        assertEquals("UP", o.get("databases").get(0).get("state").asText());
        assertTrue(o.toString(), o.get("attention").isEmpty());
        assertTrue(o.get("traffic").has("requests_per_second"));

        JsonNode d = get("databases").body().get("databases").get(0);
        assertEquals("default", d.get("name").asText());
        assertEquals("serv.config.yaml", d.get("source").asText());
        assertEquals("postgresql", d.get("dialect").asText());
        assertTrue(d.toString(), d.get("pool").get("max").asInt() >= 2);

        Answer test = api("POST", "databases/default/test", null, null);
        assertEquals(200, test.status());
        assertTrue(test.body().toString(), test.body().get("ok").asBoolean());

        JsonNode one = get("databases/default").body();
        JsonNode first = one.get("migrations").get(0);
        assertEquals("serv.blog", first.get("extension").asText());
        assertEquals("MATCHES", first.get("script").asText());
        assertFalse(first.get("applied_at").asText().isEmpty());

        assertEquals(404, get("databases/nope").status());
        assertEquals(404, get("nothing-here").status());
        Answer unconfirmed = json("POST", "databases/default/rollback", Map.of("extension", "serv.blog", "version", "5"));
        assertEquals(400, unconfirmed.status());
        assertTrue(unconfirmed.body().toString(), unconfirmed.body().get("error").asText().contains("confirm"));
    }

    @Test
    public void tenantsAreAddedEditedAndRemovedWithTheFilesChecks() throws Exception {
        Answer wrong = json("POST", "tenants", Map.of("id", "ops1", "hosts", List.of("ops1.test"), "pool_size", "-3"));
        assertEquals(wrong.body().toString(), 400, wrong.status());
        assertTrue(wrong.body().toString(), wrong.body().get("error").asText().contains("pool_size"));
        Answer unknown = json("POST", "tenants", Map.of("id", "ops1", "hosts", List.of("ops1.test"), "colour", "red"));
        assertEquals(400, unknown.status());
        assertTrue(unknown.body().toString(), unknown.body().get("error").asText().contains("colour"));
        Answer form = api("POST", "tenants", "id=ops1".getBytes(StandardCharsets.UTF_8),
                "application/x-www-form-urlencoded");
        assertEquals(415, form.status());
        // A body that is no JSON object is named as such, without a class or parser internals.
        Answer array = api("POST", "tenants", "[]".getBytes(StandardCharsets.UTF_8), "application/json");
        assertEquals(400, array.status());
        assertEquals("the body is not a JSON object: it is an array", array.body().get("error").asText());
        Answer cut = api("POST", "tenants", "{\"a\":[1,2}".getBytes(StandardCharsets.UTF_8), "application/json");
        assertEquals(400, cut.status());
        assertEquals("the body is not valid JSON: Unexpected close marker '}': expected ']' (line 1, column 10)",
                cut.body().get("error").asText());
        // One value, each field once: which id would a tenant given two get?
        Answer twice = api("POST", "tenants", "{\"id\":\"ops1\",\"id\":\"ops9\"}".getBytes(StandardCharsets.UTF_8),
                "application/json");
        assertEquals(400, twice.status());
        assertEquals("the body is not valid JSON: Duplicate field 'id' (line 1, column 18)",
                twice.body().get("error").asText());
        Answer more = api("POST", "tenants", "{\"id\":\"ops1\"} {\"id\":\"ops9\"}".getBytes(StandardCharsets.UTF_8),
                "application/json");
        assertEquals(400, more.status());
        assertEquals("the body is not valid JSON: more follows its value (line 1, column 15)",
                more.body().get("error").asText());

        Answer added = json("POST", "tenants", Map.of("id", "ops1", "hosts", List.of("ops1.test"),
                "database_schema", "ops1_data"));
        assertEquals(added.body().toString(), 201, added.status());
        assertEquals(409, json("POST", "tenants", Map.of("id", "ops1", "hosts", List.of("x.test"))).status());
        // Another tenant in ops1's schema would share its data; the server's own paths and schema are no tenant's.
        assertRefused(Map.of("id", "ops2", "hosts", List.of("ops2.test"), "database_schema", "ops1_data"),
                "tenant ops2: key 'database_schema': 'ops1_data' is tenant ops1's schema of the shared database"
                        + " (they would share their data); give each tenant its own schema");
        Answer publicSchema = json("POST", "tenants", Map.of("id", "public", "hosts", List.of("public.test")));
        assertEquals(400, publicSchema.status());
        assertTrue(publicSchema.body().toString(), publicSchema.body().get("error").asText().startsWith(
                "tenant public: key 'database_schema': 'public' is the shared database's own schema"));
        Answer health = json("POST", "tenants", Map.of("id", "ops3", "path_prefix", "/health"));
        assertEquals(400, health.status());
        assertTrue(health.body().toString(), health.body().get("error").asText().contains("is the server's own"
                + " /health"));
        assertEquals(404, get("tenants/ops2").status());
        Answer own = json("POST", "tenants", Map.of("id", "ops4", "hosts", List.of("ops4.test"), "database_url",
                "sqlite:///data/ops4.db"));
        assertEquals(own.body().toString(), 201, own.status());
        assertRefused(Map.of("id", "ops5", "hosts", List.of("ops5.test"), "database_url", "sqlite:///data/ops4.db"),
                "tenant ops5: key 'database_url': its SQLite file is tenant ops4's database (they would"
                        + " share their data); give each tenant its own database, or its own currentSchema in it");
        assertEquals(200, api("DELETE", "tenants/ops4", null, null).status());
        // It serves (its pool opens on its first request, its migrations run in its schema).
        assertEquals(200, serv.get("/posts", "Host", "ops1.test").statusCode());
        JsonNode t = get("tenants/ops1").body();
        assertEquals("ops1_data", t.get("database").get("schema").asText());
        assertTrue(t.toString(), t.get("awake").asBoolean());

        Answer edited = json("PUT", "tenants/ops1", Map.of("name", "Ops One"));
        assertEquals(edited.body().toString(), 200, edited.status());
        assertEquals("[\"name\"]", edited.body().get("changed").toString());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!"Ops One".equals(get("tenants/ops1").body().path("name").asText())) {
            assertTrue("the new name never showed: " + get("tenants/ops1").body(), System.nanoTime() < end);
            Thread.sleep(50);
        }

        assertTrue(schemaExists("ops1_data"));
        Answer removed = api("DELETE", "tenants/ops1?data=drop", null, null);
        assertEquals(removed.body().toString(), 200, removed.status());
        assertFalse("the schema was dropped", schemaExists("ops1_data"));
        assertEquals(404, get("tenants/ops1").status());
    }

    /**
     * A query string or form the console cannot decode, and a file that is no bundle uploaded in the Bundles page:
     * 400s with a JSON reason (they were 500s with an ERROR and a stack trace in the log), after the login; a
     * method the console does not take: a 405 with a JSON body (it was empty).
     */
    @Test
    public void malformedQueriesFormsUploadsAndMethodsGetJsonErrorsNotServerErrors() throws Exception {
        String auth = "Authorization: Basic " + Base64.getEncoder().encodeToString(
                (USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";
        String host = "Host: 127.0.0.1\r\nConnection: close\r\n";
        for (String path : List.of("/system/console/serv/api/routes?x=%ZZ", "/system/console/bundles?x=%ZZ",
                "/system/console/serv/api/databases/default?tenant=%C3%28", "/system/console/configMgr?a=%")) {
            String answer = serv.raw("GET " + path + " HTTP/1.1\r\n" + host + auth + "\r\n");
            assertTrue(path + ": " + answer, answer.startsWith("HTTP/1.1 400 "));
            assertTrue(path + ": " + answer, answer.contains("{\"error\":\"the query string is not valid: "));
            String anonymous = serv.raw("GET " + path + " HTTP/1.1\r\n" + host + "\r\n");
            assertTrue(path + " without the login: " + anonymous, anonymous.startsWith("HTTP/1.1 401 "));
        }
        String form = "apply=true&propertylist=title&title=%E2%28";
        String posted = serv.raw("POST /system/console/configMgr/serv.blog HTTP/1.1\r\n" + host + auth
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length() + "\r\n\r\n"
                + form);
        assertTrue(posted, posted.startsWith("HTTP/1.1 400 "));
        assertTrue(posted, posted.contains("{\"error\":\"the form is not valid: "));
        // A pattern is no PID: the configuration page deleted whichever tenant matched serv.tenant~* first
        String deleting = "apply=true&delete=true&action=ajaxConfigManager";
        String pattern = serv.raw("POST /system/console/configMgr/serv.tenant~* HTTP/1.1\r\n" + host + auth
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + deleting.length()
                + "\r\n\r\n" + deleting);
        assertTrue(pattern, pattern.startsWith("HTTP/1.1 400 "));
        assertTrue(pattern, pattern.contains("{\"error\":\"'serv.tenant~*' is a pattern, not the PID of one"
                + " configuration"));

        String boundary = "serv-it-boundary";
        String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\ninstall\r\n--"
                + boundary + "\r\nContent-Disposition: form-data; name=\"bundlefile\"; filename=\"notes.txt\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\nthese are notes, not a bundle\r\n--" + boundary
                + "--\r\n";
        String uploaded = serv.raw("POST /system/console/bundles HTTP/1.1\r\n" + host + auth
                + "Content-Type: multipart/form-data; boundary=" + boundary + "\r\nContent-Length: "
                + multipart.length() + "\r\n\r\n" + multipart);
        assertTrue(uploaded, uploaded.startsWith("HTTP/1.1 400 "));
        assertTrue(uploaded, uploaded.contains("{\"error\":\"the upload was refused: Bundle-SymbolicName header"
                + " missing, cannot install bundle\"}"));
        assertFalse("no ERROR in the log:\n" + serv.log(), serv.log().contains("Exception while processing request"));

        // A method the console does not take is a JSON error too (Jetty writes a body only for GET, POST and HEAD).
        String patch = serv.raw("PATCH /system/console/bundles HTTP/1.1\r\n" + host + auth + "\r\n");
        assertTrue(patch, patch.startsWith("HTTP/1.1 405 "));
        assertTrue(patch, patch.contains("{\"error\":\"HTTP method PATCH is not supported by this URL\"}"));
    }

    /**
     * A change sent to the console or its API from another site's page, which a browser sends with the console's
     * Basic login by itself (cross-site request forgery): 403 with a JSON reason, before the login (no 401 that would
     * ask for the password), and nothing changes. It stopped the extension, stopped a bundle, changed a setting. The
     * console's own pages and clients that send no Origin or Referer (curl, the serv command line) go on.
     */
    @Test
    public void changesFromAnotherSitesPageAreRefused() throws Exception {
        String auth = "Authorization: Basic " + Base64.getEncoder().encodeToString(
                (USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";
        String own = "http://127.0.0.1:" + serv.port;
        String host = "Host: 127.0.0.1:" + serv.port + "\r\nConnection: close\r\n";
        long blog = get("extensions/serv.blog").body().get("id").asLong();
        String api = "/system/console/serv/api/";
        String[][] forged = { // request line, the page's header, form
            { "POST " + api + "extensions/serv.blog/stop", "Origin: http://evil.example", "x=1" },
            { "POST " + api + "extensions/serv.blog/stop", "Origin: null", "x=1" },
            { "POST " + api + "extensions/serv.blog/stop", "Referer: http://evil.example/page.html", "x=1" },
            { "POST " + api + "extensions/serv.blog/stop", "Origin: http://127.0.0.1:" + (serv.port + 1), "x=1" },
            { "DELETE " + api + "extensions/serv.blog", "Origin: https://127.0.0.1:" + serv.port, "x=1" },
            { "POST /system/console/bundles/" + blog, "Origin: http://evil.example", "action=stop" },
            { "POST /system/console/configMgr/serv.blog", "Origin: http://evil.example",
                    "apply=true&action=ajaxConfigManager&propertylist=title&title=Forged" } };
        for (String[] f : forged) {
            for (String login : new String[] { auth, "" }) {
                String answer = serv.raw(f[0] + " HTTP/1.1\r\n" + host + login + f[1] + "\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + f[2].length()
                        + "\r\n\r\n" + f[2]);
                String what = f[0] + " " + f[1] + (login.isEmpty() ? " without the login" : "") + ": " + answer;
                assertTrue(what, answer.startsWith("HTTP/1.1 403 "));
                assertTrue(what, answer.contains("Content-Type: application/json"));
                assertTrue(what, answer.contains("{\"error\":\"this request came from another site's page ("));
                assertFalse(what, answer.contains("WWW-Authenticate"));
            }
        }
        assertEquals("serv.blog still serves", 200, serv.status("/posts", null, null));
        assertEquals("ACTIVE", get("extensions/serv.blog").body().get("state").asText());
        assertFalse(serv.raw("GET /system/console/configMgr/serv.blog.json HTTP/1.1\r\n" + host + auth + "\r\n")
                .contains("Forged"));

        // The console's own pages (same origin: scheme, host and port), clients of no page, and what changes nothing
        for (String page : new String[] { "Origin: " + own + "\r\n", "Referer: " + own + "/system/console/serv\r\n",
                "" }) {
            String answer = serv.raw("POST " + api + "databases/default/test HTTP/1.1\r\n" + host + auth + page
                    + "Content-Length: 0\r\n\r\n");
            assertTrue(page + answer, answer.startsWith("HTTP/1.1 200 "));
        }
        String read = serv.raw("GET " + api + "overview HTTP/1.1\r\n" + host + auth + "Origin: http://evil.example\r\n"
                + "\r\n");
        assertTrue(read, read.startsWith("HTTP/1.1 200 "));
    }

    /** A new tenant the API refuses: 400, with that message. */
    private static void assertRefused(Map<String, Object> tenant, String message) throws Exception {
        Answer a = json("POST", "tenants", tenant);
        assertEquals(a.body().toString(), 400, a.status());
        assertEquals(message, a.body().get("error").asText());
    }

    private static boolean schemaExists(String schema) throws Exception {
        try (Connection c = ServTestSupport.postgres(db); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.schemata WHERE schema_name = '"
                        + schema + "'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    @Test
    public void extensionsAreInstalledStoppedAndRemovedAndRoutesSayWhetherTheyServe() throws Exception {
        JsonNode routes = get("routes").body().get("routes");
        assertTrue(routes.toString(), routes.toString().contains("\"path\":\"/posts\""));
        assertTrue(routes.toString(), routes.toString().contains("\"status\":\"SERVING\""));

        assertEquals(400, api("POST", "extensions", "not a jar".getBytes(StandardCharsets.UTF_8),
                "application/java-archive").status());
        byte[] jar = Files.readAllBytes(TestBundles.build("serv.it.hello", "serv.it.hello", Map.of(), Map.of(
                "serv/migrations/default/V001__create_hello.sql", "CREATE TABLE hello (greeting TEXT NOT NULL);\n")));
        Answer installed = api("POST", "extensions", jar, "application/java-archive");
        assertEquals(installed.body().toString(), 201, installed.status());
        assertTrue(Files.exists(serv.home.resolve("deploy/serv.it.hello.jar")));
        admin.awaitServing("/hello");
        JsonNode hello = get("extensions/serv.it.hello").body();
        assertEquals("ACTIVE", hello.get("state").asText());
        assertEquals("SERVING", hello.get("routes").get(0).get("status").asText());
        assertEquals("001", hello.get("migrations").get("default").get(0).get("version").asText());

        JsonNode stopped = api("POST", "extensions/serv.it.hello/stop", null, null).body();
        assertEquals("RESOLVED", stopped.get("state").asText());
        assertEquals(503, serv.status("/hello", null, null));
        JsonNode ghost = get("routes").body().get("routes");
        assertTrue(ghost.toString(), ghost.toString().contains("EXTENSION_STOPPED"));
        assertEquals("ACTIVE", api("POST", "extensions/serv.it.hello/start", null, null).body().get("state").asText());
        admin.awaitServing("/hello");

        assertEquals(409, api("DELETE", "extensions/serv.blog", null, null).status()); // part of serv.jar
        assertEquals(204, api("DELETE", "extensions/serv.it.hello", null, null).status());
        assertFalse(Files.exists(serv.home.resolve("deploy/serv.it.hello.jar")));
        assertEquals(404, get("extensions/serv.it.hello").status());
    }

    // ---- the command line ---------------------------------------------------------------------------------

    record Run(int exit, String out, String err) {
    }

    private static Run cli(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", ServProcess.JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("SERV_PORT", Integer.toString(serv.port));
        pb.environment().put("SERV_CONSOLE_USER", USER);
        pb.environment().put("SERV_CONSOLE_PASSWORD", PASSWORD);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("serv-cli-", ".out");
        Path err = Files.createTempFile("serv-cli-", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue("serv " + String.join(" ", args) + " did not end", p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static Run cli(String... args) throws Exception {
        return cli(Map.of(), args);
    }

    @Test
    public void theCommandLineGivesTablesJsonAndExitCodesAScriptCanRelyOn() throws Exception {
        Run status = cli("status");
        assertEquals(status.err() + status.out(), 0, status.exit());
        assertTrue(status.out(), status.out().contains("Nothing needs attention."));

        Run dbs = cli("database", "list");
        assertEquals(0, dbs.exit());
        assertTrue(dbs.out(), dbs.out().contains("DATABASE") && dbs.out().contains("default")
                && dbs.out().contains("serv.config.yaml"));
        Run asJson = cli("route", "list", "--json");
        assertEquals(0, asJson.exit());
        assertTrue(asJson.out(), AdminApiClient.JSON.readTree(asJson.out()).get("routes").isArray());

        Run refused = cli("tenant", "add", "cli1", "--host", "cli1.test", "--idle-timeout", "soon");
        assertEquals(1, refused.exit());
        assertTrue(refused.err(), refused.err().contains("idle_timeout"));
        Run added = cli("tenant", "add", "cli1", "--host", "cli1.test");
        assertEquals(added.err(), 0, added.exit());
        assertTrue(cli("tenant", "list").out().contains("cli1.test"));
        assertEquals(0, cli("tenant", "remove", "cli1").exit());

        // Serv's own parts are refused, each saying what it is; nothing of them stops (the server goes on serving).
        for (String own : List.of("serv.cluster", "serv.core", "serv.database", "serv.console", "serv.jpa")) {
            Run refusedStop = cli("extension", "stop", own);
            assertEquals(own + ": " + refusedStop.err(), 1, refusedStop.exit());
            assertTrue(refusedStop.err(), refusedStop.err().startsWith("serv: " + own + " is part of Serv, not an"
                    + " extension, and is not stopped here: it is "));
        }
        assertFalse(cli("extension", "list").out().contains("serv.cluster"));
        assertEquals(0, cli("status").exit());

        Run stop = cli("extension", "stop", "serv.blog");
        assertEquals(stop.err(), 0, stop.exit());
        assertTrue(stop.out(), stop.out().startsWith("serv.blog ") && stop.out().contains("RESOLVED (stopped by the"
                + " operator: its routes answer 503, after a restart too, until it is started)"));
        try {
            Run attention = cli("status");
            assertEquals("something needs attention: exit code 1", 1, attention.exit());
            assertTrue(attention.out(), attention.out().contains("serv.blog"));
        } finally {
            assertEquals(0, cli("extension", "start", "serv.blog").exit());
        }
        admin.awaitServing("/posts");

        assertEquals(4, cli(Map.of("SERV_CONSOLE_PASSWORD", "wrong"), "status").exit());
        assertEquals(3, cli("status", "--url", "http://127.0.0.1:" + ServProcess.freePort()).exit());
        Run help = cli("tenant", "add", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out(), help.out().contains("--host"));
        Run noConfirm = cli("database", "rollback", "default", "--extension", "serv.blog", "--to", "5");
        assertEquals(1, noConfirm.exit());
        assertTrue(noConfirm.err(), noConfirm.err().contains("--yes"));
    }

    // ---- the shell ----------------------------------------------------------------------------------------

    /** A shell on the terminal of a server of its own (SQLite), once it shows its prompt and serves. */
    private static ServProcess shell() throws Exception {
        ServProcess shell = ServProcess.shell(Files.createTempDirectory("serv-shell-it-"), ServProcess.freePort(),
                "shell.log");
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!shell.log().contains("g!")) {
                assertTrue("no shell prompt:\n" + shell.log(), System.nanoTime() < end && shell.alive());
                Thread.sleep(100);
            }
            shell.awaitHealthy();
            return shell;
        } catch (Exception | Error e) {
            shell.close();
            throw e;
        }
    }

    private static void type(ServProcess shell, String line) throws IOException {
        shell.stdin().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        shell.stdin().flush();
    }

    /** Waits for the shell to say it ended and the server goes on; asserts the server still serves, and stops. */
    private static void assertTheShellEndedAndTheServerServes(ServProcess shell, String said) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!shell.log().contains(said)) {
            assertTrue("the shell did not say \"" + said + "\":\n" + shell.log(),
                    System.nanoTime() < end && shell.alive());
            Thread.sleep(100);
        }
        Thread.sleep(1000); // a server that stops has begun to by now
        assertTrue("the server stopped with the shell:\n" + shell.log(), shell.alive());
        assertEquals(200, shell.status("/health", null, null));
        assertEquals(200, shell.status("/posts", null, null));
        String out = shell.log();
        assertFalse(out, out.contains("Stopping Serv"));
        assertFalse("no stack trace:\n" + out, out.contains("Exception"));
        shell.stopGracefully();
        out = shell.log();
        assertFalse("no stack trace when the server stops after the shell ended:\n" + out, out.contains("Exception"));
        assertFalse(out, out.contains("WARN serv.console.internal.TerminalShell"));
    }

    @Test
    public void theShellOnTheTerminalHasServsCommands() throws Exception {
        try (ServProcess shell = shell()) {
            type(shell, "databases");
            type(shell, "routes");
            type(shell, "help tenants");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(shell.log().contains("/posts") && shell.log().contains("every tenant"))) {
                assertTrue("the commands did not answer:\n" + shell.log(), System.nanoTime() < end);
                Thread.sleep(100);
            }
            String out = shell.log();
            assertTrue(out, out.contains("DATABASE") && out.contains("sqlite"));
            // The server stopped with its shell open: the shell ends with it, without a stack trace.
            shell.stopGracefully();
            out = shell.log();
            assertFalse("no stack trace when the server stops under the shell:\n" + out, out.contains("Exception"));
            assertFalse(out, out.contains("WARN serv.console.internal.TerminalShell"));
        }
    }

    /**
     * 'exit 0' leaves the shell, not the server, as its banner says: it was Gogo's profile's System.exit(0), which
     * stopped the server ("Stopping Serv") with a WARN and an InterruptedException's stack trace from the shell.
     */
    @Test
    public void exitLeavesTheShellAndTheServerGoesOn() throws Exception {
        try (ServProcess shell = shell()) {
            type(shell, "exit 0");
            assertTheShellEndedAndTheServerServes(shell, "Left the shell: Serv goes on serving");
        }
    }

    /** Any other code, and the shell's explicit System command, leave the shell alike. */
    @Test
    public void exitWithAnotherCodeLeavesTheShellAndTheServerGoesOn() throws Exception {
        try (ServProcess shell = shell()) {
            type(shell, "system:exit 3");
            assertTheShellEndedAndTheServerServes(shell, "Left the shell: Serv goes on serving");
        }
    }

    /** The end of the input (Ctrl+D, a closed pipe) ends the shell; the server goes on. */
    @Test
    public void theEndOfTheInputLeavesTheShellAndTheServerGoesOn() throws Exception {
        try (ServProcess shell = shell()) {
            type(shell, "routes");
            shell.stdin().close();
            assertTheShellEndedAndTheServerServes(shell, "The shell's input ended: Serv goes on serving");
        }
    }

    // ---- the admin API, as an adversary uses it ------------------------------------------------------------------

    /** A jar of a manifest alone (and one resource): what a hand-made or mistyped extension can be. */
    private static byte[] manifestJar(Map<String, String> headers) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().putValue("Manifest-Version", "1.0");
        headers.forEach(m.getMainAttributes()::putValue);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(out, m)) {
            jar.putNextEntry(new ZipEntry("notes/README.txt"));
            jar.write("an extension of the operator's tests".getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /**
     * A jar is taken as a jar's type only (the one serv deploy and the console's page send, application/zip or
     * application/octet-stream): under text/plain, a form's type (curl --data-binary) or none it was installed, or the
     * form a 400 "the form is not valid". A 415 naming the types, and nothing is installed.
     */
    @Test
    public void aJarIsTakenOnlyAsAJarsType() throws Exception {
        byte[] jar = manifestJar(Map.of("Bundle-ManifestVersion", "2", "Bundle-SymbolicName", "ops.typed",
                "Bundle-Version", "1.0.0"));
        for (String type : java.util.Arrays.asList("text/plain", "application/x-www-form-urlencoded", null)) {
            Answer refused = api("POST", "extensions", jar, type);
            assertEquals(type + ": " + refused.body(), 415, refused.status());
            assertTrue(type + ": " + refused.body(), refused.body().get("error").asText().startsWith("send the jar"
                    + " itself as the body, with Content-Type: application/java-archive (or application/x-java-archive,"
                    + " application/zip, application/octet-stream); it came as "));
        }
        assertEquals(404, get("extensions/ops.typed").status());
        assertFalse(Files.exists(serv.home.resolve("deploy/ops.typed.jar")));
        Answer installed = api("POST", "extensions", jar, "application/octet-stream");
        assertEquals(installed.body().toString(), 201, installed.status());
        assertEquals(204, api("DELETE", "extensions/ops.typed", null, null).status());
    }

    /**
     * A body's keys and numbers, read strictly: an edit's "version" 1.5 was cut to 1 (and, outside a cluster, not
     * looked at); {"dry_rn": true} ran the migration itself, "confrim" was no confirmation and said nothing of the
     * typo. 400s naming the key (and the close one), before anything is done.
     */
    @Test
    public void aVersionWithAFractionAndAKeyABodyDoesNotTakeAre400s() throws Exception {
        Answer added = json("POST", "tenants", Map.of("id", "opsver", "hosts", List.of("opsver.test"),
                "database_schema", "opsver_data"));
        assertEquals(added.body().toString(), 201, added.status());
        try {
            for (String version : List.of("1.5", "2.0", "-1", "99999999999999999999")) {
                Answer edit = api("PUT", "tenants/opsver", ("{\"version\":" + version + ",\"name\":\"Edited\"}")
                        .getBytes(StandardCharsets.UTF_8), "application/json");
                assertEquals(version + ": " + edit.body(), 400, edit.status());
                assertTrue(version + ": " + edit.body(), edit.body().get("error").asText().startsWith(
                        "key 'version': "));
            }
            assertEquals("opsver", get("tenants/opsver").body().get("name").asText());
            Answer hosts = json("PUT", "tenants/opsver", Map.of("hots", List.of("x.test")));
            assertEquals(400, hosts.status());
            assertTrue(hosts.body().toString(), hosts.body().get("error").asText().startsWith(
                    "key 'hots' is not a tenant setting; did you mean 'hosts'?"));
        } finally {
            api("DELETE", "tenants/opsver?data=drop", null, null);
        }
        Answer migrate = json("POST", "databases/default/migrate", Map.of("extension", "serv.blog", "dry_rn", true));
        assertEquals(400, migrate.status());
        assertEquals("key 'dry_rn' is not one a migration takes (it takes extension)",
                migrate.body().get("error").asText());
        Answer rollback = json("POST", "databases/default/rollback", Map.of("extension", "serv.blog", "version", "0",
                "confrim", true));
        assertEquals(400, rollback.status());
        assertEquals("key 'confrim' is not one a rollback takes; did you mean 'confirm'? (it takes confirm, extension,"
                + " version)", rollback.body().get("error").asText());
    }

    /**
     * The console's configuration form stored a property name with NUL or another control character as given (its
     * propertylist is free text). A 400 naming the problem, and nothing stored.
     */
    @Test
    public void aConsoleFormPropertyNameWithAControlCharacterIsRefused() throws Exception {
        String head = "Host: 127.0.0.1\r\nConnection: close\r\nAuthorization: Basic " + Base64.getEncoder()
                .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";
        for (String name : List.of("a%00b", "a%0Ab", "a%7Fb")) {
            String form = "apply=true&propertylist=" + name + "&" + name + "=y";
            String answer = serv.raw("POST /system/console/configMgr/serv.blog HTTP/1.1\r\n" + head + "Content-Type:"
                    + " application/x-www-form-urlencoded\r\nContent-Length: " + form.length() + "\r\n\r\n" + form);
            assertTrue(name + ": " + answer, answer.startsWith("HTTP/1.1 400 "));
            assertTrue(name + ": " + answer, answer.contains("{\"error\":\"Not saved: property name 'a?b' holds a"
                    + " control character (U+00"));
        }
        String stored = serv.raw("GET /system/console/configMgr/serv.blog.json HTTP/1.1\r\n" + head + "\r\n");
        assertTrue(stored, stored.startsWith("HTTP/1.1 200 "));
        assertFalse(stored, stored.contains("a\\u0000b") || stored.contains("a\\nb") || stored.contains("a\\u007fb"));
    }

    /**
     * A body that stops (its headers, 10 of its 100 bytes, then nothing) held one of the server's threads for the
     * connection's whole idle timeout, 60 s, in the admin API and the console's forms (their servlet reads blocking;
     * the minimum rate is only checked when bytes come): 408 after 10 s without a byte.
     */
    @Test
    public void aBodyThatStopsIsA408AfterTenSeconds() throws Exception {
        String head = "Host: 127.0.0.1\r\nAuthorization: Basic " + Base64.getEncoder()
                .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";
        List<CompletableFuture<String>> answers = new ArrayList<>();
        long start = System.nanoTime();
        for (String[] sent : List.of(new String[] {"/system/console/serv/api/databases/default/migrate",
                "application/json", "{\"extensio"}, new String[] {"/system/console/serv/api/extensions",
                        "application/java-archive", "PK\u0003\u0004abcdef"}, new String[] {
                                "/system/console/configMgr/serv.blog", "application/x-www-form-urlencoded",
                                "apply=true"})) {
            answers.add(CompletableFuture.supplyAsync(() -> {
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", serv.port)) {
                    s.setSoTimeout(90_000);
                    s.getOutputStream().write(("POST " + sent[0] + " HTTP/1.1\r\n" + head + "Content-Type: " + sent[1]
                            + "\r\nContent-Length: 100\r\n\r\n" + sent[2]).getBytes(StandardCharsets.ISO_8859_1));
                    s.getOutputStream().flush(); // and nothing more, the connection left open
                    byte[] buffer = new byte[4096];
                    int n = s.getInputStream().read(buffer);
                    return sent[0] + ": " + (n < 0 ? "closed" : new String(buffer, 0, n, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    return sent[0] + ": " + e;
                }
            }));
        }
        for (CompletableFuture<String> a : answers) {
            String answer = a.get(90, TimeUnit.SECONDS);
            assertTrue(answer, answer.contains(" 408 "));
            assertTrue(answer, answer.contains("{\"error\":\"the request body did not arrive in time (at least 32 bytes"
                    + " a second, and no pause of 10 s)"));
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertTrue("answered after " + seconds + " s", seconds >= 9 && seconds < 30);
    }

    /**
     * A jar whose manifest the framework would refuse is a 400 naming the header, at once, and nothing is written to
     * deploy/ (it was a 504 after 15 s naming the jar's absolute path, and the jar stayed there, refused with an
     * ERROR at every start).
     */
    @Test
    public void aJarTheFrameworkWouldRefuseIs400AndNothingIsWritten() throws Exception {
        Map<String, Map<String, String>> bad = Map.of(
                "Bundle-Version", Map.of("Bundle-ManifestVersion", "2", "Bundle-SymbolicName", "badver",
                        "Bundle-Version", "abc"),
                "Bundle-SymbolicName", Map.of("Bundle-ManifestVersion", "2", "Bundle-SymbolicName", "bad name",
                        "Bundle-Version", "1.0.0"),
                "Import-Package", Map.of("Bundle-ManifestVersion", "2", "Bundle-SymbolicName", "badimport",
                        "Bundle-Version", "1.0.0", "Import-Package", "serv.core;version=\"[1.0,two)\""));
        for (Map.Entry<String, Map<String, String>> e : bad.entrySet()) {
            long start = System.nanoTime();
            Answer a = api("POST", "extensions", manifestJar(e.getValue()), "application/java-archive");
            assertEquals(a.body().toString(), 400, a.status());
            String error = a.body().get("error").asText();
            assertTrue(error, error.contains(e.getKey() + ": "));
            assertFalse(error, error.contains(serv.home.toString()) || error.contains("/tmp/"));
            assertTrue("answered at once", System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        }
        Answer noName = api("POST", "extensions", manifestJar(Map.of("Bundle-Version", "1.0.0")),
                "application/java-archive");
        assertEquals(400, noName.status());
        assertTrue(noName.body().toString(), noName.body().get("error").asText().contains("Bundle-SymbolicName"));
        Path deploy = serv.home.resolve("deploy");
        try (var files = Files.exists(deploy) ? Files.list(deploy) : java.util.stream.Stream.<Path>empty()) {
            assertEquals(List.of(), files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("bad"))
                    .toList());
        }
    }

    /** Eight uploads of one new jar at once: one installs it (201), the others answer that it is there (200). */
    @Test
    public void uploadsOfOneNewJarAtOnceAreOneInstall() throws Exception {
        byte[] jar = manifestJar(Map.of("Bundle-ManifestVersion", "2", "Bundle-SymbolicName", "serv.it.twin",
                "Bundle-Version", "1.0.0"));
        List<CompletableFuture<Answer>> uploads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            uploads.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return api("POST", "extensions", jar, "application/java-archive");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<Answer> u : uploads) {
            statuses.add(u.get(60, TimeUnit.SECONDS).status());
        }
        assertEquals(statuses.toString(), 1, statuses.stream().filter(s -> s == 201).count());
        assertTrue(statuses.toString(), statuses.stream().allMatch(s -> s == 201 || s == 200 || s == 409));
        // Where it is, from the home: no answer names a file of the server by its whole path.
        assertEquals("deploy/serv.it.twin.jar", get("extensions/serv.it.twin").body().get("location").asText());
        assertEquals(204, api("DELETE", "extensions/serv.it.twin", null, null).status());
        assertFalse(Files.exists(serv.home.resolve("deploy/serv.it.twin.jar")));
    }

    /** A body nested too deeply, a look-alike media type, a 100 KB id: said in a sentence, each value cut. */
    @Test
    public void bodiesAreJsonAndWhatTheAnswerRepeatsIsCut() throws Exception {
        Answer deep = api("POST", "tenants", ("[".repeat(5000) + "]".repeat(5000)).getBytes(StandardCharsets.UTF_8),
                "application/json");
        assertEquals(400, deep.status());
        String nested = deep.body().get("error").asText();
        assertTrue(nested, nested.startsWith("the body is nested too deeply (more than "));
        assertFalse(nested, nested.contains("StreamReadConstraints") || nested.contains("`"));
        assertEquals(415, api("POST", "tenants", "{\"id\":\"opsx\"}".getBytes(StandardCharsets.UTF_8),
                "application/jsonx").status());
        assertEquals(400, api("POST", "tenants", "[]".getBytes(StandardCharsets.UTF_8),
                "Application/JSON; charset=UTF-8").status()); // a JSON type in any case: read, and no object
        String id = "a".repeat(100_000);
        Answer big = json("POST", "tenants", Map.of("id", id, "hosts", List.of("big.test")));
        assertEquals(400, big.status());
        String cut = big.body().get("error").asText();
        assertTrue(cut, cut.length() < 500 && cut.contains("a".repeat(60) + "…") && !cut.contains("a".repeat(61)));
    }

    /**
     * A body that does not arrive whole: cut short (the client closed its side before the Content-Length's bytes),
     * trickled below the minimum rate, to a tenant write and to an upload. 400 and 408 with a JSON reason; they were
     * 500s with an ERROR and a stack trace in the log.
     */
    @Test
    public void bodiesCutShortOrTrickledAre4xxNot500s() throws Exception {
        String head = "Host: 127.0.0.1\r\nConnection: close\r\nAuthorization: Basic " + Base64.getEncoder()
                .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";
        String logBefore = serv.log();
        for (String[] sent : List.of(new String[] {"tenants", "application/json", "{\"id\":\"opscut\",\"ho"},
                new String[] {"extensions", "application/java-archive", "PK\u0003\u0004"})) {
            String answer = serv.raw("POST /system/console/serv/api/" + sent[0] + " HTTP/1.1\r\n" + head
                    + "Content-Type: " + sent[1] + "\r\nContent-Length: 100\r\n\r\n" + sent[2]);
            assertTrue(sent[0] + ": " + answer, answer.startsWith("HTTP/1.1 400 "));
            assertTrue(sent[0] + ": " + answer, answer.contains("{\"error\":\"the request body was cut short"));
        }
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", serv.port)) {
            s.setSoTimeout(30_000);
            var out = s.getOutputStream();
            out.write(("POST /system/console/serv/api/tenants HTTP/1.1\r\n" + head + "Content-Type: application/json"
                    + "\r\nContent-Length: 400\r\n\r\n{").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            for (int i = 0; i < 3; i++) { // a byte every 2 s: below 32 bytes a second
                Thread.sleep(2_000);
                out.write(' ');
                out.flush();
            }
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer, answer.startsWith("HTTP/1.1 408 "));
            assertTrue(answer, answer.contains("{\"error\":\"the request body did not arrive in time"));
        }
        // The console's own form, cut short: it said "the form is not valid: ... (a percent escape is ...)".
        String form = serv.raw("POST /system/console/configMgr/serv.blog HTTP/1.1\r\n" + head + "Content-Type:"
                + " application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\napply=true&propertylist=repo");
        assertTrue(form, form.startsWith("HTTP/1.1 400 "));
        assertTrue(form, form.contains("{\"error\":\"the request body was cut short"));
        // Jetty's own one line on the form it could not read is left (a WARN, no stack trace)
        String log = String.join("\n", serv.log().substring(logBefore.length()).lines().filter(l -> !l.contains(
                "WARN org.eclipse.jetty.ee10.servlet.ServletApiRequest - java.util.concurrent.CompletionException"))
                .toList());
        assertFalse(log, log.contains(" ERROR ") || log.contains("Exception"));
        assertEquals(404, get("tenants/opscut").status());
    }

    /**
     * A tenant's hosts and extensions are lists of strings: [null] was stored as host "null" (and [true] as host
     * "true"), a tenant that answered the requests of any client that sent "Host: null".
     */
    @Test
    public void aListItemThatIsNoStringIsRefusedNamingTheKey() throws Exception {
        for (Object hosts : java.util.Arrays.asList(java.util.Arrays.asList((Object) null), List.of(true),
                List.of(5), List.of(Map.of("a", 1)), List.of(List.of("x.test")), true)) {
            Answer a = json("POST", "tenants", Map.of("id", "opsnull", "hosts", hosts));
            assertEquals(String.valueOf(hosts), 400, a.status());
            String error = a.body().get("error").asText();
            assertTrue(error, error.startsWith("key 'hosts': ") && error.contains("give a list of strings"));
        }
        Answer extensions = json("POST", "tenants", Map.of("id", "opsnull", "hosts", List.of("opsnull.test"),
                "extensions", java.util.Arrays.asList("serv.blog", null)));
        assertEquals(400, extensions.status());
        assertTrue(extensions.body().toString(), extensions.body().get("error").asText().startsWith(
                "key 'extensions': item 2 is null; "));
        assertEquals(404, get("tenants/opsnull").status());
        assertEquals(201, json("POST", "tenants", Map.of("id", "opsnull", "hosts", List.of("opsnull.test"))).status());
        assertEquals(400, json("PUT", "tenants/opsnull", Map.of("hosts", java.util.Arrays.asList("opsnull.test",
                null))).status());
        assertEquals("opsnull.test", get("tenants/opsnull").body().get("hosts").toString().replaceAll("[\\[\\]\"]",
                ""));
        assertEquals(200, api("DELETE", "tenants/opsnull", null, null).status());
    }

    /**
     * HEAD answers as GET without a body; OPTIONS says what a path answers (it was the console's Overview page);
     * TRACE and a method a path does not answer are a 405 with Allow; PATCH edits a tenant (it was a 405 on every
     * path); a path that does not exist is a 404 whatever the method.
     */
    @Test
    public void everyMethodIsAnsweredAsAllowSays() throws Exception {
        String auth = "Authorization: Basic " + Base64.getEncoder().encodeToString(
                (USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";
        String host = "Host: 127.0.0.1\r\nConnection: close\r\n";
        String api = "/system/console/serv/api/";
        for (String path : List.of("tenants", "extensions", "overview", "routes")) {
            String head = serv.raw("HEAD " + api + path + " HTTP/1.1\r\n" + host + auth + "\r\n");
            assertTrue(path + ": " + head, head.startsWith("HTTP/1.1 200 "));
            assertTrue(path + ": " + head, head.endsWith("\r\n\r\n")); // no body
            assertTrue(path + ": " + head, head.contains("Content-Type: application/json"));
        }
        String options = serv.raw("OPTIONS " + api + "tenants HTTP/1.1\r\n" + host + auth + "\r\n");
        assertTrue(options, options.startsWith("HTTP/1.1 204 "));
        assertTrue(options, options.contains("Allow: GET, HEAD, POST, OPTIONS\r\n"));
        assertFalse(options, options.contains("<html") || options.contains("text/html"));
        String one = serv.raw("OPTIONS " + api + "tenants/acme HTTP/1.1\r\n" + host + auth + "\r\n");
        assertTrue(one, one.contains("Allow: GET, HEAD, PUT, PATCH, DELETE, OPTIONS\r\n"));
        String trace = serv.raw("TRACE " + api + "overview HTTP/1.1\r\n" + host + auth + "\r\n");
        assertTrue(trace, trace.startsWith("HTTP/1.1 405 "));
        assertTrue(trace, trace.contains("Allow: GET, HEAD, OPTIONS\r\n"));
        assertTrue(trace, trace.contains("{\"error\":\"TRACE is not allowed on overview; use GET, HEAD, OPTIONS\"}"));
        assertFalse(trace, trace.contains("message/http"));

        Answer sub = get("tenants/acme/x");
        assertEquals(404, sub.status());
        assertEquals("API path tenants/acme/x not found", sub.body().get("error").asText());

        assertEquals(201, json("POST", "tenants", Map.of("id", "opsp", "hosts", List.of("opsp.test"))).status());
        try {
            Answer patched = json("PATCH", "tenants/opsp", Map.of("name", "Ops Patched"));
            assertEquals(patched.body().toString(), 200, patched.status());
            assertEquals("[\"name\"]", patched.body().get("changed").toString());
        } finally {
            assertEquals(200, api("DELETE", "tenants/opsp", null, null).status());
        }
    }

    /**
     * The extension a migrate or a rollback names is checked before the database sees it: a NUL or a path is a 400,
     * one that is not installed a 404 (they were PostgreSQL's text in a 409, and a 200 that nothing was done).
     */
    @Test
    public void migrationsOfAnExtensionThatIsNotThereAre4xxWithoutSql() throws Exception {
        Answer nul = json("POST", "databases/default/migrate", Map.of("extension", "serv.blog\u0000"));
        assertEquals(nul.body().toString(), 400, nul.status());
        String error = nul.body().get("error").asText();
        assertFalse(error, error.contains("0x00") || error.contains("portal") || error.contains("UTF8"));
        Answer unknown = json("POST", "databases/default/migrate", Map.of("extension", "nope"));
        assertEquals(404, unknown.status());
        assertEquals("no extension nope is installed (GET extensions lists them)", unknown.body().get("error").asText());
        for (String extension : List.of("nope", "../../etc")) {
            Answer r = json("POST", "databases/default/rollback", Map.of("extension", extension, "version", "1",
                    "confirm", true));
            assertEquals(r.body().toString(), extension.equals("nope") ? 404 : 400, r.status());
        }
        JsonNode history = get("databases/default").body().get("migrations");
        assertTrue(history.toString(), history.toString().contains("\"extension\":\"serv.blog\""));
    }

    /**
     * A tenant configuration the registry refused (here a file's, claiming another tenant's host) is shown by
     * GET tenants/{id} with its reason, as the list's "refused" says it (it was a 404, though DELETE found it).
     */
    @Test
    public void aRefusedTenantIsShownWithItsReason() throws Exception {
        assertEquals(201, json("POST", "tenants", Map.of("id", "opsr1", "hosts", List.of("opsr1.test"))).status());
        Path file = serv.home.resolve("etc/serv.tenant-opsr2.cfg");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "id=opsr2\nhosts=opsr1.test\n");
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Answer refused = get("tenants/opsr2");
            // PENDING ("its configuration is being applied") until the registry refused it: seen under load
            while (refused.status() != 200 || refused.body().path("state").asText().equals("PENDING")) {
                assertTrue("the refused tenant never showed: " + refused.body(), System.nanoTime() < end);
                Thread.sleep(200);
                refused = get("tenants/opsr2");
            }
            JsonNode t = refused.body();
            assertEquals(t.toString(), "REFUSED", t.get("state").asText());
            assertTrue(t.toString(), t.get("reason").asText().contains("opsr1.test"));
            assertEquals("[\"opsr1.test\"]", t.get("hosts").toString());
            JsonNode list = get("tenants").body().get("refused");
            assertEquals(list.get(t.get("pid").asText()).asText(), t.get("reason").asText());
            assertEquals(409, api("DELETE", "tenants/opsr2?data=drop", null, null).status()); // the file's
        } finally {
            Files.delete(file);
            assertEquals(200, api("DELETE", "tenants/opsr1", null, null).status());
        }
    }
}
