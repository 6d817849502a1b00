package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

/**
 * The executable jar as an operator runs it: {@code java -jar serv.jar} in an empty folder creates its home, serves,
 * never lets admin/admin into the console, keeps the generated console password across restarts, keeps secrets out
 * of the log, and stops in order on SIGTERM.
 */
public class ServJarIT {

    private static final Pattern GENERATED = Pattern.compile("user admin, password (\\S+) \\(shown once");

    @Test
    public void runsFromAnEmptyFolderAndStopsOnSigterm() throws Exception {
        Path home = Files.createTempDirectory("serv-jar-it-");
        int port = ServProcess.freePort();
        // A second database with credentials in its URL and in its password key: neither may reach the log.
        Files.writeString(home.resolve("serv.config.yaml"), """
                databases:
                  analytics:
                    url: "postgresql://postgres:UrlSecret42@127.0.0.1:5432/postgres"
                    password: "KeySecret42"
                    pool_size: 1
                """);

        try (ServProcess first = new ServProcess(home, port, "first.log")) {
            long ms = first.awaitHealthy();
            System.out.println("serv.jar: first 200 on /health after " + ms + " ms (first start)");
            for (String folder : new String[] { "etc", "deploy", "data" }) {
                assertTrue(folder, Files.isDirectory(home.resolve(folder)));
            }
            assertTrue(Files.isRegularFile(home.resolve("data/app.db")));
            String health = first.health(); // with the login it generated and logged
            assertTrue(health, health.contains("\"analytics\":{\"state\":\"UP\",\"dialect\":\"postgresql\""));
            assertFalse(health, health.contains("Secret42"));
            assertEquals(401, first.status("/system/console/bundles", "admin", "admin"));
            assertEquals(401, first.status("/system/console/bundles", null, null));
            first.stopGracefully();
        }
        // The generated login's hash is derived a while after the start, with nobody logging in, and at the latest
        // when the server stops: it is kept for the next start.
        assertTrue("the generated console login is kept",
                Files.isRegularFile(home.resolve("data/console.credentials")));
        String log = Files.readString(home.resolve("first.log"));
        assertTrue(log, log.contains("Database analytics: pool started"));
        // What the start allocated goes back to the system once the bundles have started (G1, no JVM options).
        assertTrue(log, log.matches("(?s).*Heap after start: \\d+ MiB committed, \\d+ MiB before; one collection.*"));
        assertFalse("a secret reached the log", log.contains("UrlSecret42") || log.contains("KeySecret42"));
        Matcher m = GENERATED.matcher(log);
        assertTrue("the generated console password is logged once:\n" + log, m.find());
        String password = m.group(1);
        assertFalse("the hash file must not hold the password",
                Files.readString(home.resolve("data/console.credentials")).contains(password));

        try (ServProcess second = new ServProcess(home, port, "second.log")) {
            second.awaitHealthy();
            assertEquals(200, second.status("/system/console/bundles", "admin", password));
            assertEquals(401, second.status("/system/console/bundles", "admin", "admin"));
            second.stopGracefully();
        }
        assertFalse("a kept password is not printed again",
                GENERATED.matcher(Files.readString(home.resolve("second.log"))).find());
    }

    /**
     * A tenant whose database cannot start (a schema of the embedded SQLite default, which has none) fails alone: its
     * database was reported, and looked up, as the server's own {@code default}, so after its first request the
     * server's own routes answered 503 "database default is FAILED" and /health said DOWN.
     */
    @Test
    public void aTenantsDatabaseThatCannotStartIsTheTenantsAlone() throws Exception {
        Path home = Files.createTempDirectory("serv-jar-tenant-");
        Files.writeString(home.resolve("serv.config.yaml"), "tenants:\n  acme: {path_prefix: /t/acme}\n");
        try (ServProcess serv = new ServProcess(home, ServProcess.freePort(), "serv.log",
                java.util.Map.of("SERV_CONSOLE_USER", "op", "SERV_CONSOLE_PASSWORD", "tenant-pass"))) {
            serv.awaitHealthy();
            // The console's form says so before saving another one.
            var form = serv.postForm("/system/console/configMgr/%5BTemporary%20PID%20replaced%20by%20real%20PID%20upon"
                    + "%20save%5D", "apply=true&action=ajaxConfigManager&factoryPid=serv.tenant&propertylist=id,"
                    + "path_prefix&id=globex&path_prefix=/t/globex", "Authorization", "Basic "
                    + java.util.Base64.getEncoder().encodeToString("op:tenant-pass".getBytes()));
            assertEquals(form.body(), 400, form.statusCode());
            assertTrue(form.body(), form.body().contains("tenant globex: key 'database_url': the shared database"
                    + " default is SQLite, which has no schemas to hold a tenant's data; give the tenant a database_url"
                    + " of its own (sqlite:///data/globex.db, or a postgresql:// url)"));
            assertEquals(404, serv.status("/t/globex/posts", null, null));
            assertEquals(503, serv.status("/t/acme/posts", null, null));
            assertTrue(serv.body("/t/acme/posts"), serv.body("/t/acme/posts").contains("is FAILED"));
            assertEquals(200, serv.status("/posts", null, null));
            String health = serv.health();
            assertTrue(health, health.startsWith("{\"status\":\"UP\""));
            assertTrue(health, health.contains("\"acme/default\":{\"state\":\"FAILED\",\"tenant\":\"acme\""));
            assertTrue(serv.log(), serv.log().contains("Database default (tenant acme): not started: tenant acme has no"
                    + " database of its own, so its data goes in schema acme of the shared database default, which is"
                    + " sqlite and has no schemas; give the tenant a database of its own"));
        }
    }

