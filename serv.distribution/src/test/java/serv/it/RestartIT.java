package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import serv.testkit.ServTestSupport;

/**
 * What an operator saves in the Web Console survives a restart (#11): a tenant created there, and an edit of a
 * database that serv.config.yaml defines (which stays until the file's entry for it changes). serv.jar as an
 * operator runs it, stopped with SIGTERM and started again in the same home.
 */
public class RestartIT {

    private static final String NEW = "[Temporary PID replaced by real PID upon save]";
    /** The console login of every server of these tests. */
    private static final Map<String, String> ENV = Map.of("SERV_CONSOLE_USER", "op", "SERV_CONSOLE_PASSWORD",
            "restart-pass");
    private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString("op:restart-pass"
            .getBytes(StandardCharsets.UTF_8));
    /** serv.it.hello's migration: its table and one greeting. */
    private static final String CREATE_HELLO =
            "CREATE TABLE hello (greeting TEXT NOT NULL);\nINSERT INTO hello (greeting) VALUES ('hi');\n";

    @Test
    public void consoleEditsSurviveARestartUntilTheFileChanges() throws Exception {
        String db = ServTestSupport.freshPostgres();
        Path home = Files.createTempDirectory("serv-restart-it-");
        Files.writeString(home.resolve("serv.config.yaml"), """
                databases:
                  default: {url: "%s", pool_size: 1, max_overflow: 1}
                """.formatted(db));
        int port = ServProcess.freePort();
        try (ServProcess serv = new ServProcess(home, port, "first.log", ENV)) {
            serv.awaitHealthy();
            // A tenant made in the console, and the file's database resized there.
            assertTrue(save(serv, AUTH, NEW, "serv.tenant", "id", "kept", "path_prefix", "/t/kept",
                    "database_schema", "kept") < 400);
            assertTrue(save(serv, AUTH, "serv.database~default", null, "name", "default", "url", db, "pool_size", "2",
                    "max_overflow", "3") < 400);
            await(serv, "/t/kept/posts", 200);
            awaitHealth(serv, "\"max\":5");
            // A second configuration of that tenant, or of that database, is refused where it is typed.
            HttpResponse<String> again = post(serv, AUTH, NEW, "serv.tenant", "id", "kept", "path_prefix", "/t/again");
            assertEquals(again.body(), 400, again.statusCode());
            assertTrue(again.body(), again.body().contains("key 'id': tenant kept already exists"));
            again = post(serv, AUTH, NEW, "serv.database", "name", "default", "url", db);
            assertEquals(again.body(), 400, again.statusCode());
            assertTrue(again.body(), again.body().contains("key 'name': database default already exists"));
            assertEquals(404, serv.status("/t/again/posts", null, null));
            // A typo in the identity of one that exists: refused, so nothing moves to another schema or database.
            String tenants = new String(serv.get("/system/console/serv/api/tenants", "Authorization", AUTH).body(),
                    StandardCharsets.UTF_8);
            java.util.regex.Matcher pid = java.util.regex.Pattern.compile("\"id\":\"kept\".*?\"pid\":\"([^\"]+)\"")
                    .matcher(tenants);
            assertTrue(tenants, pid.find());
            HttpResponse<String> renamed = post(serv, AUTH, pid.group(1), null, "id", "kep",
                    "path_prefix", "/t/kept", "database_schema", "kept");
            assertEquals(renamed.body(), 400, renamed.statusCode());
            assertTrue(renamed.body(), renamed.body().contains("key 'id': a tenant's id does not change ('kept' here)"));
            renamed = post(serv, AUTH, "serv.database~default", null, "name", "defualt", "url", db);
            assertEquals(renamed.body(), 400, renamed.statusCode());
            assertTrue(renamed.body(), renamed.body().contains("key 'name': a database's name does not change"));
            // The blog pointed at a database that does not exist: its routes would all answer 503.
            HttpResponse<String> moved = post(serv, AUTH, "serv.blog", null, "database", "defualt",
                    "repository", "jdbc");
            assertEquals(moved.body(), 400, moved.statusCode());
            assertTrue(moved.body(), moved.body().contains("key 'database': no database 'defualt' is configured"));
            assertTrue(moved.body(), moved.body().contains("did you mean 'default'?"));
            await(serv, "/t/kept/posts", 200);
            await(serv, "/posts", 200);
            serv.stopGracefully();
        }
        try (ServProcess serv = new ServProcess(home, port, "second.log", ENV)) {
            serv.awaitHealthy();
            await(serv, "/t/kept/posts", 200);
            // The console's pool_size 2 + max_overflow 3 (the idle count depends on what the start borrowed).
            awaitHealth(serv, "\"default\":{\"state\":\"UP\",\"dialect\":\"postgresql\",\"pool\":{\"active\":0,\"idle\":",
                    "\"pending\":0,\"max\":5}");
            assertTrue(serv.health().contains("\"edited_in_console\":{\"serv.database~default\":\"serv.config.yaml\"}"));
            // The file's entry changes: the last change wins, and it is the file's.
            Files.writeString(home.resolve("serv.config.yaml"), """
                    databases:
                      default: {url: "%s", pool_size: 1, max_overflow: 3}
                    """.formatted(db));
            awaitHealth(serv, "\"max\":4");
            serv.stopGracefully();
        }
        try (ServProcess serv = new ServProcess(home, port, "third.log", ENV)) {
            serv.awaitHealthy();
            awaitHealth(serv, "\"max\":4");
            await(serv, "/t/kept/posts", 200);
            serv.stopGracefully();
        }
    }

