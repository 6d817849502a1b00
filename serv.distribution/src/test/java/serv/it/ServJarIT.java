package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

/**
 * The executable jar as an operator runs it: {@code java -jar serv.jar} in an empty folder creates its home, serves,
 * never lets admin/admin into the console, keeps the generated console password across restarts, and stops in
 * order on SIGTERM.
 */
public class ServJarIT {

    private static final Path JAR = Path.of(System.getProperty("user.dir"), "target/serv.jar");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern GENERATED = Pattern.compile("user admin, password (\\S+) \\(shown once");

    @Test
    public void runsFromAnEmptyFolderAndStopsOnSigterm() throws Exception {
        Path home = Files.createTempDirectory("serv-jar-it-");
        int port = freePort();
        // A second database with credentials in its URL and in its password key: neither may reach the log.
        Files.writeString(home.resolve("serv.config.yaml"), """
                databases:
                  analytics:
                    url: "postgresql://postgres:UrlSecret42@127.0.0.1:5432/postgres"
                    password: "KeySecret42"
                    pool_size: 1
                """);

        Process first = start(home, port, "first.log");
        try {
            long ms = awaitHealth(first, port);
            System.out.println("serv.jar: first 200 on /health after " + ms + " ms (first start)");
            for (String folder : new String[] { "etc", "deploy", "data" }) {
                assertTrue(folder, Files.isDirectory(home.resolve(folder)));
            }
            assertTrue(Files.isRegularFile(home.resolve("data/app.db")));
            String health = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(health, health.contains("\"analytics\":{\"state\":\"UP\",\"dialect\":\"postgresql\""));
            assertFalse(health, health.contains("Secret42"));
            assertEquals(401, status(port, "/system/console/bundles", "admin", "admin"));
            assertEquals(401, status(port, "/system/console/bundles", null, null));
        } finally {
            assertStopsOnSigterm(first, home.resolve("first.log"));
        }
        String log = Files.readString(home.resolve("first.log"));
        assertTrue(log, log.contains("Database analytics: pool started"));
        assertFalse("a secret reached the log", log.contains("UrlSecret42") || log.contains("KeySecret42"));
        Matcher m = GENERATED.matcher(log);
        assertTrue("the generated console password is logged once:\n" + log, m.find());
        String password = m.group(1);
        assertFalse("the hash file must not hold the password",
                Files.readString(home.resolve("data/console.credentials")).contains(password));

        Process second = start(home, port, "second.log");
        try {
            awaitHealth(second, port);
            assertEquals(200, status(port, "/system/console/bundles", "admin", password));
            assertEquals(401, status(port, "/system/console/bundles", "admin", "admin"));
        } finally {
            assertStopsOnSigterm(second, home.resolve("second.log"));
        }
        assertFalse("a kept password is not printed again",
                GENERATED.matcher(Files.readString(home.resolve("second.log"))).find());
    }

    private static Process start(Path home, int port, String log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString());
        pb.directory(home.toFile());
        pb.environment().put("SERV_PORT", Integer.toString(port));
        pb.environment().remove("SERV_CONSOLE_USER");
        pb.environment().remove("SERV_CONSOLE_PASSWORD");
        pb.environment().remove("SERV_PROFILE");
        pb.redirectErrorStream(true);
        pb.redirectOutput(home.resolve(log).toFile());
        return pb.start();
    }

    private static long awaitHealth(Process p, int port) throws Exception {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            assertTrue("serv.jar exited early", p.isAlive());
            try {
                if (status(port, "/health", null, null) == 200) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("serv.jar did not answer /health with 200 within 60 s");
    }

    private static void assertStopsOnSigterm(Process p, Path log) throws Exception {
        p.destroy(); // SIGTERM
        assertTrue("serv.jar did not stop within 30 s of SIGTERM", p.waitFor(30, TimeUnit.SECONDS));
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(text, text.contains("Database default: pool stopped"));
        assertTrue(text, text.contains("Serv stopped in"));
    }

    private static int status(int port, String path, String user, String password) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
