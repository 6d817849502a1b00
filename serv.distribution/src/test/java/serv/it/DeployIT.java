package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code serv deploy} against a running serv.jar, both ways: into the home's deploy/ folder ({@code --home}) and
 * through the admin API; it reports when the routes serve, after the migrations, and says why a bundle does not
 * start (an import nothing provides) or does not serve (a failed migration), with exit code 1.
 */
public class DeployIT {

    private static final String USER = "deployer";
    private static final String PASSWORD = "deploy-password-" + Long.toHexString(System.nanoTime());

    /**
     * FileInstall installs the jars of deploy/ again at every start, on its own thread: the server says STARTING until
     * they are started, so that nobody meets a 404 from an extension that is on its way after a 200 on /health. A jar
     * that cannot start (an import nothing provides) holds the start a few seconds only, with a warning.
     */
    @Test
    public void theExtensionsOfDeployServeFromTheFirstHealthy200() throws Exception {
        Path home = Files.createTempDirectory("serv-deploy-start-it-");
        Files.createDirectories(home.resolve("deploy"));
        Files.copy(TestBundles.build("serv.it.hello", "serv.it.hello", Map.of(), Map.of(
                "serv/migrations/default/V001__create_hello.sql",
                "CREATE TABLE hello (greeting TEXT NOT NULL);\nINSERT INTO hello (greeting) VALUES ('hi');\n")),
                home.resolve("deploy/hello.jar"));
        Files.copy(TestBundles.build("serv.it.unresolved", "serv.it.hello",
                Map.of("Import-Package", "com.example.nowhere;version=\"[1,2)\",*"), Map.of()),
                home.resolve("deploy/unresolved.jar"));
        int port = ServProcess.freePort();
        for (String log : new String[] { "serv.log", "serv-again.log" }) { // a first start, and a restart
            try (ServProcess server = new ServProcess(home, port, log)) {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                int health = 0;
                while (health != 200) {
                    assertTrue("no 200 on /health within 60 s:\n" + server.log(), System.nanoTime() < end);
                    try {
                        health = server.status("/health", null, null);
                    } catch (java.io.IOException notYet) {
                        Thread.sleep(20);
                        continue;
                    }
                    if (health == 200) {
                        assertEquals(200, server.status("/hello", null, null));
                    } else {
                        int hello = server.status("/hello", null, null);
                        assertTrue("/hello answered " + hello + " while starting", hello == 503 || hello == 200);
                    }
                    Thread.sleep(10);
                }
                String text = server.log();
                assertTrue(text, text.contains("did not start") && text.contains("unresolved.jar"));
                server.stopGracefully();
            }
        }
    }

    @Test
    public void deployReportsServingRoutesOrWhyNot() throws Exception {
        Path home = Files.createTempDirectory("serv-deploy-it-");
        int port = ServProcess.freePort();
        Map<String, String> env = env(port);
        Path hello = TestBundles.build("serv.it.hello", "serv.it.hello", Map.of(), Map.of(
                "serv/migrations/default/V001__create_hello.sql",
                "CREATE TABLE hello (greeting TEXT NOT NULL);\nINSERT INTO hello (greeting) VALUES ('hi');\n"));
        Path unresolved = TestBundles.build("serv.it.unresolved", "serv.it.hello",
                Map.of("Import-Package", "com.example.nowhere;version=\"[1,2)\",*"), Map.of());
        Path failing = TestBundles.build("serv.it.failing", "serv.it.slow", Map.of(), Map.of(
                "serv/migrations/default/V001__broken.sql", "CREATE TABLE broken (;\n"));

        try (ServProcess server = new ServProcess(home, port, "serv.log", env)) {
            server.awaitHealthy();

            Run copied = deploy(env, "--home", home.toString(), hello.toString());
            assertEquals(copied.out, 0, copied.exit);
            assertTrue(copied.out, copied.out.contains("copied " + hello.getFileName() + " to "));
            assertTrue(copied.out, copied.out.contains("serv.it.hello 1.0.0 serves after"));
            assertTrue(copied.out, copied.out.contains("migrations applied up to V001"));
            assertTrue(copied.out, copied.out.contains("GET,HEAD,POST /hello"));
            assertTrue(Files.isRegularFile(home.resolve("deploy/serv.it.hello.jar")));
            assertEquals("{\"count\":1,\"greeting\":\"hi\"}", server.body("/hello"));

            Run refused = deploy(env, "--wait", "30", unresolved.toString());
            assertEquals(refused.out, 1, refused.exit);
            assertTrue(refused.out, refused.out.contains("serv.it.unresolved 1.0.0 does not start: not resolved:"
                    + " nothing provides package com.example.nowhere 1.0.0 to below 2.0.0"));

            Run broken = deploy(env, "--wait", "30", failing.toString());
            assertEquals(broken.out, 1, broken.exit);
            assertTrue(broken.out, broken.out.contains("serv.it.failing 1.0.0: its migrations failed"));
            assertTrue(broken.out, broken.out.contains("V001 (broken)"));
        }
    }