    /**
     * An extension the operator stopped stays stopped after a restart (a graceful one, and a kill -9), its routes
     * answering 503 naming it as before, until it is started again: one stopped with the admin API (a jar of deploy/),
     * one with the Web Console's Bundles page (the blog, inside serv.jar). A start, by either, brings it back at once
     * and for the restarts after it. The server does not wait for a stopped extension at its start.
     */
    @Test
    public void aStoppedExtensionStaysStoppedAcrossRestarts() throws Exception {
        Path home = Files.createTempDirectory("serv-restart-stopped-it-");
        Files.createDirectories(home.resolve("deploy"));
        Files.copy(hello("1.0.0", Map.of()), home.resolve("deploy/hello.jar"));
        String api = "/system/console/serv/api/extensions/";
        int port = ServProcess.freePort();
        try (ServProcess serv = new ServProcess(home, port, "stop-1.log", ENV)) {
            serv.awaitHealthy();
            assertEquals(200, serv.status("/hello", null, null));
            assertEquals(200, serv.status("/posts", null, null));
            HttpResponse<String> stopped = serv.postForm(api + "serv.it.hello/stop", "", "Authorization", AUTH);
            assertEquals(stopped.body(), 200, stopped.statusCode());
            HttpResponse<String> bundles = serv.postForm("/system/console/bundles/" + bundleId(serv, AUTH, "serv.blog"),
                    "action=stop", "Authorization", AUTH);
            assertTrue(bundles.body(), bundles.statusCode() < 400);
            await(serv, "/posts", 503);
            assertEquals(503, serv.status("/hello", null, null));
            serv.stopGracefully();
        }
        for (String log : new String[] { "stop-2.log", "stop-3.log" }) {
            try (ServProcess serv = new ServProcess(home, port, log, ENV)) {
                serv.awaitHealthy();
                assertStopped(serv, "/hello", "serv.it.hello");
                assertStopped(serv, "/posts", "serv.blog");
                assertStopped(serv, "/users/7", "serv.blog");
                String hello = new String(serv.get(api + "serv.it.hello", "Authorization", AUTH).body(),
                        StandardCharsets.UTF_8);
                for (int i = 0; i < 50 && !hello.contains("\"state\":\"RESOLVED\""); i++) {
                    Thread.sleep(100); // resolved by serv.core within half a second of being held
                    hello = new String(serv.get(api + "serv.it.hello", "Authorization", AUTH).body(),
                            StandardCharsets.UTF_8);
                }
                assertTrue(hello, hello.contains("\"state\":\"RESOLVED\"")
                        && hello.contains("\"problem\":\"stopped by the operator: its routes answer 503, after a"
                                + " restart too, until it is started\"")
                        && hello.contains("\"status\":\"EXTENSION_STOPPED\""));
                String text = serv.log();
                assertTrue(text, text.contains("Extension serv.it.hello 1.0.0 kept stopped, as the operator left it"));
                assertTrue(text, text.contains("Extension serv.blog 0.1.0.SNAPSHOT kept stopped"));
                assertTrue(text, !text.contains("did not start")); // the start did not wait for it
                if (log.equals("stop-2.log")) {
                    serv.kill(); // a kill -9 forgets nothing either
                } else {
                    // A new version deployed stays stopped, as the one it replaces; `serv deploy` says so at once.
                    Path next = hello("1.0.1", Map.of());
                    String[] deployed = cli(port, ENV, "deploy", next.toString());
                    assertEquals(deployed[1], "0", deployed[0]);
                    assertEquals("installed serv.it.hello 1.0.1; it stays stopped, as the operator stopped it, until"
                            + " `serv extension start serv.it.hello`\n", deployed[1]);
                    assertStopped(serv, "/hello", "serv.it.hello");
                    // Started again: by the admin API, answered once it serves; by the Bundles page, soon after.
                    HttpResponse<String> started = serv.postForm(api + "serv.it.hello/start", "", "Authorization",
                            AUTH);
                    assertEquals(started.body(), 200, started.statusCode());
                    assertTrue(started.body(), started.body().contains("\"state\":\"ACTIVE\""));
                    await(serv, "/hello", 200);
                    HttpResponse<String> bundles = serv.postForm("/system/console/bundles/"
                            + bundleId(serv, AUTH, "serv.blog"), "action=start", "Authorization", AUTH);
                    assertTrue(bundles.body(), bundles.statusCode() < 400);
                    await(serv, "/posts", 200);
                    serv.stopGracefully();
                }
            }
        }
        try (ServProcess serv = new ServProcess(home, port, "stop-4.log", ENV)) {
            serv.awaitHealthy();
            assertEquals(200, serv.status("/hello", null, null));
            assertEquals(200, serv.status("/posts", null, null));
            serv.stopGracefully();
        }
    }