    /**
     * A wrong SERV_CONNECTION_BUDGET is said once, naming the variable the operator set and the fix (it named the
     * framework property serv.connection.budget, twice, and said no fix); the server starts on the default.
     */
    @Test
    public void aWrongConnectionBudgetIsSaidOnceNamingTheVariable() throws Exception {
        Path home = Files.createTempDirectory("serv-jar-budget-");
        try (ServProcess serv = new ServProcess(home, ServProcess.freePort(), "serv.log",
                java.util.Map.of("SERV_CONNECTION_BUDGET", "ninety"))) {
            serv.awaitHealthy();
            String said = "ERROR serv.database.internal.pool.ConnectionBudget - SERV_CONNECTION_BUDGET='ninety' is not a"
                    + " whole number of connections of 1 or more; keeping 90: set SERV_CONNECTION_BUDGET to the"
                    + " connections all pools may open per PostgreSQL server (below its max_connections), or leave it"
                    + " out for 90";
            String log = serv.log();
            assertTrue(log, log.contains(said));
            assertEquals(log, log.indexOf(said), log.lastIndexOf(said));
            assertEquals(200, serv.status("/posts", null, null));
        }
    }

    @Test
    public void theCommandLineHelpsAndAPortInUseIsOneLine() throws Exception {
        Path home = Files.createTempDirectory("serv-jar-cli-");
        Process help = new ProcessBuilder(java(), "-jar", ServProcess.JAR.toString(), "--help").directory(home.toFile())
                .redirectErrorStream(true).start();
        String usage = new String(help.getInputStream().readAllBytes());
        assertTrue(usage, help.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(usage, 0, help.exitValue());
        assertTrue(usage, usage.startsWith("Usage: serv"));

        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            ProcessBuilder pb = new ProcessBuilder(java(), "-jar", ServProcess.JAR.toString()).directory(home.toFile())
                    .redirectErrorStream(true);
            pb.environment().put("SERV_PORT", Integer.toString(taken.getLocalPort()));
            Process serv = pb.start();
            String out = new String(serv.getInputStream().readAllBytes());
            assertTrue("serv.jar exits when its port is taken", serv.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(out, 2, serv.exitValue());
            assertEquals(out, 1, out.strip().lines().count());
            assertTrue(out, out.contains("port " + taken.getLocalPort()) && out.contains("SERV_PORT"));
        }
    }

    @Test
    public void aKilledServerLeavesNothingInTheSystemsTemporaryFolder() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        java.util.Set<Path> before;
        try (var list = Files.list(tmp)) {
            before = new java.util.HashSet<>(list.toList());
        }
        Path home = Files.createTempDirectory("serv-jar-kill-");
        try (ServProcess serv = new ServProcess(home, ServProcess.freePort(), "serv.log")) {
            serv.awaitHealthy();
            serv.kill();
        }
        try (var list = Files.list(tmp)) {
            List<String> left = list.filter(p -> !before.contains(p)).map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("osgi.") || n.startsWith("resource")).toList();
            assertEquals("left in " + tmp, List.of(), left);
        }
        assertTrue(Files.isDirectory(home.resolve("data/framework")));
    }

    @Test
    public void configValidateChecksAHomeWithoutStartingAServer() throws Exception {
        Path home = Files.createTempDirectory("serv-jar-validate-");
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("serv.config.yaml"), """
                databse: {}
                databases:
                  default:
                    url: "${SERV_IT_NO_SUCH_VARIABLE}"
                    poolsize: 3
                  reports: {url: "sqlite:///data/reports.db", pool_size: abc}
                extensions:
                  - extension: blog
                    settings: {repository: jpx}
                tenants:
                  acme: {nmae: ACME, hosts: [acme.localhost]}
                """);
        Files.writeString(home.resolve("serv.prod.config.yaml"), "databases:\n  reports: {pool_size: -1}\n");
        Files.writeString(home.resolve("etc/serv.database-extra.cfg"), "url=sqlite:///data/extra.db\nmax_size=0\n");
        // saved in Latin-1: named with its line and byte, and the other files of etc/ are checked all the same
        Files.write(home.resolve("etc/serv.tenant-latin.cfg"), "hosts=latin.localhost\nname=Caf\u00e9\n"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));

        Process bad = new ProcessBuilder(java(), "-jar", ServProcess.JAR.toString(), "config", "validate",
                "--profile", "prod").directory(home.toFile()).redirectErrorStream(true).start();
        String out = new String(bad.getInputStream().readAllBytes());
        assertTrue(out, bad.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(out, 1, bad.exitValue());
        for (String expected : List.of(
                "serv.config.yaml: unknown key 'databse' (ignored); did you mean 'databases'?",
                "database default: key 'url': environment variable SERV_IT_NO_SUCH_VARIABLE is not set",
                "database default: unknown key 'poolsize' (ignored); did you mean 'pool_size'?",
                "database reports: key 'pool_size': -1 is out of range",
                "configuration serv.blog: key 'repository': 'jpx' is not one of jdbc, jpa",
                "tenant acme: unknown key 'nmae' (ignored); did you mean 'name'?",
                "etc/: database extra: key 'max_size'",
                "etc/serv.tenant-latin.cfg is not UTF-8 text (line 2, byte 0xE9): save it as UTF-8")) {
            assertTrue("missing: " + expected + "\n" + out, out.contains(expected));
        }
        assertFalse("no server started: nothing was made in the home", Files.exists(home.resolve("data")));

        assertFalse(out, out.contains("Input length"));

        Files.delete(home.resolve("etc/serv.database-extra.cfg"));
        Files.delete(home.resolve("etc/serv.tenant-latin.cfg"));
        Files.writeString(home.resolve("serv.config.yaml"), """
                databases:
                  default: {url: "${SERV_IT_NO_SUCH_VARIABLE:sqlite:///data/app.db}", pool_size: 2}
                extensions:
                  - extension: blog
                    settings: {repository: jpa}
                """);
        Process good = new ProcessBuilder(java(), "-jar", ServProcess.JAR.toString(), "config", "validate")
                .directory(home.toFile()).redirectErrorStream(true).start();
        String fine = new String(good.getInputStream().readAllBytes());
        assertTrue(fine, good.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(fine, 0, good.exitValue());
        assertTrue(fine, fine.contains("nothing to fix"));
    }

    /**
     * A misspelt key of a database or of an extension's settings is said in the log, as the README says, not only in
     * {@code /health}: an author who mistypes {@code max_amount} reads the server's log, where it was not.
     */
    @Test
    public void aMisspeltKeyIsLoggedWithTheKeyMeant() throws Exception {
        Path home = Files.createTempDirectory("serv-jar-typo-key-");
        Files.writeString(home.resolve("serv.config.yaml"), """
                databases:
                  default: {url: "sqlite:///data/app.db", poolsize: 3}
                extensions:
                  - extension: blog
                    settings: {database: default, repositroy: jpa}
                """);
        try (ServProcess serv = new ServProcess(home, ServProcess.freePort(), "serv.log")) {
            serv.awaitHealthy();
            long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            List<String> expected = List.of(
                    "WARN serv.core.internal.config.ConfigReconciler - serv.config.yaml, database default: unknown key"
                            + " 'poolsize' (ignored); did you mean 'pool_size'?",
                    "WARN serv.core.internal.config.ConfigReconciler - serv.config.yaml, configuration serv.blog:"
                            + " unknown key 'repositroy' (ignored); did you mean 'repository'?");
            while (!expected.stream().allMatch(serv.log()::contains)) {
                assertTrue("not logged: " + expected + "\n" + serv.log(), System.nanoTime() < end);
                Thread.sleep(200);
            }
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
