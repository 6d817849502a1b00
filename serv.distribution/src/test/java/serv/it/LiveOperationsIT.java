package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import serv.testkit.ServTestSupport;

/**
 * Live operation the way an operator does it (#11): serv.config.yaml edited under load, the Web Console's own form
 * posts, a bundle stopped. Nothing may move to another database, close a serving pool, or lose a write.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LiveOperationsIT extends ServTestSupport {

    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String CONSOLE = basic("op", "console-pass");
    private static String url;
    private static String database;

    @Configuration
    public Option[] config() {
        String pg = freshPostgres();
        return serv(Map.of("serv.config.yaml", yaml(pg), "etc/serv.console.cfg", "username=op\npassword=console-pass\n"),
                "serv.it.url", pg);
    }

    /** The file as the test starts: PostgreSQL default, a schema tenant by path. */
    private static String yaml(String pg) {
        return """
                databases:
                  default: {url: "%s", pool_size: 2, max_overflow: 4}
                tenants:
                  t1: {path_prefix: /t/t1, database: {schema: t1}}
                """.formatted(pg);
    }

    private static String pg() {
        if (url == null) {
            url = context().getProperty("serv.it.url");
            database = url.substring(url.lastIndexOf('/') + 1);
        }
        return url;
    }

    /** The condition, false while it throws. */
    private static boolean holds(java.util.concurrent.Callable<Boolean> condition) {
        try {
            return condition.call();
        } catch (Exception e) {
            return false;
        }
    }

    private static void writeYaml(String text) throws Exception {
        writeAtomically(home().resolve("serv.config.yaml"), text.getBytes(StandardCharsets.UTF_8));
    }

    @After
    public void restore() throws Exception {
        writeYaml(yaml(pg()));
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        await("no rejected or pending change", Duration.ofSeconds(30), () -> {
            try {
                String h = health().body();
                return !h.contains("rejected_change") && !h.contains("pending_change");
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** POST /posts from a few threads until stopped; every 201's id, and every other status seen. */
    private static final class Writers implements AutoCloseable {
        final Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        final List<Integer> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
        /** What the calls counted -1 threw: the client's side of a connection that broke, or an answer not parsed. */
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Writers(String prefix, int author) {
            for (int i = 0; i < 3; i++) {
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        try {
                            Answer a = send("POST", prefix + "/posts", FORM, "title=t&content=c&author_id=" + author);
                            statuses.add(a.status());
                            if (a.status() == 201) {
                                acknowledged.add(Integer.parseInt(a.body().replaceAll("^\\{\"id\":(\\d+),.*", "$1")));
                            }
                        } catch (Exception e) {
                            statuses.add(-1);
                            failures.add(e.toString()); // said by the assertions that see the -1
                        }
                    }
                });
                t.start();
                threads.add(t);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(20_000);
            }
        }
    }

    private static int author() throws Exception {
        String name = "u" + System.nanoTime();
        Answer a = send("POST", "/users", FORM, "username=" + name + "&email=" + name + "%40x.test&password=long+enough");
        assertEquals(a.body(), 201, a.status());
        return Integer.parseInt(a.body().replaceAll("^\\{\"id\":(\\d+),.*", "$1"));
    }

    private static Set<Integer> postIdsInPostgres() throws Exception {
        Set<Integer> ids = new java.util.HashSet<>();
        pg();
        try (Connection c = postgres(database); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id FROM posts")) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
        }
        return ids;
    }

    @Test
    public void droppingDefaultFromTheFileRemovesItAndNeverMovesToSqlite() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        int author = author();
        for (String edit : new String[] {
                "databases:\n  defualt: {url: \"" + pg() + "\", pool_size: 2}\n", // the typo of the issue
                "databases:\n" }) { // a file saved holding only the key
            try (Writers load = new Writers("", author)) {
                Thread.sleep(500);
                writeYaml(edit);
                Answer gone = awaitStatus("/posts", 503, Duration.ofSeconds(20));
                assertEquals("{\"error\":\"database default is not configured\"}", gone.body());
                assertNotNull(gone.header("Retry-After"));
                Thread.sleep(1500); // long enough for any swap to SQLite to show
                load.close();
                assertFalse("no SQLite default appears", Files.exists(home().resolve("data/app.db")));
                assertEquals(null, state("default"));
                assertTrue(postIdsInPostgres().containsAll(load.acknowledged));
                assertTrue(load.failures + " " + load.statuses, Set.of(201, 503).containsAll(load.statuses));
            }
            // The server is not up while its routes cannot serve: a load balancer hears it.
            Answer health = health();
            assertEquals(health.body(), 503, health.status());
            assertTrue(health.body(), health.body().contains("\"status\":\"DOWN\""));
            assertTrue(health.body(), health.body().contains("\"default\":{\"state\":\"NOT_CONFIGURED\","
                    + "\"reason\":\"the routes of serv.blog use it and answer 503"));
            if (edit.contains("defualt")) {
                assertTrue(health.body(), health.body().contains("did you mean 'default'?"));
            }
            writeYaml(yaml(pg()));
            awaitStatus("/posts", 200, Duration.ofSeconds(30));
        }
    }

    @Test
    public void aWrongValueIsRefusedAndTheLastGoodConfigurationServes() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        int author = author();
        try (Writers load = new Writers("", author)) {
            writeYaml("databases:\n  default: {url: \"" + pg() + "\", pool_size: -1}\n"
                    + "tenants:\n  t1: {path_prefix: /t/t1, database: {schema: t1}}\n");
            await("the refusal in /health", Duration.ofSeconds(20), () -> {
                try {
                    return health().body().contains("\"rejected_change\":\"key 'pool_size': -1 is too small");
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals("UP", state("default"));
            Thread.sleep(1000);
            // The console's form refuses a value that is not a number, before anything is saved.
            Answer refused = consoleSave(CONSOLE, "serv.database~default", null, "name", "default", "url", pg(),
                    "pool_size", "abc");
            assertEquals(refused.body(), 400, refused.status());
            load.close();
            assertEquals(load.failures + " " + load.statuses, Set.of(201), Set.copyOf(load.statuses));
            assertTrue(postIdsInPostgres().containsAll(load.acknowledged));
        }
    }

    /**
     * Edits an operator makes by mistake, under load: the url line left out (it was the embedded SQLite file: writes
     * went to data/app.db), a port with one digit too many (the working pool was closed: FAILED), the file cut short
     * by its save for a moment (valid YAML naming no database: default was deleted and its pool closed). The
     * working pool serves through all of them, and every write lands in PostgreSQL.
     */
    @Test
    public void aUrlLeftOutOrMistypedOrAFileCutShortLeavesTheWorkingPoolServing() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        int author = author();
        String good = yaml(pg());
        try (Writers load = new Writers("", author)) {
            for (String[] edit : new String[][] {
                    { "databases:\n  default: {pool_size: 2}\n", "key 'url' is missing" },
                    { "databases:\n  default: {url: \"\", pool_size: 2}\n", "key 'url' is missing" },
                    { "databases:\n  default: {url: \"" + pg().replaceFirst("@([^/:]+)(:\\d+)?/", "@$1:154320/") + "\"}\n",
                            "is not a port (1-65535)" } }) {
                writeYaml(edit[0]);
                await("the refusal in /health: " + edit[1], Duration.ofSeconds(20), () -> holds(
                        () -> health().body().contains(edit[1])));
                assertEquals("UP", state("default"));
                writeYaml(good);
                await("no rejected change", Duration.ofSeconds(20), () -> holds(
                        () -> !health().body().contains("rejected_change")));
            }
            writeYaml("databases:\n"); // cut short by the save...
            Thread.sleep(1000);
            writeYaml(good); // ...and whole a second later
            Thread.sleep(4000); // past the grace a deletion waits for
            assertEquals("UP", state("default"));
            load.close();
            assertFalse("no SQLite default appears", Files.exists(home().resolve("data/app.db")));
            assertEquals(load.failures + " " + load.statuses, Set.of(201), Set.copyOf(load.statuses));
            assertTrue(postIdsInPostgres().containsAll(load.acknowledged));
        }
    }

    @Test
    public void aUrlThatNeverConnectsIsReportedNotPromoted() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        int author = author();
        try (Writers load = new Writers("", author)) {
            writeYaml("databases:\n  default: {url: \"postgresql://postgres@127.0.0.1:1/nowhere\", pool_size: 2,"
                    + " connection_timeout: 1}\ntenants:\n  t1: {path_prefix: /t/t1, database: {schema: t1}}\n");
            await("the pending change in /health", Duration.ofSeconds(20), () -> {
                try {
                    return health().body().contains("\"pending_change\":\"the new settings do not serve yet");
                } catch (Exception e) {
                    return false;
                }
            });
            Thread.sleep(6000); // the old pool goes on; the new one is tried again, and not promoted
            assertEquals("UP", state("default"));
            load.close();
            assertEquals(load.failures + " " + load.statuses, Set.of(201), Set.copyOf(load.statuses));
            assertTrue(postIdsInPostgres().containsAll(load.acknowledged));
        }
    }

    @Test
    public void whileAMoveToAnotherDialectIsCheckedTheDatabaseKeepsTheServingOnesDialect() throws Exception {
        // JPA picks its SQL by the database's dialect: it must be the dialect of the pool that serves.
        writeYaml("databases:\n  default: {url: \"sqlite:///data/live-dialect.db\", pool_size: 2}\n");
        await("the embedded database serving", Duration.ofSeconds(30), () -> {
            try {
                String h = health().body();
                return h.contains("\"dialect\":\"sqlite\"") && !h.contains("pending_change");
            } catch (Exception e) {
                return false;
            }
        });
        writeYaml("databases:\n  default: {url: \"postgresql://postgres@127.0.0.1:1/nowhere\", pool_size: 2,"
                + " connection_timeout: 1}\n");
        await("the pending change in /health", Duration.ofSeconds(20), () -> {
            try {
                return health().body().contains("\"pending_change\":\"the new settings do not serve yet");
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(serv.database.Dialect.SQLITE, database("default").dialect().orElseThrow());
        assertTrue(health().body().contains("\"dialect\":\"sqlite\""));
        assertEquals(200, get("/posts").status());
    }

    @Test
    public void aConsoleSaveWithEmptyFieldsKeepsSchemaTenantsWorking() throws Exception {
        awaitStatus("/t/t1/posts", 200, Duration.ofSeconds(30));
        // The form writes every field, the empty ones as "": the same as not set.
        Answer saved = consoleSave(CONSOLE, "serv.database~default", null, "name", "default", "url", pg(), "user", "",
                "password", "", "password_file", "", "pool_size", "3", "max_overflow", "4", "ssl_mode", "", "tenant", "",
                "schema", "", "connection_timeout", "5", "command_timeout", "10", "idle_timeout", "600",
                "max_lifetime", "1800");
        assertTrue(saved.body(), saved.status() < 400);
        await("the new size", Duration.ofSeconds(10), () -> database("default").stats().max() == 7);
        // A new schema tenant through the console's form serves, on the shared default.
        Answer created = consoleSave(CONSOLE, null, "serv.tenant", "id", "t2", "name", "", "hosts", "",
                "path_prefix", "/t/t2", "database_url", "", "database_user", "", "database_password", "",
                "database_schema", "t2", "extensions", "");
        assertTrue(created.body(), created.status() < 400);
        awaitStatus("/t/t2/posts", 200, Duration.ofSeconds(30));
        assertEquals(200, get("/t/t1/posts").status());
        // And the site itself, with tenants configured, goes on serving (tenancy: unmatched site, the default).
        assertEquals(200, get("/posts").status());
        assertTrue(health().body().contains("\"tenancy\":{\"tenants\":2,\"unmatched\":\"site\"}"));
    }

    @Test
    public void aRefusedTenantsHostIsNeverTheSites() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        // A new tenant with a wrong value: refused, and its host still is not the server's own site (unmatched:
        // site), whose database would take the tenant's users' writes.
        writeYaml(yaml(pg()) + "  t3: {hosts: [t3.test], path_prefix: /t/t3, database: {schema: t3, max_size: 0}}\n");
        await("the refusal in /health", Duration.ofSeconds(20), () -> holds(() -> health().body().contains(
                "tenant t3: key 'max_size'")));
        for (Answer a : new Answer[] { send("GET", "/posts", null, null, "Host", "t3.test"),
                send("POST", "/users", "application/x-www-form-urlencoded",
                        "username=t3user&email=t3%40example.com&password=long+enough", "Host", "t3.test"),
                get("/t/t3/posts") }) {
            assertEquals(a.body(), 503, a.status());
            assertEquals("{\"error\":\"tenant t3 is not available: its configuration was refused (the server's"
                    + " /health says why)\"}", a.body());
            assertNotNull(a.header("Retry-After"));
        }
        assertEquals(200, get("/posts").status()); // the site's own requests are served
        writeYaml(yaml(pg()) + "  t3: {hosts: [t3.test], path_prefix: /t/t3, database: {schema: t3}}\n");
        await("t3 serving", Duration.ofSeconds(30), () -> holds(
                () -> send("GET", "/posts", null, null, "Host", "t3.test").status() == 200));
        assertFalse(health().body().contains("tenant t3: key"));
        writeYaml(yaml(pg()));
        await("t3 removed", Duration.ofSeconds(30), () -> holds(
                () -> send("GET", "/posts", null, null, "Host", "t3.test").body().equals(get("/posts").body())));
    }

    @Test
    public void typosAreNamedWithTheClosestKnownKey() throws Exception {
        writeYaml("""
                databse: {}
                databases:
                  default: {url: "%s", poolsize: 3}
                tenants:
                  t1: {path_prefix: /t/t1, nmae: Tea, database: {schema: t1}}
                """.formatted(pg()));
        await("the warnings", Duration.ofSeconds(20), () -> {
            try {
                String h = health().body();
                return h.contains("unknown key 'databse' (ignored); did you mean 'databases'?")
                        && h.contains("database default: unknown key 'poolsize' (ignored); did you mean 'pool_size'?")
                        && h.contains("tenant t1: unknown key 'nmae' (ignored); did you mean 'name'?");
            } catch (Exception e) {
                return false;
            }
        });
        // A tenant's host sees none of it, nor the other databases.
        Answer tenantHealth = health("/t/t1/health");
        assertFalse(tenantHealth.body(), tenantHealth.body().contains("warnings"));
        assertFalse(tenantHealth.body(), tenantHealth.body().contains("\"default\":{\"state\":\"UP\",\"dialect\""
                + ":\"postgresql\",\"pool\""));
    }

    @Test
    public void aWrongExtensionSettingInTheFileIsNamedAndNotApplied() throws Exception {
        writeYaml(yaml(pg()) + """
                extensions:
                  - extension: blog
                    settings: {repository: jpa}
                """);
        org.osgi.service.cm.ConfigurationAdmin cm = context().getService(
                context().getServiceReference(org.osgi.service.cm.ConfigurationAdmin.class));
        await("the blog on jpa", Duration.ofSeconds(20), () -> {
            try {
                var c = cm.getConfiguration("serv.blog", "?").getProperties();
                return c != null && "jpa".equals(c.get("repository"));
            } catch (java.io.IOException e) {
                return false;
            }
        });
        writeYaml(yaml(pg()) + """
                extensions:
                  - extension: blog
                    settings: {repository: jpaa}
                """);
        await("the refusal in /health", Duration.ofSeconds(20), () -> {
            try {
                return health().body().contains("configuration serv.blog: key 'repository': 'jpaa' is not one"
                        + " of jdbc, jpa (not applied: the last good settings stay; fix the value)");
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals("jpa", cm.getConfiguration("serv.blog", "?").getProperties().get("repository"));
        assertEquals(200, get("/posts").status());
    }

    @Test
    public void anExtensionNamingADatabaseThatIsNotConfiguredKeepsTheOneItServesOn() throws Exception {
        org.osgi.service.cm.ConfigurationAdmin cm = context().getService(
                context().getServiceReference(org.osgi.service.cm.ConfigurationAdmin.class));
        writeYaml(yaml(pg()) + """
                extensions:
                  - extension: blog
                    settings: {database: default}
                """);
        await("the blog's database set", Duration.ofSeconds(20), () -> holds(() -> {
            var c = cm.getConfiguration("serv.blog", "?").getProperties();
            return c != null && "default".equals(c.get("database"));
        }));
        writeYaml(yaml(pg()) + """
                extensions:
                  - extension: blog
                    settings: {database: defualt}
                """);
        await("the refusal in /health", Duration.ofSeconds(20), () -> holds(() -> health().body().contains(
                "configuration serv.blog: key 'database': no database 'defualt' is configured, so every route of this"
                        + " extension would answer 503; configure that database first, or name one of default; did"
                        + " you mean 'default'? (not applied: the last good settings stay; fix the value)")));
        assertEquals("default", cm.getConfiguration("serv.blog", "?").getProperties().get("database"));
        assertEquals(200, get("/posts").status());
        // A database added in the same save as the setting that names it is no typo.
        writeYaml(yaml(pg()).replace("tenants:", "  second: {url: \"" + pg() + "\", pool_size: 1}\ntenants:") + """
                extensions:
                  - extension: blog
                    settings: {database: second}
                """);
        await("the blog on second", Duration.ofSeconds(20), () -> holds(
                () -> "second".equals(cm.getConfiguration("serv.blog", "?").getProperties().get("database"))));
        assertFalse(health().body(), health().body().contains("key 'database'"));
        awaitStatus("/posts", 200, Duration.ofSeconds(20));
        // Tenant t1 has no database "second": the blog's routes answer 503 on its path, and both views say why.
        assertEquals(503, get("/t/t1/posts").status());
        Answer site = health();
        assertTrue(site.body(), site.body().contains("database second: the routes of serv.blog use it, and 1 tenant"
                + " (t1) has none: on their hosts those routes answer 503; configure a database second for each"
                + " tenant (serv.database with tenant: <id>), or give serv.blog the database default"));
        Answer t1 = health("/t/t1/health");
        assertEquals(t1.body(), 503, t1.status());
        assertTrue(t1.body(), t1.body().contains("\"second\":{\"state\":\"NOT_CONFIGURED\",\"reason\":\"the routes"
                + " of serv.blog use it and answer 503 here\"}"));
    }

    /**
     * The same typo in an entry added for an extension that serves on its defaults (no entry of its own so far): it
     * goes on with them, as it would keep stored settings; only a first start applies it (nothing served yet).
     */
    @Test
    public void anExtensionServingOnItsDefaultsIsNotMovedToADatabaseThatIsNotConfigured() throws Exception {
        org.osgi.service.cm.ConfigurationAdmin cm = context().getService(
                context().getServiceReference(org.osgi.service.cm.ConfigurationAdmin.class));
        writeYaml(yaml(pg()));
        // A test before may have left the blog an entry: the file no longer has it, so it goes after the grace time.
        await("the blog without settings", Duration.ofSeconds(20),
                () -> holds(() -> cm.listConfigurations("(service.pid=serv.blog)") == null));
        awaitStatus("/posts", 200, Duration.ofSeconds(20));
        writeYaml(yaml(pg()) + """
                extensions:
                  - extension: blog
                    settings: {database: defualt}
                """);
        await("the refusal in /health", Duration.ofSeconds(20), () -> holds(() -> health().body().contains(
                "configuration serv.blog: key 'database': no database 'defualt' is configured, so every route of this"
                        + " extension would answer 503; configure that database first, or name one of default; did"
                        + " you mean 'default'? (not applied: the extension goes on with its defaults; fix the"
                        + " value)")));
        assertEquals("nothing stored for the blog", null, cm.listConfigurations("(service.pid=serv.blog)"));
        assertEquals(200, get("/posts").status());
    }

    @Test
    public void aStoppedExtensionAnswers503NamingIt() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        Bundle blog = null;
        for (Bundle b : context().getBundles()) {
            if ("serv.blog".equals(b.getSymbolicName())) {
                blog = b;
            }
        }
        blog.stop();
        try {
            Answer stopped = awaitStatus("/posts", 503, Duration.ofSeconds(10));
            assertEquals("{\"error\":\"extension serv.blog is stopped\"}", stopped.body());
            assertNotNull(stopped.header("Retry-After"));
            assertEquals(404, get("/nothing-here").status());
        } finally {
            blog.start();
        }
        awaitStatus("/posts", 200, Duration.ofSeconds(20));
    }
}