    /**
     * A rollback of a deployed extension's migrations holds (SQLite here, the embedded default): its route answers 503
     * saying why and how to end it, not 500 on the table the rollback dropped, and neither a restart nor anything else
     * applies them again, until the operator asks (`serv database migrate`) or deploys another version of it.
     */
    @Test
    public void aRollbackHoldsAcrossRestartsUntilAppliedAgainOrAnotherVersion() throws Exception {
        Path home = Files.createTempDirectory("serv-restart-rollback-it-");
        Files.createDirectories(home.resolve("deploy"));
        Map<String, String> down = Map.of("serv/migrations/default/U001__create_hello.sql", "DROP TABLE hello;\n");
        Files.copy(hello("1.0.0", down), home.resolve("deploy/hello.jar"));
        int port = ServProcess.freePort();
        try (ServProcess serv = new ServProcess(home, port, "rollback-1.log", ENV)) {
            serv.awaitHealthy();
            assertEquals(200, serv.status("/hello", null, null));
            String[] typo = cli(port, ENV, "database", "rollback", "default", "--extension", "serv.it.hello",
                    "--to", "abc", "--yes"); // was a 500 naming NumberFormatException
            assertEquals(typo[1], "1", typo[0]);
            assertTrue(typo[1], typo[1].contains("key 'version': 'abc' is not a migration version"));
            String[] rolledBack = cli(port, ENV, "database", "rollback", "default", "--extension", "serv.it.hello",
                    "--to", "0", "--yes");
            assertEquals(rolledBack[1], "0", rolledBack[0]);
            assertTrue(rolledBack[1], rolledBack[1].contains("rolled back 001"));
            await(serv, "/hello", 503);
            assertHeld(serv);
            serv.stopGracefully();
        }
        try (ServProcess serv = new ServProcess(home, port, "rollback-2.log", ENV)) {
            serv.awaitHealthy();
            assertHeld(serv); // the restart did not apply it again
            String overview = new String(serv.get("/system/console/serv/api/overview", "Authorization", AUTH).body(),
                    StandardCharsets.UTF_8);
            assertTrue(overview, overview.contains(
                    "{\"kind\":\"migrations rolled back\",\"subject\":\"serv.it.hello\""));
            String text = serv.log();
            assertTrue(text, text.contains("WARN serv.database.internal.pool.ManagedDatabase - Database default:"
                    + " extension serv.it.hello is not available: the migrations of serv.it.hello above V0 were"
                    + " rolled back"));
            assertTrue(text, !text.contains("ERROR") && !text.contains("\tat "));
            String[] again = cli(port, ENV, "database", "migrate", "default", "--extension", "serv.it.hello");
            assertEquals(again[1], "0", again[0]);
            await(serv, "/hello", 200);
            assertEquals("{\"count\":1,\"greeting\":\"hi\"}", serv.body("/hello"));
            // Held again; then another version of the extension (same migrations) is deployed: it applies them.
            cli(port, ENV, "database", "rollback", "default", "--extension", "serv.it.hello", "--to", "0", "--yes");
            await(serv, "/hello", 503);
            Path next = hello("1.0.1", down);
            Files.copy(next, home.resolve("deploy/.hello.jar.tmp"));
            Files.move(home.resolve("deploy/.hello.jar.tmp"), home.resolve("deploy/hello.jar"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            await(serv, "/hello", 200);
            serv.stopGracefully();
        }
        try (ServProcess serv = new ServProcess(home, port, "rollback-3.log", ENV)) {
            serv.awaitHealthy();
            assertEquals(200, serv.status("/hello", null, null));
            serv.stopGracefully();
        }
    }

    /** /hello answers 503 saying the rollback holds (after "applying migrations" while that is checked). */
    /** serv.it.hello (its route /hello and its migration) at {@code version}, with {@code more} resources. */
    private static Path hello(String version, Map<String, String> more) {
        Map<String, String> resources = new java.util.HashMap<>(more);
        resources.put("serv/migrations/default/V001__create_hello.sql", CREATE_HELLO);
        return TestBundles.build("serv.it.hello", "serv.it.hello", Map.of("Bundle-Version", version), resources);
    }

    private static void assertHeld(ServProcess serv) throws Exception {
        long end = System.nanoTime() + 20_000_000_000L;
        HttpResponse<byte[]> r = serv.get("/hello");
        String body = new String(r.body(), StandardCharsets.UTF_8);
        while (body.contains("is applying this extension's migrations") && System.nanoTime() < end) {
            Thread.sleep(50);
            r = serv.get("/hello");
            body = new String(r.body(), StandardCharsets.UTF_8);
        }
        assertEquals(body, 503, r.statusCode());
        assertTrue(body, body.startsWith("{\"error\":\"extension serv.it.hello is not available on database default:"
                + " the migrations of serv.it.hello above V0 were rolled back on "));
        assertTrue(body, body.contains("are not applied again while serv.it.hello 1.0.0 is deployed"));
        assertTrue(body, body.contains("serv database migrate"));
        String health = serv.health();
        assertTrue(health, health.contains("\"failed_extensions\":{\"serv.it.hello\":\"the migrations of"));
    }

    /** The serv command line against the server on {@code port}: its exit code and what it printed. */
    private static String[] cli(int port, Map<String, String> env, String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                ServProcess.JAR.toString()));
        command.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SERV_PORT", Integer.toString(port));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("serv " + String.join(" ", args) + " did not end",
                p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        return new String[] { Integer.toString(p.exitValue()), out };
    }

