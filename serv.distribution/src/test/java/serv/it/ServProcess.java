package serv.it;

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

/** {@code java -jar serv.jar} as an operator runs it: a process in a home folder, on a port, with its log. */
final class ServProcess implements AutoCloseable {

    static final Path JAR = Path.of(System.getProperty("user.dir"), "target/serv.jar");
    // HTTP/1.1, which Serv's port speaks (the default, HTTP/2, sends an h2c upgrade with every request)
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    final Path home;
    final int port;
    final Path log;
    private final Process process;
    /** The Web Console's login given by the environment (SERV_CONSOLE_USER, SERV_CONSOLE_PASSWORD), or null. */
    private final String consoleUser;
    private final String consolePassword;

    ServProcess(Path home, int port, String logName) throws IOException {
        this(home, port, logName, java.util.Map.of());
    }

    /** The server with extra environment variables (a secret, a console login). */
    ServProcess(Path home, int port, String logName, java.util.Map<String, String> env) throws IOException {
        this(home, port, logName, env, new String[0]);
    }

    /** {@code java -jar serv.jar run --shell}: the shell on its terminal, {@link #stdin()} what is typed. */
    static ServProcess shell(Path home, int port, String logName) throws IOException {
        return new ServProcess(home, port, logName, java.util.Map.of(), new String[] { "run", "--shell" });
    }

    private ServProcess(Path home, int port, String logName, java.util.Map<String, String> env, String[] args)
            throws IOException {
        this.home = home;
        this.port = port;
        this.log = home.resolve(logName);
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.directory(home.toFile());
        pb.environment().put("SERV_PORT", Integer.toString(port));
        pb.environment().remove("SERV_CONSOLE_USER");
        pb.environment().remove("SERV_CONSOLE_PASSWORD");
        pb.environment().remove("SERV_PROFILE");
        pb.environment().putAll(env);
        this.consoleUser = env.get("SERV_CONSOLE_USER");
        this.consolePassword = env.get("SERV_CONSOLE_PASSWORD");
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        process = pb.start();
    }

    /** The server's process id (its JVM's: serv.jar runs in the process started). */
    long pid() {
        return process.pid();
    }

    /** Waits for GET /health to answer 200; returns the milliseconds it took. */
    long awaitHealthy() throws Exception {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            assertTrue("serv.jar exited early:\n" + log(), process.isAlive());
            try {
                if (status("/health", null, null) == 200) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("serv.jar did not answer /health with 200 within 120 s:\n" + log());
    }

    int status(String path, String user, String password) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    String body(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * The {@code Authorization} header of the operator's login: SERV_CONSOLE_USER and SERV_CONSOLE_PASSWORD when the
     * server was given them, else the login it generated on its first start and printed in its log (as an operator
     * reads it there).
     */
    String operator() throws IOException {
        String user = consoleUser;
        String password = consolePassword;
        if (user == null || password == null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "Web Console login generated: user (\\S+), password (\\S+)").matcher(log());
            if (!m.find()) {
                throw new AssertionError("no console login given nor generated:\n" + log());
            }
            user = m.group(1);
            password = m.group(2);
        }
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The body of {@code GET /health} as the operator sees it: with its details (the operator's login sent). */
    String health() throws Exception {
        return new String(get("/health", "Authorization", operator()).body(), StandardCharsets.UTF_8);
    }

    /** GET with headers (name, value pairs): the status and the body's bytes. */
    HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** POST a form with headers (name, value pairs). */
    HttpResponse<String> postForm(String path, String form, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The server's standard input: what is typed at its terminal. */
    java.io.OutputStream stdin() {
        return process.getOutputStream();
    }

    boolean alive() {
        return process.isAlive();
    }

    String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** SIGTERM; asserts the server stopped in order within 30 s. */
    void stopGracefully() throws Exception {
        process.destroy();
        assertTrue("serv.jar did not stop within 30 s of SIGTERM", process.waitFor(30, TimeUnit.SECONDS));
        String text = log();
        assertTrue(text, text.contains("Database default: pool stopped"));
        assertTrue(text, text.contains("Serv stopped in"));
    }

    /** kill -9. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Sends {@code request} as it is (a Host header of one's own, say) and answers the whole response. */
    String raw(String request) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
