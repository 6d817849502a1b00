package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import serv.testkit.ServTestSupport;

/**
 * Hostile clients, dropped connections, outages and saturation (#17): never a 500, a hang or a false alarm. The
 * blog's database goes through a TCP proxy the tests cut; the rest is raw sockets and real PostgreSQL.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HardeningIT extends ServTestSupport {

    private static final String FORM = "application/x-www-form-urlencoded";
    private static TcpProxy proxy;

    @Configuration
    public Option[] config() throws Exception {
        String pg = freshPostgres();
        return serv("""
                databases:
                  default: {url: "%s", pool_size: 4, max_overflow: 4, connection_timeout: 2, command_timeout: 3}
                """.formatted(pg), "serv.it.db", pg.substring(pg.lastIndexOf('/') + 1));
    }

    private static String db() {
        return context().getProperty("serv.it.db");
    }

    /** One raw HTTP/1.1 exchange: what is written, and everything the server answers until it closes or idles. */
    private static String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", Integer.parseInt(context().getProperty("serv.port")))) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int author() throws Exception {
        String name = "a" + System.nanoTime();
        Answer a = send("POST", "/users", FORM, "username=" + name + "&email=" + name + "%40x.test&password=long+enough");
        assertEquals(a.body(), 201, a.status());
        return Integer.parseInt(a.body().replaceAll("^\\{\"id\":(\\d+),.*", "$1"));
    }

    @Test
    public void aNulCharacterIsA400NamingTheField() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        int author = author();
        Answer form = send("POST", "/posts", FORM, "title=a%00b&content=c&author_id=" + author);
        assertEquals(400, form.status());
        assertEquals("{\"error\":\"title must not contain a NUL character\"}", form.body());
        Answer json = send("POST", "/posts", "application/json",
                "{\"title\":\"t\",\"content\":\"a\\u0000b\",\"author_id\":" + author + "}");
        assertEquals(400, json.status());
        assertEquals("{\"error\":\"content must not contain a NUL character\"}", json.body());
        assertEquals(400, send("POST", "/users", FORM, "username=x%00y&email=x%40y.z&password=long+enough").status());
        assertEquals(400, send("PUT", "/users/" + author, FORM, "email=a%00%40b.c").status());
    }

    @Test
    public void errorsJettyAnswersItselfAreJson() throws Exception {
        String[][] cases = {
                { "GET /posts FOO/1.1\r\nHost: x\r\n\r\n", "505" },
                { "GET /posts\r\n\r\n", "505" },
                { "GET /po\rsts HTTP/1.1\r\nHost: x\r\n\r\n", "400" },
                { "GET /posts HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n", "431" },
                { "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", "414" },
                { "GET /posts HTTP/1.1\r\n\r\n", "400" } };
        for (String[] c : cases) {
            String answer = raw(c[0]);
            assertTrue(answer, answer.startsWith("HTTP/1.1 " + c[1]));
            assertTrue(answer, answer.contains("Content-Type: application/json"));
            assertTrue(answer, answer.contains("{\"error\":\""));
            assertFalse(answer, answer.contains("<html") || answer.contains("<h2>"));
        }
    }

    @Test
    public void cutAndMalformedBodiesAre400sNot500s() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        String badChunks = raw("POST /posts HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM
                + "\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\ntitle=a\r\n0\r\n\r\n");
        assertTrue(badChunks, badChunks.startsWith("HTTP/1.1 400"));
        assertTrue(badChunks, badChunks.contains("\"error\""));
        String cut = raw("POST /posts HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM
                + "\r\nContent-Length: 100\r\n\r\ntitle=a");
        assertFalse(cut, cut.contains(" 500 "));
    }

    @Test
    public void bodiesThatWouldBeMisreadAreRefusedAtOnce() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        // A client that asks for 100 Continue is told at once that its 5 MB will not be taken (it sent them all, to
        // be dropped, and the answer came after them).
        String expect = raw("POST /posts HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM
                + "\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n");
        assertTrue(expect, expect.startsWith("HTTP/1.1 413 "));
        assertTrue(expect, expect.contains("{\"error\":\"request body larger than 1048576 bytes\"}"));
        // A compressed body is not read as text (it was: a gzip'd JSON was "not valid JSON", a compressed form
        // "title must be 1-200 characters").
        for (String type : List.of(FORM, "application/json")) {
            String gzip = raw("POST /posts HTTP/1.1\r\nHost: x\r\nContent-Type: " + type
                    + "\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\nConnection: close\r\n\r\n\u001f\u008b\u0008\u0000");
            assertTrue(gzip, gzip.startsWith("HTTP/1.1 415 "));
            assertTrue(gzip, gzip.contains("Accept-Encoding: identity"));
            assertTrue(gzip, gzip.contains("{\"error\":\"the body is sent with Content-Encoding gzip, which this route"
                    + " does not take: send it uncompressed\"}"));
        }
        // A media type is the one named, not one that starts like it; a +json type is JSON.
        assertEquals(415, send("POST", "/posts", "application/jsonx", "{}").status());
        assertEquals(415, send("POST", "/posts", FORM + "-not", "title=a").status());
        int author = author();
        Answer json = send("POST", "/posts", "application/vnd.serv+json; charset=utf-8",
                "{\"title\":\"t\",\"content\":\"c\",\"author_id\":" + author + "}");
        assertEquals(json.body(), 201, json.status());
    }

    /**
     * A client that sends requests and does not read the answers holds no thread: the answer waits in its
     * connection's buffer. Each one held a thread for the idle timeout (60 s), blocked in its write: 200 such
     * connections (a few KB each to send) and the server answered nobody, not even /health, for a minute.
     */
    @Test
    public void slowReadersHoldNoThread() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        // 40 KB of answer each: the socket's buffers are full after some hundred of them
        Answer big = send("POST", "/posts", FORM, "title=big&content=" + "%F0%9F%98%80".repeat(10_000)
                + "&author_id=" + author());
        assertEquals(big.body(), 201, big.status());
        String id = big.body().replaceAll("^\\{\"id\":(\\d+),.*", "$1");
        byte[] pipelined = ("GET /posts/" + id + " HTTP/1.1\r\nHost: x\r\n\r\n").repeat(400)
                .getBytes(StandardCharsets.ISO_8859_1);
        List<Socket> readers = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(4096);
                s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(context().getProperty("serv.port"))));
                s.getOutputStream().write(pipelined); // 16 MB of answers each, never read
                readers.add(s);
            }
            // Once their buffers are full, nothing is left to do for them: no thread stays in Serv's request code
            // (each stayed, blocked in its write, until the idle timeout).
            List<String> held = List.of();
            for (long end = System.nanoTime() + 30_000_000_000L; System.nanoTime() < end; Thread.sleep(200)) {
                held = Thread.getAllStackTraces().entrySet().stream()
                        .filter(t -> Arrays.stream(t.getValue())
                                .anyMatch(f -> f.getClassName().startsWith("serv.core.internal.http.")))
                        .map(t -> t.getKey().getName() + " " + Arrays.toString(t.getValue())).toList();
                if (held.isEmpty()) {
                    break;
                }
            }
            assertEquals("threads still in Serv's request code: " + held, 0, held.size());
            Answer health = get("/health");
            assertEquals(health.body(), 200, health.status());
        } finally {
            for (Socket s : readers) {
                s.close();
            }
        }
    }

    @Test
    public void slowBodiesHoldNoThread() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        int port = Integer.parseInt(context().getProperty("serv.port"));
        List<Socket> slow = new ArrayList<>();
        try {
            // More slow clients than the server has threads (200): each sends its headers and one byte of its body.
            for (int i = 0; i < 260; i++) {
                Socket s = new Socket("127.0.0.1", port);
                s.getOutputStream().write(("POST /posts HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM
                        + "\r\nContent-Length: 1000\r\n\r\nt").getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                slow.add(s);
            }
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                assertEquals(200, get("/posts?limit=1").status());
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue("a request waited " + ms + " ms behind the slow bodies", ms < 5000);
            }
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    public void aTricklingBodyIsA408InSecondsNotAfterTheWholeTimeout() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        try (Socket s = new Socket("127.0.0.1", Integer.parseInt(context().getProperty("serv.port")))) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            long start = System.nanoTime();
            out.write(("POST /posts HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM
                    + "\r\nContent-Length: 1000\r\n\r\nt").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String answer = "";
            for (int i = 0; i < 5 && answer.isEmpty(); i++) {
                Thread.sleep(1500);
                try {
                    out.write('t'); // one byte every 1.5 s: far below the minimum body rate
                    out.flush();
                } catch (java.io.IOException closed) {
                    // answered and closed: read the answer below
                }
                if (s.getInputStream().available() > 0 || i == 4) {
                    byte[] buf = new byte[512];
                    int n = s.getInputStream().read(buf);
                    answer = n < 0 ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                }
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(answer, answer.startsWith("HTTP/1.1 408"));
            assertTrue(answer, answer.contains("\"error\""));
            assertTrue("answered after " + ms + " ms", ms < 10_000);
        }
    }

    @Test
    public void aConnectionLostUnderWritesIsA503NeverA500() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        int author = author();
        try (TcpProxy cutter = new TcpProxy(5432)) {
            org.osgi.service.cm.ConfigurationAdmin cm = context().getService(
                    context().getServiceReference(org.osgi.service.cm.ConfigurationAdmin.class));
            org.osgi.service.cm.Configuration flaky = cm.getFactoryConfiguration("serv.database", "flaky", "?");
            flaky.update(new java.util.Hashtable<>(Map.of("name", "flaky", "url",
                    "postgresql://postgres@127.0.0.1:" + cutter.port() + "/" + db(), "pool_size", "3",
                    "connection_timeout", "1")));
            org.osgi.service.cm.Configuration blog = cm.getConfiguration("serv.blog", "?");
            blog.update(new java.util.Hashtable<>(Map.of("database", "flaky")));
            try {
                awaitStatus("/posts", 200, Duration.ofSeconds(30));
                Set<Integer> statuses = ConcurrentHashMap.newKeySet();
                Set<String> failures = ConcurrentHashMap.newKeySet();
                AtomicBoolean running = new AtomicBoolean(true);
                List<Thread> writers = new ArrayList<>();
                int port = Integer.parseInt(context().getProperty("serv.port"));
                for (int i = 0; i < 6; i++) {
                    Thread t = new Thread(() -> {
                        // Its own keep-alive connection and a plain HTTP/1.1 exchange, so that a -1 can only be the
                        // server dropping a connection without an answer. (The JDK's HttpClient, under this many
                        // quick 503s, now and then closed a connection itself after an answer had fully arrived,
                        // as a packet capture showed, and reported it as 'header parser received no bytes'.)
                        try (KeepAlive client = new KeepAlive(port)) {
                            while (running.get()) {
                                try {
                                    statuses.add(client.post("/posts", FORM, "title=t&content=c&author_id=" + author));
                                } catch (java.io.IOException e) {
                                    failures.add(e.toString());
                                    statuses.add(-1);
                                }
                            }
                        }
                    });
                    t.start();
                    writers.add(t);
                }
                Thread.sleep(800);
                cutter.cut();
                // Long enough for the pool to back off (Hikari sleeps up to 5 s between attempts to reconnect): the
                // database must serve again once it is back, not once the pool wakes.
                Thread.sleep(11_000);
                long restored = System.nanoTime();
                cutter.restore();
                awaitStatus("/posts", 200, Duration.ofSeconds(30));
                long ms = (System.nanoTime() - restored) / 1_000_000;
                Thread.sleep(500);
                running.set(false);
                for (Thread t : writers) {
                    t.join(20_000);
                }
                assertTrue(statuses + " " + failures, Set.of(201, 503).containsAll(statuses));
                assertTrue("served again " + ms + " ms after the database came back", ms < 3000);
            } finally {
                blog.delete();
                flaky.delete();
                // Back on default, the blog's routes wait for its migrations to be checked there: the next test
                // starts once every one of them serves again.
                awaitBlogServingOn("default");
            }
        }
    }

    @Test
    public void aJpaWriteThatFindsTheDatabaseGoneWaitsOneConnectionTimeoutNotTwo() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        try (TcpProxy cutter = new TcpProxy(5432)) {
            org.osgi.service.cm.ConfigurationAdmin cm = context().getService(
                    context().getServiceReference(org.osgi.service.cm.ConfigurationAdmin.class));
            org.osgi.service.cm.Configuration flaky = cm.getFactoryConfiguration("serv.database", "flakyjpa", "?");
            flaky.update(new java.util.Hashtable<>(Map.of("name", "flakyjpa", "url",
                    "postgresql://postgres@127.0.0.1:" + cutter.port() + "/" + db(), "pool_size", "2",
                    "connection_timeout", "2")));
            org.osgi.service.cm.Configuration blog = cm.getConfiguration("serv.blog", "?");
            blog.update(new java.util.Hashtable<>(Map.of("database", "flakyjpa", "repository", "jpa")));
            try {
                awaitBlogServingOn("flakyjpa");
                awaitStatus("/posts", 200, Duration.ofSeconds(30));
                int author = author();
                assertEquals(201, send("POST", "/posts", FORM, "title=t&content=c&author_id=" + author).status());
                // No request in flight: nothing breaks under a query, the database is still UP when the next write
                // borrows. After Hikari's half second without validation, the pool finds its idle connections dead
                // and cannot open new ones: that borrowing waits the connection timeout (2 s) and the write is
                // answered 503; JPA's rollback of it must not borrow (and wait) a second time.
                cutter.cut();
                Thread.sleep(1000);
                long start = System.nanoTime();
                Answer down = send("POST", "/posts", FORM, "title=t&content=c&author_id=" + author);
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertEquals(down.body(), 503, down.status());
                assertTrue(down.body(), down.header("Retry-After") != null);
                assertTrue("a write answered 503 after " + ms + " ms (connection timeout 2000 ms)", ms < 3500);
                cutter.restore();
                awaitStatus("/posts", 200, Duration.ofSeconds(30));
            } finally {
                blog.delete();
                flaky.delete();
                awaitBlogServingOn("default");
            }
        }
    }

    @Test
    public void aShortOutageServesAgainWithinTwoSecondsOfTheDatabasesReturn() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        try (TcpProxy cutter = new TcpProxy(5432)) {
            org.osgi.service.cm.ConfigurationAdmin cm = context().getService(
                    context().getServiceReference(org.osgi.service.cm.ConfigurationAdmin.class));
            org.osgi.service.cm.Configuration flaky = cm.getFactoryConfiguration("serv.database", "blip", "?");
            // A long connection timeout: waiting for the pool to time out, or for its filler's next attempt to
            // reconnect (Hikari backs off up to 5 s), would be seconds after the database's return.
            flaky.update(new java.util.Hashtable<>(Map.of("name", "blip", "url",
                    "postgresql://postgres@127.0.0.1:" + cutter.port() + "/" + db(), "pool_size", "3",
                    "connection_timeout", "10")));
            org.osgi.service.cm.Configuration blog = cm.getConfiguration("serv.blog", "?");
            blog.update(new java.util.Hashtable<>(Map.of("database", "blip")));
            try {
                awaitBlogServingOn("blip");
                awaitStatus("/posts", 200, Duration.ofSeconds(30));
                int author = author();
                // Writes in flight when the database goes: they wait on a lock, so the cut breaks their queries.
                List<Answer> inFlight = java.util.Collections.synchronizedList(new ArrayList<>());
                List<Thread> writers = new ArrayList<>();
                try (Connection locker = postgres(db()); Statement st = locker.createStatement()) {
                    locker.setAutoCommit(false);
                    st.execute("LOCK TABLE posts IN ACCESS EXCLUSIVE MODE");
                    for (int i = 0; i < 2; i++) {
                        Thread t = new Thread(() -> {
                            try {
                                inFlight.add(send("POST", "/posts", FORM, "title=t&content=c&author_id=" + author));
                            } catch (Exception e) {
                                inFlight.add(new Answer(-1, Map.of(), e.toString()));
                            }
                        });
                        t.start();
                        writers.add(t);
                    }
                    Thread.sleep(700);
                    cutter.cut();
                    locker.rollback();
                }
                for (Thread t : writers) {
                    t.join(20_000);
                }
                for (Answer a : inFlight) {
                    assertEquals(a.body(), 503, a.status());
                    assertTrue(a.body(), a.header("Retry-After") != null);
                }
                // Back 6 s after the cut: the pool's filler tried at about 5.1 s and tries next at about 10.1 s.
                Thread.sleep(6000);
                cutter.restore();
                long restored = System.nanoTime();
                Answer a;
                do {
                    a = send("POST", "/posts", FORM, "title=t&content=c&author_id=" + author);
                    assertTrue(a.status() + " " + a.body(), a.status() == 201 || a.status() == 503);
                    if (a.status() != 201) {
                        Thread.sleep(50);
                    }
                } while (a.status() != 201 && System.nanoTime() - restored < Duration.ofSeconds(30).toNanos());
                long ms = (System.nanoTime() - restored) / 1_000_000;
                assertEquals(a.body(), 201, a.status());
                assertTrue("the first write served " + ms + " ms after the database came back", ms < 2000);
            } finally {
                blog.delete();
                flaky.delete();
                awaitBlogServingOn("default");
            }
        }
    }

    /** Waits until every route of the blog serves on {@code database} (after a move, its migrations are checked). */
    private static void awaitBlogServingOn(String database) throws Exception {
        serv.core.runtime.Routes routes = context().getService(
                context().getServiceReference(serv.core.runtime.Routes.class));
        await("the blog's routes serving on " + database, Duration.ofSeconds(30), () -> routes.routes().stream()
                .filter(r -> r.extension().equals("serv.blog"))
                .allMatch(r -> r.database().equals(database) && r.status() == serv.core.runtime.RouteStatus.SERVING));
    }

    @Test
    public void aLockedTableIsSaturationNotAnOutage() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        int author = author();
        try (Connection locker = postgres(db()); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("LOCK TABLE posts IN ACCESS EXCLUSIVE MODE");
            AtomicBoolean running = new AtomicBoolean(true);
            Set<Integer> statuses = ConcurrentHashMap.newKeySet();
            List<Thread> writers = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        try {
                            statuses.add(send("POST", "/posts", FORM, "title=t&content=c&author_id=" + author)
                                    .status());
                        } catch (Exception e) {
                            statuses.add(-1);
                        }
                    }
                });
                t.start();
                writers.add(t);
            }
            try {
                for (int i = 0; i < 14; i++) {
                    Answer health = get("/health");
                    assertEquals(health.body(), 200, health.status());
                    assertTrue(health.body(), health.body().startsWith("{\"status\":\"UP\""));
                    Thread.sleep(500);
                }
            } finally {
                locker.rollback();
                running.set(false);
                for (Thread t : writers) {
                    t.join(20_000);
                }
            }
            assertTrue(statuses.toString(), Set.of(201, 503).containsAll(statuses));
        }
        awaitStatus("/posts", 200, Duration.ofSeconds(10));
    }

    @Test
    public void waitingForAnotherServersMigrationsIsWaitingNotFailing() throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        try (Connection other = postgres(db()); Statement st = other.createStatement()) {
            st.execute("SELECT pg_advisory_lock(1936028278, hashtext(current_schema()))"); // another server, migrating
            java.nio.file.Path jar = home().resolve("deploy/it-waits.jar");
            writeAtomically(jar, resourceBundle("it.waits", Map.of(
                    "serv/migrations/default/V1__create_waits.sql", "CREATE TABLE waits (id INTEGER);\n")));
            try {
                Thread.sleep(4000);
                assertEquals("UP", state("default"));
                assertTrue(database("default").failedExtensions().isEmpty());
                assertEquals(200, get("/posts").status());
            } finally {
                st.execute("SELECT pg_advisory_unlock(1936028278, hashtext(current_schema()))");
            }
            await("the waiting migration to run", Duration.ofSeconds(20), () -> {
                try (Connection c = postgres(db()); Statement s2 = c.createStatement();
                        java.sql.ResultSet rs = s2.executeQuery(
                                "SELECT count(*) FROM serv_migrations WHERE extension = 'it.waits'")) {
                    return rs.next() && rs.getInt(1) == 1;
                } catch (Exception e) {
                    return false;
                }
            });
            java.nio.file.Files.delete(jar);
        }
    }

    /** One keep-alive HTTP/1.1 connection: requests one after another, a new connection only when told to close. */
    private static final class KeepAlive implements AutoCloseable {
        private final int port;
        private Socket socket;
        private java.io.BufferedInputStream in;

        KeepAlive(int port) {
            this.port = port;
        }

        /** POSTs {@code body}; the answer's status. An IOException: the connection ended without an answer. */
        int post(String path, String contentType, String body) throws java.io.IOException {
            if (socket == null) {
                socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout(20_000);
                in = new java.io.BufferedInputStream(socket.getInputStream());
            }
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            try {
                OutputStream out = socket.getOutputStream();
                out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType
                        + "\r\nContent-Length: " + content.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(content);
                out.flush();
                String status = line();
                if (status == null) {
                    throw new java.io.EOFException("the connection ended without an answer");
                }
                int length = 0;
                boolean close = false;
                for (String h = line(); h != null && !h.isEmpty(); h = line()) {
                    String lower = h.toLowerCase(java.util.Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Integer.parseInt(lower.substring(15).strip());
                    } else if (lower.startsWith("connection:") && lower.contains("close")) {
                        close = true;
                    }
                }
                if (in.readNBytes(length).length != length) {
                    throw new java.io.EOFException("the answer's body was cut short");
                }
                if (close) {
                    close();
                }
                return Integer.parseInt(status.split(" ")[1]);
            } catch (java.io.IOException | RuntimeException e) {
                close();
                throw e instanceof java.io.IOException io ? io : new java.io.IOException(e);
            }
        }

        /** A header line without its CRLF; null at the end of the stream before any byte of it. */
        private String line() throws java.io.IOException {
            StringBuilder b = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    return b.length() == 0 ? null : b.toString();
                }
                if (c != '\r') {
                    b.append((char) c);
                }
            }
            return b.toString();
        }

        @Override
        public void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (java.io.IOException ignored) {
                    // closing anyway
                }
                socket = null;
            }
        }
    }
}