    /**
     * An extension uninstalled in the Web Console's Bundles page stays uninstalled after a restart: its jar leaves
     * deploy/ (kept in data/uninstalled/), as the console's own uninstall removes it.
     */
    @Test
    public void anExtensionUninstalledInTheBundlesPageStaysUninstalled() throws Exception {
        Path home = Files.createTempDirectory("serv-restart-uninstalled-it-");
        Files.createDirectories(home.resolve("deploy"));
        Files.copy(hello("1.0.0", Map.of()), home.resolve("deploy/hello.jar"));
        int port = ServProcess.freePort();
        try (ServProcess serv = new ServProcess(home, port, "uninstall-1.log", ENV)) {
            serv.awaitHealthy();
            assertEquals(200, serv.status("/hello", null, null));
            HttpResponse<String> gone = serv.postForm("/system/console/bundles/"
                    + bundleId(serv, AUTH, "serv.it.hello"), "action=uninstall", "Authorization", AUTH);
            assertTrue(gone.body(), gone.statusCode() < 400);
            await(serv, "/hello", 404);
            assertTrue(Files.isRegularFile(home.resolve("data/uninstalled/hello.jar")));
            assertTrue(!Files.exists(home.resolve("deploy/hello.jar")));
            serv.stopGracefully();
        }
        try (ServProcess serv = new ServProcess(home, port, "uninstall-2.log", ENV)) {
            serv.awaitHealthy();
            assertEquals(404, serv.status("/hello", null, null));
            serv.stopGracefully();
        }
    }