    /**
     * A new version of an extension the operator stopped while the server ran stays stopped, as the one it replaces:
     * {@code serv deploy} says so at once, in one line, with exit code 0 (it did what was asked), instead of waiting
     * 60 s for routes that will not serve and saying it was "installed but not resolved"; the API says it is stopped
     * by the operator; its route answers 503 naming it; a start serves the new version. A new build of the same
     * version too.
     */
    @Test
    public void aNewVersionOfAStoppedExtensionStaysStoppedAndDeploySaysSoAtOnce() throws Exception {
        Path home = Files.createTempDirectory("serv-deploy-stopped-it-");
        int port = ServProcess.freePort();
        Map<String, String> env = env(port);
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString((USER + ":" + PASSWORD)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (ServProcess server = new ServProcess(home, port, "serv.log", env)) {
            server.awaitHealthy();
            Run first = deploy(env, hello("1.0.0", Map.of()).toString());
            assertEquals(first.out, 0, first.exit);
            assertEquals(200, server.status("/hello", null, null));
            Run stop = run(env, "extension", "stop", "serv.it.hello");
            assertEquals(stop.out, 0, stop.exit);
            assertEquals(503, server.status("/hello", null, null));

            String said = "installed serv.it.hello %s; it stays stopped, as the operator stopped it, until `serv"
                    + " extension start serv.it.hello`\n";
            for (Path next : new Path[] { hello("1.0.1", Map.of()),
                hello("1.0.1", Map.of("serv/notes.txt", "a new build of the same version\n")) }) {
                long start = System.nanoTime();
                Run deployed = deploy(env, next.toString());
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals(deployed.out, 0, deployed.exit);
                assertEquals(said.formatted("1.0.1"), deployed.out);
                assertTrue("said at once, not after the wait: " + ms + " ms", ms < 20_000);

                java.net.http.HttpResponse<byte[]> hello = server.get("/hello");
                assertEquals(503, hello.statusCode());
                assertEquals("{\"error\":\"extension serv.it.hello is stopped\"}", new String(hello.body()));
                String api = "/system/console/serv/api/extensions/serv.it.hello";
                String extension = new String(server.get(api, "Authorization", auth).body());
                for (int i = 0; i < 50 && !extension.contains("\"state\":\"RESOLVED\""); i++) {
                    Thread.sleep(100); // resolved by serv.core within half a second of being held
                    extension = new String(server.get(api, "Authorization", auth).body());
                }
                assertTrue(extension, extension.contains("\"version\":\"1.0.1\"")
                        && extension.contains("\"state\":\"RESOLVED\"")
                        && extension.contains("\"problem\":\"stopped by the operator: its routes answer 503, after"
                                + " a restart too, until it is started\""));
                assertTrue(extension, !extension.contains("not resolved"));
            }
            assertTrue(server.log(), server.log().contains("Extension serv.it.hello 1.0.1 deployed: kept stopped, as"
                    + " the operator stopped it on "));

            Run started = run(env, "extension", "start", "serv.it.hello");
            assertEquals(started.out, 0, started.exit);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (server.status("/hello", null, null) != 200) {
                assertTrue("/hello never served after the start:\n" + server.log(), System.nanoTime() < end);
                Thread.sleep(100);
            }
            String extension = new String(server.get("/system/console/serv/api/extensions/serv.it.hello",
                    "Authorization", auth).body());
            assertTrue(extension, extension.contains("\"version\":\"1.0.1\"")
                    && extension.contains("\"state\":\"ACTIVE\""));
            // Started, it is no longer kept stopped: the next version serves as any deploy does.
            Run again = deploy(env, hello("1.0.2", Map.of()).toString());
            assertEquals(again.out, 0, again.exit);
            assertTrue(again.out, again.out.contains("serv.it.hello 1.0.2 serves after"));
        }
    }

    /**
     * A new version of a running extension that does not resolve (an import nothing provides): its routes answer 503,
     * and say that it does not resolve. They said "extension serv.it.hello is stopped", and its author looked for who
     * had stopped it; {@code serv deploy}, the API and the route list now agree on why.
     */
    @Test
    public void aNewVersionThatDoesNotResolveSaysSoOnItsRoutes() throws Exception {
        Path home = Files.createTempDirectory("serv-deploy-unresolved-it-");
        int port = ServProcess.freePort();
        Map<String, String> env = env(port);
        try (ServProcess server = new ServProcess(home, port, "serv.log", env)) {
            server.awaitHealthy();
            Run first = deploy(env, hello("1.0.0", Map.of()).toString());
            assertEquals(first.out, 0, first.exit);
            Path broken = TestBundles.build("serv.it.hello", "serv.it.hello", Map.of("Bundle-Version", "1.0.1",
                    "Import-Package", "com.example.nowhere;version=\"[1,2)\",*"), Map.of(
                    "serv/migrations/default/V001__create_hello.sql",
                    "CREATE TABLE hello (greeting TEXT NOT NULL);\nINSERT INTO hello (greeting) VALUES ('hi');\n"));
            Run second = deploy(env, broken.toString());
            assertEquals(second.out, 1, second.exit);
            assertTrue(second.out, second.out.contains("serv.it.hello 1.0.1 does not start: not resolved"));
            String said = "extension serv.it.hello is not resolved: something it requires is missing (the log, the"
                    + " console's Extensions page and `serv extension list` say what)";
            java.net.http.HttpResponse<byte[]> hello = server.get("/hello");
            assertEquals(503, hello.statusCode());
            assertEquals("{\"error\":\"" + said + "\"}", new String(hello.body()));
            Run routes = run(env, "route", "list", "--json");
            assertTrue(routes.out, routes.out.contains("\"reason\" : \"" + said + "\""));
        }
    }

    /** serv.it.hello (its route /hello and its migration) at {@code version}, with {@code more} resources. */
    private static Path hello(String version, Map<String, String> more) {
        Map<String, String> resources = new java.util.HashMap<>(more);
        resources.put("serv/migrations/default/V001__create_hello.sql",
                "CREATE TABLE hello (greeting TEXT NOT NULL);\nINSERT INTO hello (greeting) VALUES ('hi');\n");
        return TestBundles.build("serv.it.hello", "serv.it.hello", Map.of("Bundle-Version", version), resources);
    }

    /**
     * A route whose component throws in its constructor (an author's mistake, a setting missing): it was left out
     * without a word, its path a 404, and {@code serv deploy} waited 60 s. Now the deploy says so at once (exit 1,
     * SCR's reason), the route answers 503 naming it, the API and {@code serv status} show why, the bundle's other
     * route serves, and the configuration that was missing starts it, live.
     */
    @Test
    public void aRouteWhoseComponentFailsToActivateIsReportedAndStartsOnceConfigured() throws Exception {
        Path home = Files.createTempDirectory("serv-deploy-failing-it-");
        int port = ServProcess.freePort();
        Map<String, String> env = env(port);
        Path picky = TestBundles.build("serv.it.picky", "serv.it.picky", Map.of(), Map.of());
        try (ServProcess server = new ServProcess(home, port, "serv.log", env)) {
            server.awaitHealthy();
            long start = System.nanoTime();
            Run deployed = deploy(env, picky.toString());
            assertEquals(deployed.out, 1, deployed.exit);
            assertTrue(deployed.out, deployed.out.contains("serv.it.picky 1.0.0 started, but route GET,HEAD /picky did"
                    + " not start: its component serv.it.picky.PickyRoute failed to activate:"
                    + " java.lang.IllegalStateException: setting colour is missing"));
            assertTrue("said at once, not after the 60 s wait", System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30));

            java.net.http.HttpResponse<byte[]> answer = server.get("/picky");
            assertEquals(503, answer.statusCode());
            assertEquals("{\"error\":\"route /picky of serv.it.picky did not start (its component failed to activate;"
                    + " the server's log and console say why)\"}", new String(answer.body()));
            assertTrue(answer.headers().firstValue("Retry-After").isPresent());
            assertEquals(200, server.status("/picky/calm", null, null));

            Run status = run(env, "status");
            assertEquals(status.out, 1, status.exit);
            assertTrue(status.out, status.out.contains("serv.it.picky"));
            Run routes = run(env, "route", "list", "--json");
            assertTrue(routes.out, routes.out.contains("\"NOT_STARTED\""));
            assertTrue(server.log(), server.log().contains("Route GET,HEAD /picky of serv.it.picky 1.0.0 did not"
                    + " start: its component serv.it.picky.PickyRoute failed to activate"));

            // The operator gives the setting (a file of etc/, picked up live): the route starts, no restart.
            configureAndAwait(server, home, "serv.it.picky", "colour = blue\n", "/picky");
            assertEquals("{\"colour\":\"blue\"}", server.body("/picky"));
            Run healthy = run(env, "status");
            assertEquals(healthy.out, 0, healthy.exit);

            // A route whose path lacks its '/' is refused by the dispatcher: said at once, not after 60 s.
            assertDeployRefused(env, "serv.it.typo", "serv.it.typo 1.0.0: route GET typo does not serve: its"
                    + " component serv.it.typo.TypoRoute has wrong route properties: route path 'typo' must start with"
                    + " '/' (fix its @Route)");
            // An unclosed brace and a misspelt method were bound as they were, answered nothing, and deployed with 0.
            assertDeployRefused(env, "serv.it.typo.unclosed", "route GET /typo/{id does not serve: its component"
                    + " serv.it.typo.unclosed.UnclosedRoute has wrong route properties: route path '/typo/{id' has"
                    + " '{id', which is not a parameter: a parameter is a whole segment, {name} (fix its @Route)");
            assertDeployRefused(env, "serv.it.typo.method", "route GTE /typo/method does not serve: its component"
                    + " serv.it.typo.method.MethodTypoRoute has wrong route properties: route /typo/method has method"
                    + " 'GTE', which Serv does not answer: use GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS (fix its"
                    + " @Route)");
        }
    }

