package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import serv.testkit.ServTestSupport;


/**
 * Zero configuration (the embedded SQLite default) and the live folders: a bundle copied into deploy/ becomes
 * routable (its migration applied first) and stops being routable when deleted; a pool configuration dropped into
 * etc/ creates a database service, and deleting it removes the service.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotDeployIT extends ServTestSupport {

    @Configuration
    public Option[] config() {
        return serv(java.util.Map.of(), "serv.it.bundle.hello", helloBundle().toString());
    }


    @Test
    public void withoutConfigurationDefaultIsEmbeddedSqlite() throws Exception {
        Answer health = health();
        assertTrue(health.body(), health.body().contains("\"default\":{\"state\":\"UP\",\"dialect\":\"sqlite\""));
        assertTrue(Files.isRegularFile(home().resolve("data/app.db")));
        assertTrue(Files.isDirectory(home().resolve("etc")));
        assertTrue(Files.isDirectory(home().resolve("deploy")));
        assertEquals("{\"posts\":[]}", get("/posts").body());
    }

    @Test
    public void bundleDroppedIntoDeployIsRoutableUntilDeleted() throws Exception {
        assertEquals(404, get("/hello").status());
        Path jar = home().resolve("deploy/hello.jar");
        // While the bundle arrives and its migration runs, the routes already there go on being served; its own
        // routes wait (503) for its migration and never meet a missing table.
        java.util.Map<String, java.util.Set<Integer>> seen = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean deploying = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread load = new Thread(() -> {
            while (deploying.get()) {
                for (String path : new String[] { "/posts", "/hello" }) {
                    try {
                        seen.computeIfAbsent(path, p -> java.util.concurrent.ConcurrentHashMap.newKeySet())
                                .add(get(path).status());
                    } catch (Exception e) {
                        seen.computeIfAbsent(path, p -> java.util.concurrent.ConcurrentHashMap.newKeySet()).add(-1);
                    }
                }
            }
        });
        load.start();
        Answer hello;
        try {
            writeAtomically(jar, builtBundle("serv.it.bundle.hello"));
            hello = awaitStatus("/hello", 200, Duration.ofSeconds(20));
        } finally {
            deploying.set(false);
            load.join();
        }
        assertEquals("{\"count\":1,\"greeting\":\"hi\"}", hello.body());
        assertEquals(java.util.Set.of(200), seen.get("/posts"));
        assertTrue(seen.get("/hello").toString(), java.util.Set.of(404, 503, 200).containsAll(seen.get("/hello")));

        // Its middleware (a component of its own, registered on its own time) runs around every route.
        await("the bundle's middleware", Duration.ofSeconds(10), () -> {
            try {
                return "seen".equals(get("/posts").header("X-Hello"));
            } catch (Exception e) {
                return false;
            }
        });
        Answer blocked = get("/posts", "X-Hello-Block", "1");
        assertEquals(403, blocked.status());
        assertEquals("{\"error\":\"blocked by the hello middleware\"}", blocked.body());
        // An HttpException of a status that is none is the middleware's own error: a 500 with Serv's error id (it was
        // Jetty's 500 {"error":"Server Error"}, and an IllegalArgumentException of Jetty's in the log).
        assertEquals(451, get("/posts", "X-Hello-Status", "451").status());
        for (String status : new String[] { "99", "0", "1000", "200" }) {
            Answer odd = get("/posts", "X-Hello-Status", status);
            assertEquals(odd.body(), 500, odd.status());
            assertTrue(odd.body(), odd.body().matches(
                    "\\{\"error\":\"internal server error\",\"id\":\"[0-9a-f]{8}\"}"));
        }

        // The transaction middleware: a write commits on success and rolls back on any failure.
        String form = "application/x-www-form-urlencoded";
        assertEquals(201, send("POST", "/hello", form, "greeting=kept").status());
        Answer thrown = send("POST", "/hello?fail=throw", form, "greeting=lost1");
        assertEquals(500, thrown.status());
        assertTrue(thrown.body(), thrown.body().matches("\\{\"error\":\"internal server error\",\"id\":\"[0-9a-f]{8}\"}"));
        assertEquals(409, send("POST", "/hello?fail=http", form, "greeting=lost2").status());
        assertEquals(422, send("POST", "/hello?fail=status", form, "greeting=lost3").status());
        Answer noStatus = send("POST", "/hello?fail=nostatus", form, "greeting=lost4");
        assertEquals(noStatus.body(), 500, noStatus.status());
        assertTrue(noStatus.body(), noStatus.body().matches(
                "\\{\"error\":\"internal server error\",\"id\":\"[0-9a-f]{8}\"}"));
        assertEquals("{\"count\":2,\"greeting\":\"hi\"}", get("/hello").body());

        // Replaced (FileInstall updates the bundle, then refreshes it) under load: its routes answer 503 while it
        // stops and starts again, never 404 or 405 (the routes bound again a moment after the bundle's start).
        java.util.Set<Integer> during = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean replacing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread clients = new Thread(() -> {
            while (replacing.get()) {
                try {
                    during.add(get("/hello").status());
                    during.add(send("POST", "/hello", form, "greeting=again").status());
                } catch (Exception e) {
                    during.add(-1);
                }
            }
        });
        clients.start();
        try {
            Thread.sleep(300);
            long before = Files.getLastModifiedTime(jar).toMillis();
            writeAtomically(jar, builtBundle("serv.it.bundle.hello"));
            Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(before + 5_000));
            await("the replaced bundle to be updated", Duration.ofSeconds(20),
                    () -> {
                        try {
                            return during.contains(503) && get("/hello").status() == 200;
                        } catch (Exception e) {
                            return false;
                        }
                    });
            Thread.sleep(1_000);
        } finally {
            replacing.set(false);
            clients.join();
        }
        assertTrue(during.toString(), java.util.Set.of(200, 201, 503).containsAll(during));

        Files.delete(jar);
        Answer gone = awaitStatus("/hello", 404, Duration.ofSeconds(20));
        assertEquals("{\"error\":\"not found\"}", gone.body());
        await("the middleware to go", Duration.ofSeconds(10), () -> {
            try {
                return get("/posts").header("X-Hello") == null;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    public void poolConfigurationInEtcCreatesAndRemovesADatabaseService() throws Exception {
        Path cfg = home().resolve("etc/serv.database-extra.cfg");
        writeAtomically(cfg, "name=extra\nurl=sqlite:///data/extra.db\npool_size=1\n".getBytes(StandardCharsets.UTF_8));
        awaitState("extra", "UP", Duration.ofSeconds(20));
        assertTrue(Files.isRegularFile(home().resolve("data/extra.db")));
        assertTrue(health().body().contains("\"extra\":{\"state\":\"UP\",\"dialect\":\"sqlite\""));

        Files.delete(cfg);
        awaitState("extra", null, Duration.ofSeconds(20));
        assertTrue(!health().body().contains("\"extra\""));
    }

    /**
     * One file of etc/ that cannot be read (saved in Latin-1) holds its database as it was, while another file's change
     * applies at once; /health names the file, the line and the byte until it is saved as UTF-8, and the log says so
     * once. It was: etc/ as a whole not applied, "Input length = 1".
     */
    @Test
    public void aFileOfEtcThatCannotBeReadHoldsItsDatabaseWhileTheOtherFilesApply() throws Exception {
        Path good = home().resolve("etc/serv.database-etcgood.cfg");
        Path latin = home().resolve("etc/serv.database-etclatin.cfg");
        try {
            writeAtomically(good, "url=sqlite:///data/etcgood.db\npool_size=1\n".getBytes(StandardCharsets.UTF_8));
            writeAtomically(latin, "url=sqlite:///data/etclatin.db\npool_size=1\n".getBytes(StandardCharsets.UTF_8));
            awaitState("etcgood", "UP", Duration.ofSeconds(20));
            awaitState("etclatin", "UP", Duration.ofSeconds(20));

            // the café in a comment, saved in Latin-1, and a change that must wait for the file to be fixed
            writeAtomically(latin, "url=sqlite:///data/etclatin.db\npool_size=2\n# caf\u00e9\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String warning = "etc/serv.database-etclatin.cfg is not UTF-8 text (line 3, byte 0xE9): save it as UTF-8;"
                    + " until then the file is not applied, and what it made stays as it is (the rest of etc/ is"
                    + " applied)";
            await("the warning in /health's details", Duration.ofSeconds(20), () -> body(() -> health())
                    .contains(warning.replace("/", "\\/")) || body(() -> health()).contains(warning));
            writeAtomically(good, "url=sqlite:///data/etcgood.db\npool_size=2\n".getBytes(StandardCharsets.UTF_8));
            await("the other file's change to apply", Duration.ofSeconds(20), () -> "2".equals(
                    String.valueOf(stored("serv.database~etcgood", "pool_size"))));

            // held past the 3 s a file's configuration is kept when the file leaves it out
            Thread.sleep(4_000);
            assertEquals("1", String.valueOf(stored("serv.database~etclatin", "pool_size")));
            assertEquals("UP", state("etclatin"));
            Answer health = health();
            assertTrue(health.body(), health.body().contains("\"etclatin\":{\"state\":\"UP\""));
            assertFalse(health.body(), health.body().contains("Input length"));
            String log = new String(get("/system/console/logs.json", "Authorization", operator()).body());
            int said = log.split("serv.database-etclatin.cfg is not UTF-8 text", -1).length - 1;
            assertEquals(log, 1, said);

            writeAtomically(latin, "url=sqlite:///data/etclatin.db\npool_size=2\n# caf\u00e9\n"
                    .getBytes(StandardCharsets.UTF_8));
            await("the fixed file to apply", Duration.ofSeconds(20), () -> "2".equals(
                    String.valueOf(stored("serv.database~etclatin", "pool_size"))));
            await("the warning to go", Duration.ofSeconds(20), () -> !body(() -> health())
                    .contains("serv.database-etclatin.cfg"));
            assertEquals("UP", state("etclatin"));
        } finally {
            Files.deleteIfExists(good);
            Files.deleteIfExists(latin);
        }
        awaitState("etcgood", null, Duration.ofSeconds(20));
        awaitState("etclatin", null, Duration.ofSeconds(20));
    }

    /** A property of the configuration {@code pid} in Configuration Admin, or null. */
    private static Object stored(String pid, String key) {
        try {
            org.osgi.service.cm.ConfigurationAdmin cm = context().getService(
                    context().getServiceReference(org.osgi.service.cm.ConfigurationAdmin.class));
            org.osgi.service.cm.Configuration[] found = cm.listConfigurations("(service.pid=" + pid + ")");
            return found == null ? null : found[0].getProperties().get(key);
        } catch (java.io.IOException | org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The body of an answer, or "" when there is none (the server busy, a connection refused). */
    private static String body(java.util.concurrent.Callable<Answer> answer) {
        try {
            return answer.call().body();
        } catch (Exception e) {
            return "";
        }
    }

    @Test
    public void duplicateUsersAreConflictsOnSqlite() throws Exception {
        String form = "application/x-www-form-urlencoded";
        Answer created = send("POST", "/users", form, "username=ann&email=ann%40example.com&password=long+enough");
        assertEquals(created.body(), 201, created.status());
        Answer sameName = send("POST", "/users", form, "username=ann&email=other%40example.com&password=long+enough");
        assertEquals(409, sameName.status());
        assertEquals("{\"error\":\"username already exists\"}", sameName.body());
        Answer sameEmail = send("POST", "/users", form, "username=ann2&email=ann%40example.com&password=long+enough");
        assertEquals(409, sameEmail.status());
        assertEquals("{\"error\":\"email already exists\"}", sameEmail.body());
    }

    @Test
    public void serverConfigFileIsAppliedWhenItChanges() throws Exception {
        Path yaml = home().resolve("serv.config.yaml");
        writeAtomically(yaml, """
                databases:
                  reports:
                    url: "sqlite:///data/reports.db"
                    pool_size: "${IT_REPORTS_POOL:1}"
                """.getBytes(StandardCharsets.UTF_8));
        awaitState("reports", "UP", Duration.ofSeconds(20));
        assertEquals(1, database("reports").stats().max());
        assertEquals("UP", state("default"));

        writeAtomically(yaml, "databases: {}\n".getBytes(StandardCharsets.UTF_8));
        awaitState("reports", null, Duration.ofSeconds(20));
        assertEquals("UP", state("default"));
        Files.delete(yaml);
    }

    /** A real extension bundle, built by bnd: the route and middleware of serv.it.hello and a migration. */
    private static Path helloBundle() {
        return TestBundles.build("serv.it.hello", "serv.it.hello", java.util.Map.of(), java.util.Map.of(
                "serv/migrations/default/V001__create_hello.sql", """
                        CREATE TABLE hello (greeting TEXT NOT NULL);
                        INSERT INTO hello (greeting) VALUES ('hi');
                        """));
    }
}