    /**
     * At a start, an extension's routes wait for its migrations (applied, or on a restart checked) after the framework
     * has started it: /health said UP in between, and a script's (or a load balancer's) first request got a 503.
     * Now /health is STARTING until they are done, on the first start and on a restart.
     */
    @Test
    public void healthIsUpOnlyOnceTheExtensionsMigrationsRan() throws Exception {
        Path home = Files.createTempDirectory("serv-restart-migrating-it-");
        Files.createDirectories(home.resolve("deploy"));
        // a second or two of work on SQLite: a table of two million rows
        Files.copy(hello("1.0.0", Map.of("serv/migrations/default/V002__slow.sql", """
                CREATE TABLE slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000)
                SELECT x FROM c;
                """)), home.resolve("deploy/hello.jar"));
        int port = ServProcess.freePort();
        for (String start : List.of("first", "again")) {
            try (ServProcess serv = new ServProcess(home, port, "migrating-" + start + ".log", ENV)) {
                serv.awaitHealthy();
                assertEquals(start + ": " + serv.body("/hello"), 200, serv.status("/hello", null, null));
                serv.stopGracefully();
            }
        }
    }

    private static void assertStopped(ServProcess serv, String path, String extension) throws Exception {
        HttpResponse<byte[]> r = serv.get(path);
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(body, 503, r.statusCode());
        assertEquals("{\"error\":\"extension " + extension + " is stopped\"}", body);
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
    }

    private static String bundleId(ServProcess serv, String auth, String name) throws Exception {
        String extension = new String(serv.get("/system/console/serv/api/extensions/" + name, "Authorization", auth)
                .body(), StandardCharsets.UTF_8);
        java.util.regex.Matcher id = java.util.regex.Pattern.compile("^\\{\"id\":(\\d+),").matcher(extension);
        assertTrue(extension, id.find());
        return id.group(1);
    }

    private static int save(ServProcess serv, String auth, String pid, String factoryPid, String... fields)
            throws Exception {
        return post(serv, auth, pid, factoryPid, fields).statusCode();
    }

    private static HttpResponse<String> post(ServProcess serv, String auth, String pid, String factoryPid,
            String... fields) throws Exception {
        StringBuilder form = new StringBuilder("apply=true&action=ajaxConfigManager");
        if (factoryPid != null) {
            form.append("&factoryPid=").append(factoryPid);
        }
        StringBuilder list = new StringBuilder();
        for (int i = 0; i + 1 < fields.length; i += 2) {
            form.append('&').append(fields[i]).append('=').append(URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
            list.append(list.length() == 0 ? "" : ",").append(fields[i]);
        }
        form.append("&propertylist=").append(list);
        return serv.postForm("/system/console/configMgr/"
                + URLEncoder.encode(pid, StandardCharsets.UTF_8).replace("+", "%20"), form.toString(),
                "Authorization", auth);
    }

    private static void await(ServProcess serv, String path, int status) throws Exception {
        long end = System.nanoTime() + 30_000_000_000L;
        while (serv.status(path, null, null) != status) {
            if (System.nanoTime() > end) {
                fail(path + " did not answer " + status + ": " + serv.body(path) + "\n" + serv.log());
            }
            Thread.sleep(100);
        }
    }

    /** Waits until /health holds {@code part}, or {@code part} followed, within its database's entry, by {@code then}. */
    private static void awaitHealth(ServProcess serv, String part, String... then) throws Exception {
        long end = System.nanoTime() + 30_000_000_000L;
        while (!says(serv.health(), part, then)) {
            if (System.nanoTime() > end) {
                fail("/health never said " + part + String.join(" … ", then) + ": " + serv.health());
            }
            Thread.sleep(100);
        }
    }

    private static boolean says(String health, String part, String... then) {
        int at = health.indexOf(part);
        if (at < 0) {
            return false;
        }
        String entry = health.substring(at, Math.max(at, health.indexOf("}}", at)) + 2);
        for (String t : then) {
            if (!entry.contains(t)) {
                return false;
            }
        }
        return true;
    }
}