    /**
     * An extension whose route answers a record of its own, replaced by a new version and then removed: no class of
     * it stays in the server's memory. The runtime's JSON mapper cached a serializer per class answered, which held
     * every version's class loader (its classes, its static state) for as long as the server ran: a leak per deploy.
     */
    @Test
    public void anExtensionRemovedLeavesNoClassOfItsBehind() throws Exception {
        Path home = Files.createTempDirectory("serv-deploy-leak-it-");
        int port = ServProcess.freePort();
        Map<String, String> env = env(port);
        try (ServProcess server = new ServProcess(home, port, "serv.log", env)) {
            server.awaitHealthy();
            for (String version : new String[] { "1.0.0", "1.0.1" }) {
                Path jar = TestBundles.build("serv.it.leak", "serv.it.leak", Map.of("Bundle-Version", version),
                        Map.of());
                Run deployed = deploy(env, jar.toString());
                assertEquals(deployed.out, 0, deployed.exit);
                assertEquals("{\"text\":\"hi\"}", server.body("/leak"));
            }
            try (java.util.stream.Stream<Path> jars = Files.list(home.resolve("deploy"))) {
                for (Path jar : jars.toList()) {
                    Files.delete(jar);
                }
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (server.status("/leak", null, null) != 404) {
                assertTrue("/leak still answers after its jar went:\n" + server.log(), System.nanoTime() < end);
                Thread.sleep(100);
            }
            String loaders = "";
            for (int i = 0; i < 10; i++) { // the uninstall is told to the runtime asynchronously
                jcmd(server.pid(), "GC.run");
                loaders = jcmd(server.pid(), "VM.classloaders", "show-classes");
                if (!loaders.contains("serv.it.leak.")) {
                    break;
                }
                Thread.sleep(500);
            }
            assertTrue("classes of the removed extension are still loaded:\n" + loaders,
                    loaders.contains("serv.core.") && !loaders.contains("serv.it.leak."));
        }
    }

    /** {@code jcmd pid args...}'s output. */
    private static String jcmd(long pid, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(out, p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(out, 0, p.exitValue());
        return out;
    }

    /**
     * A middleware whose component fails to activate (a setting missing) was left out as silently: the routes served
     * without it, what it should have refused included. Now every route answers 503 naming it until its
     * configuration comes, and the deploy, the API and {@code serv status} say why.
     */
    @Test
    public void aMiddlewareThatFailsToActivateHoldsEveryRouteUntilConfigured() throws Exception {
        Path home = Files.createTempDirectory("serv-deploy-gate-it-");
        int port = ServProcess.freePort();
        Map<String, String> env = env(port);
        Path gate = TestBundles.build("serv.it.gate", "serv.it.gate", Map.of(), Map.of());
        try (ServProcess server = new ServProcess(home, port, "serv.log", env)) {
            server.awaitHealthy();
            assertEquals(200, server.status("/posts", null, null));
            Run deployed = deploy(env, gate.toString());
            assertEquals(deployed.out, 1, deployed.exit);
            assertTrue(deployed.out, deployed.out.contains("serv.it.gate 1.0.0 started, but component"
                    + " serv.it.gate.GateMiddleware failed to activate: java.lang.IllegalStateException: setting key"
                    + " is missing"));

            java.net.http.HttpResponse<byte[]> answer = server.get("/posts");
            assertEquals(503, answer.statusCode());
            assertEquals("{\"error\":\"middleware serv.it.gate.GateMiddleware of serv.it.gate did not start (its"
                    + " component failed to activate; the server's log and console say why)\"}",
                    new String(answer.body()));
            Run routes = run(env, "route", "list", "--json");
            assertTrue(routes.out, routes.out.contains("middleware serv.it.gate.GateMiddleware of serv.it.gate did"
                    + " not start: its component serv.it.gate.GateMiddleware failed to activate"));
            Run status = run(env, "status");
            assertEquals(status.out, 1, status.exit);

            configureAndAwait(server, home, "serv.it.gate", "key = k1\n", "/posts");
            assertEquals("k1", server.get("/posts").headers().firstValue("X-Gate").orElse(null));
            assertEquals(0, run(env, "status").exit);
        }
    }

    /**
     * Two extensions with a route on one path and method: the second was accepted without a word (deployed "serving",
     * listed SERVING, nothing in the log or {@code serv status}), and an update of the first handed the path to the
     * second for good, half the requests during the update already. Now the extension installed first keeps the path,
     * during and after its update, and the clash is said: by the deploy (exit 1), the routes' list (SHADOWED, naming
     * the other extension and the fix), {@code serv status} and a WARN in the log.
     */
    @Test
    public void ofTwoExtensionsOnOnePathTheFirstKeepsItAcrossItsUpdateAndTheClashIsSaid() throws Exception {
        Path home = Files.createTempDirectory("serv-deploy-clash-it-");
        int port = ServProcess.freePort();
        Map<String, String> env = env(port);
        Path first = TestBundles.build("serv.it.clash.first", "serv.it.clash", Map.of(), Map.of());
        Path second = TestBundles.build("serv.it.clash.second", "serv.it.clash", Map.of(), Map.of());
        Path firstAgain = TestBundles.build("serv.it.clash.first", "serv.it.clash", Map.of("Bundle-Version", "1.0.1"),
                Map.of());
        String firstAnswer = "{\"extension\":\"serv.it.clash.first\",\"version\":\"1.0.0\"}";
        try (ServProcess server = new ServProcess(home, port, "serv.log", env)) {
            server.awaitHealthy();
            Run one = deploy(env, first.toString());
            assertEquals(one.out, 0, one.exit);
            assertEquals(firstAnswer, server.body("/clash"));

            Run two = deploy(env, "--wait", "30", second.toString());
            assertEquals(two.out, 1, two.exit);
            String why = "GET,HEAD /clash is answered by the route of extension serv.it.clash.first 1.0.0, installed"
                    + " first (bundle ";
            assertTrue(two.out, two.out.contains("serv.it.clash.second 1.0.0: route GET,HEAD /clash is shadowed: "
                    + why));
            assertTrue(two.out, two.out.contains("give one of the two routes another path"));
            assertEquals(firstAnswer, server.body("/clash"));

            JsonNode listed = routesOf(run(env, "route", "list", "--json"));
            assertEquals(listed.toString(), "SERVING", listed.get("serv.it.clash.first").get("status").asText());
            JsonNode shadowed = listed.get("serv.it.clash.second");
            assertEquals(listed.toString(), "SHADOWED", shadowed.get("status").asText());
            assertTrue(shadowed.toString(), shadowed.get("reason").asText().startsWith(why));
            long firstId = listed.get("serv.it.clash.first").get("bundle_id").asLong();
            Run status = run(env, "status");
            assertEquals(status.out, 1, status.exit);
            assertTrue(status.out, status.out.contains("serv.it.clash.second")
                    && status.out.contains("route GET,HEAD /clash is shadowed"));
            String warning = server.log().lines().filter(l -> l.contains("Route GET,HEAD /clash of serv.it.clash.second"
                    + " 1.0.0 is shadowed: " + why)).findFirst().orElse(null);
            assertTrue(server.log(), warning != null && warning.contains("WARN"));

            // The first is updated (a new version of it deployed) while clients ask for its path: 503 while it
            // stops and starts again, never the second's answer; then the first's new version.
            Map<String, Integer> answers = new java.util.concurrent.ConcurrentHashMap<>();
            java.util.concurrent.atomic.AtomicBoolean updating = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread clients = new Thread(() -> {
                while (updating.get()) {
                    try {
                        java.net.http.HttpResponse<byte[]> r = server.get("/clash");
                        String body = new String(r.body());
                        String key = r.statusCode() + (r.statusCode() == 200 ? " " + body : "");
                        answers.merge(key, 1, Integer::sum);
                    } catch (Exception e) {
                        answers.merge("no answer: " + e, 1, Integer::sum);
                    }
                }
            });
            clients.start();
            try {
                Thread.sleep(300);
                Run again = deploy(env, firstAgain.toString());
                assertEquals(again.out, 0, again.exit);
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!server.body("/clash").contains("\"version\":\"1.0.1\"")) {
                    assertTrue(server.body("/clash"), System.nanoTime() < end);
                    Thread.sleep(50);
                }
                Thread.sleep(1_000);
            } finally {
                updating.set(false);
                clients.join();
            }
            assertTrue(answers.toString(), answers.keySet().stream()
                    .noneMatch(a -> a.contains("serv.it.clash.second")));
            assertTrue(answers.toString(), answers.keySet().stream().allMatch(a -> a.equals("503")
                    || a.startsWith("200 {\"extension\":\"serv.it.clash.first\"")));
            assertEquals("{\"extension\":\"serv.it.clash.first\",\"version\":\"1.0.1\"}", server.body("/clash"));

            assertEquals("the clash is said once while it stands, not at every bind of the update", 1,
                    server.log().lines().filter(l -> l.contains(" of serv.it.clash.second 1.0.0 is shadowed: "))
                            .count());

            JsonNode after = routesOf(run(env, "route", "list", "--json"));
            assertEquals("an update keeps the bundle id", firstId,
                    after.get("serv.it.clash.first").get("bundle_id").asLong());
            assertEquals(after.toString(), "SERVING", after.get("serv.it.clash.first").get("status").asText());
            assertEquals(after.toString(), "SHADOWED", after.get("serv.it.clash.second").get("status").asText());
        }
    }

    /**
     * What operators leave in deploy/ by mistake. Two jars of one extension (a new version copied in beside the old
     * one): both versions ran, the old one keeping the routes, and of two jars of one version (a rebuild, another
     * project's extension of the same name) the second silently replaced the first, and removing the older file
     * uninstalled the extension although the other jar was still there. A plain jar (no Bundle-SymbolicName) and one
     * cut short were ignored without a word. Now the folder decides: the highest version serves (of one version, the
     * jar copied last), a WARN names both jars and the fix, /health and {@code serv status} show it until one is
     * removed; removing either leaves the other serving (503 at most meanwhile, an update's, never 404); the jars that
     * are no bundles are named with why; a restart with both jars there serves the same one.
     */
    @Test
    public void ofTwoJarsOfOneExtensionTheFolderDecidesAndWhatIsNoBundleIsNamed() throws Exception {
        Path home = Files.createTempDirectory("serv-deploy-folder-it-");
        Path deploy = Files.createDirectories(home.resolve("deploy"));
        int port = ServProcess.freePort();
        Map<String, String> env = env(port);
        Path older = TestBundles.build("serv.it.clash.first", "serv.it.clash", Map.of("Bundle-Version", "1.0.0"),
                Map.of());
        Path newer = TestBundles.build("serv.it.clash.first", "serv.it.clash", Map.of("Bundle-Version", "1.1.0"),
                Map.of());
        String v10 = "{\"extension\":\"serv.it.clash.first\",\"version\":\"1.0.0\"}";
        String v11 = "{\"extension\":\"serv.it.clash.first\",\"version\":\"1.1.0\"}";
        String duplicate = "deploy/clash-1.1.jar and deploy/clash-1.0.jar are both extension serv.it.clash.first"
                + " (1.1.0, 1.0.0): deploy/clash-1.1.jar serves, as the highest version, the other is not installed;"
                + " remove one of deploy/clash-1.1.jar, deploy/clash-1.0.jar";
        try (ServProcess server = new ServProcess(home, port, "serv.log", env)) {
            server.awaitHealthy();
            Files.copy(older, deploy.resolve("clash-1.0.jar"));
            awaitBody(server, "/clash", v10);
            Files.copy(newer, deploy.resolve("clash-1.1.jar")); // the old one left there by mistake
            awaitBody(server, "/clash", v11);
            await(server, "the duplicate in /health", () -> server.health().contains(duplicate));
            long warned = server.log().lines().filter(l -> l.contains("WARN") && l.contains(duplicate)).count();
            assertEquals(server.log(), 1, warned);
            Run status = run(env, "status");
            assertEquals(status.out, 1, status.exit);
            assertTrue(status.out, status.out.contains("deploy/clash-1.1.jar and deploy/clash-1.0.jar"));

            // Removing the older jar: the newer goes on serving, without a break; the warning goes.
            java.util.Set<String> answers = whileDoing(server, () -> {
                Files.delete(deploy.resolve("clash-1.0.jar"));
                await(server, "the warning to go", () -> !server.health().contains("clash-1.0.jar"));
            });
            assertEquals(java.util.Set.of("200 " + v11), answers);
            assertEquals(0, run(env, "status").exit);

            // Of one version, the jar copied last serves (another project's extension of the same name, say):
            // said, not silent; removing the one that serves hands over to the other (503 at most, never 404).
            Files.copy(newer, deploy.resolve("other-project.jar"));
            Files.setLastModifiedTime(deploy.resolve("other-project.jar"), java.nio.file.attribute.FileTime
                    .fromMillis(Files.getLastModifiedTime(deploy.resolve("clash-1.1.jar")).toMillis() + 5_000));
            await(server, "the duplicate of one version in /health", () -> server.health().contains(
                    "deploy/other-project.jar serves, as the one copied last"));
            Files.copy(older, deploy.resolve("clash-1.0.jar"));
            await(server, "three jars named", () -> server.health().contains("remove one of"
                    + " deploy/other-project.jar, deploy/clash-1.1.jar, deploy/clash-1.0.jar"));
            answers = whileDoing(server, () -> {
                Files.delete(deploy.resolve("other-project.jar"));
                Files.delete(deploy.resolve("clash-1.1.jar"));
                awaitBody(server, "/clash", v10);
            });
            assertTrue(answers.toString(), java.util.Set.of("200 " + v11, "503", "200 " + v10).containsAll(answers));

            // Jars that are no bundles: named, with why and what to do; nothing else changes.
            Files.copy(TestBundles.plainJar(), deploy.resolve("commons-lib.jar"));
            byte[] whole = Files.readAllBytes(newer);
            Files.write(deploy.resolve("cut.jar"), java.util.Arrays.copyOf(whole, whole.length / 2));
            await(server, "the jars that are no bundles in /health", () -> {
                String health = server.health();
                return health.contains("deploy/commons-lib.jar: it is not an OSGi bundle (its manifest has no"
                        + " Bundle-SymbolicName") && health.contains("serv create extension")
                        && health.contains("deploy/cut.jar: it is not a whole jar");
            });
            assertTrue(server.log(), server.log().lines().anyMatch(l -> l.contains("WARN")
                    && l.contains("deploy/commons-lib.jar: it is not an OSGi bundle")));
            assertEquals(v10, server.body("/clash"));
            assertEquals(200, server.status("/health", null, null));
            Files.delete(deploy.resolve("commons-lib.jar"));
            Files.delete(deploy.resolve("cut.jar"));

            Files.copy(newer, deploy.resolve("clash-1.1.jar"));
            awaitBody(server, "/clash", v11);
            server.stopGracefully();
        }
        // A restart with both jars there: the same one serves, the same warning stands.
        try (ServProcess server = new ServProcess(home, port, "serv-again.log", env)) {
            server.awaitHealthy();
            assertEquals(v11, server.body("/clash"));
            assertTrue(server.health(), server.health().contains(duplicate));
        }
    }

    /**
     * An extension whose serving jar is removed while another jar of it is there is updated from that one (it keeps
     * its bundle id): the admin API and {@code serv extension list} name that jar, not the removed one (the bundle's
     * location, which an update does not change), and an upload ({@code serv deploy}) replaces that jar, not writing
     * the removed one's name anew. A new version copied in under another name as the old jar is removed (FileInstall
     * reports the removal at once, the new file a poll later) updates the bundle too: it was uninstalled and installed
     * anew, with another id.
     */
    @Test
    public void anExtensionHandedOverToAnotherJarIsNamedByItAndKeepsItsBundle() throws Exception {
        Path home = Files.createTempDirectory("serv-deploy-handover-it-");
        Path deploy = Files.createDirectories(home.resolve("deploy"));
        int port = ServProcess.freePort();
        Map<String, String> env = env(port);
        String bsn = "serv.it.clash.first";
        Path v10 = TestBundles.build(bsn, "serv.it.clash", Map.of("Bundle-Version", "1.0.0"), Map.of());
        Path v11 = TestBundles.build(bsn, "serv.it.clash", Map.of("Bundle-Version", "1.1.0"), Map.of());
        Path v12 = TestBundles.build(bsn, "serv.it.clash", Map.of("Bundle-Version", "1.2.0"), Map.of());
        try (ServProcess server = new ServProcess(home, port, "serv.log", env)) {
            server.awaitHealthy();
            Files.copy(v10, deploy.resolve("b.jar"));
            Files.setLastModifiedTime(deploy.resolve("b.jar"), java.nio.file.attribute.FileTime.fromMillis(
                    System.currentTimeMillis() - 60_000));
            Files.copy(v10, deploy.resolve("a.jar")); // copied last: it serves
            await(server, "the duplicate in /health", () -> server.health().contains("deploy/a.jar serves"));
            JsonNode x = extension(env, bsn);
            long id = x.get("id").asLong();
            assertEquals(x.toString(), "deploy/a.jar", x.get("location").asText());

            Files.delete(deploy.resolve("a.jar"));
            await(server, "the duplicate to go", () -> !server.health().contains("deploy/a.jar"));
            await(server, "b.jar named", () -> "deploy/b.jar".equals(extension(env, bsn).get("location").asText()));
            assertEquals(id, extension(env, bsn).get("id").asLong());
            assertTrue(server.log(), server.log().contains("Extension " + bsn + " updated from deploy/b.jar"));
            Run plain = run(env, "extension", "list"); // the table names it too, without --json
            assertTrue(plain.out, plain.out.lines().anyMatch(l -> l.contains(bsn) && l.contains(" deploy/b.jar")));

            // An upload replaces the jar that serves: deploy/ holds that one, as the new version.
            Run sent = deploy(env, v11.toString(), "--wait", "30");
            assertEquals(sent.out, 0, sent.exit);
            assertEquals(java.util.List.of("b.jar"), jars(deploy));
            x = extension(env, bsn);
            assertEquals(x.toString(), "1.1.0", x.get("version").asText());
            assertEquals(x.toString(), "deploy/b.jar", x.get("location").asText());
            assertEquals(x.toString(), id, x.get("id").asLong());

            // A new version under a new name, the old jar removed at once: updated, not installed anew.
            Path tmp = deploy.resolve(".c.jar.part");
            Files.copy(v12, tmp);
            Files.move(tmp, deploy.resolve("c.jar"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Files.delete(deploy.resolve("b.jar"));
            awaitBody(server, "/clash", "{\"extension\":\"" + bsn + "\",\"version\":\"1.2.0\"}");
            Thread.sleep(2_500); // FileInstall's next polls
            x = extension(env, bsn);
            assertEquals(x.toString() + "\n" + server.log(), id, x.get("id").asLong());
            assertEquals(x.toString(), "deploy/c.jar", x.get("location").asText());
            assertTrue(server.log(), !server.log().contains("Extension " + bsn + " uninstalled"));
        }
    }

    /** An extension as {@code serv extension list --json} lists it. */
    private static JsonNode extension(Map<String, String> env, String bsn) throws Exception {
        Run list = run(env, "extension", "list", "--json");
        assertEquals(list.out, 0, list.exit);
        for (JsonNode x : new ObjectMapper().readTree(list.out).get("extensions")) {
            if (bsn.equals(x.get("symbolic_name").asText())) {
                return x;
            }
        }
        throw new AssertionError(bsn + " is not listed: " + list.out);
    }

    private static java.util.List<String> jars(Path deploy) throws Exception {
        try (java.util.stream.Stream<Path> files = Files.list(deploy)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> !f.startsWith(".")).sorted().toList();
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    /** The answers of GET /clash (status, and body when 200) while {@code step} runs. */
    private static java.util.Set<String> whileDoing(ServProcess server, Step step) throws Exception {
        java.util.Set<String> answers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean going = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread clients = new Thread(() -> {
            while (going.get()) {
                try {
                    java.net.http.HttpResponse<byte[]> r = server.get("/clash");
                    answers.add(r.statusCode() + (r.statusCode() == 200 ? " " + new String(r.body()) : ""));
                } catch (Exception e) {
                    answers.add("no answer: " + e);
                }
            }
        });
        clients.start();
        try {
            step.run();
            Thread.sleep(1_500);
        } finally {
            going.set(false);
            clients.join();
        }
        return answers;
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    /** Deploys the test bundle of package {@code pkg}: {@code serv deploy} exits 1 saying {@code says}. */
    private static void assertDeployRefused(Map<String, String> env, String pkg, String says) throws Exception {
        Run run = deploy(env, TestBundles.build(pkg, pkg, Map.of(), Map.of()).toString());
        assertEquals(run.out, 1, run.exit);
        assertTrue(run.out, run.out.contains(says));
    }

    private static void await(ServProcess server, String what, Check check) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!check.holds()) {
            assertTrue("no " + what + " within 30 s; /health: " + server.health() + "\n" + server.log(),
                    System.nanoTime() < end);
            Thread.sleep(100);
        }
    }

    private static void awaitBody(ServProcess server, String path, String body) throws Exception {
        await(server, path + " answering " + body, () -> body.equals(server.body(path)));
    }

    /**
     * An extension whose route has a higher service.ranking, deployed after the one that had the path: it answers (the
     * whiteboard's override), and everything says so as meant: the overridden route SHADOWED with "overridden" and
     * the ranking as the reason, an INFO and no WARN, {@code serv status} with nothing to attend to, and both deploys,
     * of the overriding one and of a new version of the overridden one, exit 0. A tenant that has only the overridden
     * extension gets its route (it got a 404: the route found was the other extension's, which it does not have).
     */
    @Test
    public void aRouteOfAHigherServiceRankingOverridesOnPurposeAndIsNoError() throws Exception {
        Path home = Files.createTempDirectory("serv-deploy-override-it-");
        int port = ServProcess.freePort();
        Map<String, String> env = env(port);
        Path first = TestBundles.build("serv.it.clash.first", "serv.it.clash", Map.of(), Map.of());
        Path override = TestBundles.build("serv.it.override", "serv.it.override", Map.of(), Map.of());
        Path firstAgain = TestBundles.build("serv.it.clash.first", "serv.it.clash", Map.of("Bundle-Version", "1.0.1"),
                Map.of());
        String overrideAnswer = "{\"extension\":\"serv.it.override\",\"version\":\"1.0.0\"}";
        try (ServProcess server = new ServProcess(home, port, "serv.log", env)) {
            server.awaitHealthy();
            Run one = deploy(env, first.toString());
            assertEquals(one.out, 0, one.exit);
            Run two = deploy(env, "--wait", "30", override.toString());
            assertEquals(two.out, 0, two.exit);
            assertEquals(overrideAnswer, server.body("/clash"));

            String why = "GET,HEAD /clash is answered by the route of extension serv.it.override 1.0.0, whose"
                    + " service.ranking is higher (10, this one's 0): it overrides this one on purpose, which is not an"
                    + " error";
            JsonNode listed = routesOf(run(env, "route", "list", "--json"));
            assertEquals(listed.toString(), "SERVING", listed.get("serv.it.override").get("status").asText());
            JsonNode overridden = listed.get("serv.it.clash.first");
            assertEquals(listed.toString(), "SHADOWED", overridden.get("status").asText());
            assertTrue(overridden.toString(), overridden.get("overridden").asBoolean());
            assertTrue(overridden.toString(), overridden.get("reason").asText().startsWith(why));
            Run status = run(env, "status");
            assertEquals(status.out, 0, status.exit);
            assertTrue(server.log(), server.log().lines().anyMatch(l -> l.contains("INFO")
                    && l.contains("Route GET,HEAD /clash of serv.it.clash.first 1.0.0 is overridden: " + why)));
            assertTrue(server.log(), server.log().lines().noneMatch(l -> l.contains("is shadowed")));

            // A new version of the overridden extension: deployed, overridden still, said so, exit 0.
            Run again = deploy(env, "--wait", "30", firstAgain.toString());
            assertEquals(again.out, 0, again.exit);
            assertTrue(again.out, again.out.contains("serv.it.clash.first 1.0.1 serves after ")
                    && again.out.contains("  GET,HEAD /clash is overridden: " + why));
            assertEquals(overrideAnswer, server.body("/clash"));

            // A tenant that has only the overridden extension is answered by its route, not 404 for the other's.
            Run tenant = run(env, "tenant", "add", "acme", "--path-prefix", "/t/acme", "--database-url",
                    "sqlite:///data/acme.db", "--extension", "serv.it.clash.first");
            assertEquals(tenant.out, 0, tenant.exit);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (server.status("/t/acme/clash", null, null) == 503 && System.nanoTime() < end) {
                Thread.sleep(100); // the tenant is on its way
            }
            assertEquals("{\"extension\":\"serv.it.clash.first\",\"version\":\"1.0.1\"}", server.body("/t/acme/clash"));
            assertEquals(overrideAnswer, server.body("/clash"));
        }
    }

    /** The routes of {@code serv route list --json}'s output, by extension (one route each here). */
    private static JsonNode routesOf(Run list) throws Exception {
        assertEquals(list.out, 0, list.exit);
        com.fasterxml.jackson.databind.node.ObjectNode out = new ObjectMapper().createObjectNode();
        for (JsonNode r : new ObjectMapper().readTree(list.out).get("routes")) {
            out.set(r.get("extension").asText(), r);
        }
        return out;
    }

    /** The operator writes the configuration of {@code pid} into etc/ (picked up live); waits for 200 on path. */
    private static void configureAndAwait(ServProcess server, Path home, String pid, String properties, String path)
            throws Exception {
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/" + pid + ".cfg"), properties);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.status(path, null, null) != 200) {
            assertTrue(path + " never served after " + pid + " was configured:\n" + server.log(),
                    System.nanoTime() < end);
            Thread.sleep(100);
        }
    }

    /** The environment of a server on that port with a console login, and of the command line that uses it. */
    private static Map<String, String> env(int port) {
        return Map.of("SERV_PORT", Integer.toString(port), "SERV_CONSOLE_USER", USER, "SERV_CONSOLE_PASSWORD",
                PASSWORD);
    }

    private static Run run(Map<String, String> env, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                ServProcess.JAR.toString()));
        cmd.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(out, p.waitFor(120, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    private record Run(int exit, String out) {
    }

    private static Run deploy(Map<String, String> env, String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "deploy";
        System.arraycopy(args, 0, all, 1, args.length);
        return run(env, all);
    }
}
