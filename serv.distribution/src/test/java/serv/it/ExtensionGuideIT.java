package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.Test;

/**
 * docs/extensions.md, "your first extension", done the way its reader does it, with real processes: in an empty
 * folder {@code serv create extension}, {@code mvn verify} in the result (its own tests on SQLite and PostgreSQL),
 * {@code serv deploy} into a running server, a request to the new route; then {@code serv create migration} and
 * a second deploy. Every command of the guide's shell blocks must be one this test ran, and the whole path is timed
 * (the README records the figure).
 *
 * <p>The nested Maven build resolves Serv's artifacts of this very build: they are staged into a local repository
 * of the test's own, whose other folders link to this build's local repository.
 */
public class ExtensionGuideIT {

    private static final Path MODULE = Path.of(System.getProperty("user.dir"));
    private static final Path LAUNCHER = MODULE.resolve("target/serv");
    // HTTP/1.1, which Serv's port speaks (the default, HTTP/2, sends an h2c upgrade with every request)
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .build();
    private static final String USER = "guide";
    private static final String PASSWORD = "guide-password-" + Long.toHexString(System.nanoTime());

    /** The commands run, in the guide's words. */
    private final Set<String> ran = new LinkedHashSet<>();

    @Test
    public void firstExtensionFromAnEmptyFolderToASecondDeploy() throws Exception {
        Path work = Files.createTempDirectory("serv-guide-");
        Path repo = stageRepository(work.resolve("m2"));
        Path folder = Files.createDirectories(work.resolve("projects"));
        Path home = Files.createDirectories(work.resolve("home"));
        int port = ServProcess.freePort();
        Map<String, String> env = Map.of("SERV_PORT", Integer.toString(port), "SERV_CONSOLE_USER", USER,
                "SERV_CONSOLE_PASSWORD", PASSWORD);

        try (ServProcess server = new ServProcess(home, port, "serv.log", env)) {
            long start = System.nanoTime();
            String created = run("serv create extension --name \"Notes\"", folder, env, LAUNCHER.toString(), "create",
                    "extension", "--name", "Notes");
            assertTrue(created, created.contains("created notes/pom.xml"));
            Path project = folder.resolve("notes");
            ran.add("cd notes");
            long createdAt = System.nanoTime();

            String verify = run("mvn verify", project, env, maven(repo, "verify"));
            assertTrue(verify, verify.contains("Tests run: 6, Failures: 0, Errors: 0, Skipped: 0"));
            assertTrue("the server's log is in the test output", verify.contains("Database default: UP"));
            long builtAt = System.nanoTime();

            server.awaitHealthy();
            long serverUpAt = System.nanoTime();
            String deployed = run("serv deploy", project, env, LAUNCHER.toString(), "deploy");
            assertTrue(deployed, deployed.contains("notes 1.0.0.SNAPSHOT serves after"));
            assertTrue(deployed, deployed.contains("migrations applied up to V002"));
            HttpResponse<String> note = post(port, "/notes", "title=First");
            ran.add("curl -s -d 'title=First' localhost:8000/notes");
            assertEquals(note.body(), 201, note.statusCode());
            assertEquals("{\"id\":1,\"title\":\"First\",\"body\":\"\"}", note.body());
            long firstRequestAt = System.nanoTime();

            String migration = run("serv create migration --name add_done", project, env, LAUNCHER.toString(),
                    "create", "migration", "--name", "add_done");
            Path script = project.resolve("src/main/resources/serv/migrations/default/V003__add_done.sql");
            assertTrue(migration, migration.contains("created src/main/resources/serv/migrations/default/"
                    + "V003__add_done.sql"));
            Files.writeString(script, "ALTER TABLE notes ADD COLUMN done BOOLEAN NOT NULL DEFAULT FALSE;\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
            run("serv create route --name Search --path /notes/search", project, env, LAUNCHER.toString(),
                    "create", "route", "--name", "Search", "--path", "/notes/search");
            run("serv create middleware --name Audit --ranking 100", project, env, LAUNCHER.toString(), "create",
                    "middleware", "--name", "Audit", "--ranking", "100");
            run("mvn package", project, env, maven(repo, "package", "-DskipTests"));
            String again = run("serv deploy", project, env, LAUNCHER.toString(), "deploy");
            assertTrue(again, again.contains("migrations applied up to V003"));
            assertTrue(again, again.contains("GET,HEAD /notes/search"));
            HttpResponse<String> list = get(port, "/notes");
            assertEquals("{\"notes\":[{\"id\":1,\"title\":\"First\",\"body\":\"\"}]}", list.body());
            assertEquals("seen", list.headers().firstValue("X-Audit").orElse(null));
            assertEquals("{\"route\":\"Search\"}", get(port, "/notes/search").body());
            long end = System.nanoTime();

            String timing = String.format("create %d ms, mvn verify %d ms, deploy to first 201 %d ms, migration and"
                    + " second deploy %d ms; whole path %.1f s (server start not included: it ran meanwhile)",
                    ms(start, createdAt), ms(createdAt, builtAt), ms(serverUpAt, firstRequestAt),
                    ms(firstRequestAt, end), (end - start - (serverUpAt - builtAt)) / 1e9);
            System.out.println("extension guide: " + timing);
            Files.writeString(MODULE.resolve("target/extension-guide-timing.txt"), timing + "\n");
        }
        assertGuideCommandsRan();
    }

    /** Every command in the shell blocks of docs/extensions.md is one this test ran. */
    private void assertGuideCommandsRan() throws IOException {
        List<String> documented = new ArrayList<>();
        boolean shell = false;
        for (String line : Files.readAllLines(MODULE.resolve("../docs/extensions.md"))) {
            if (line.startsWith("```")) {
                shell = line.equals("```sh");
                continue;
            }
            String command = line.replaceAll("\\s+#.*$", "").strip();
            if (shell && !command.isEmpty()) {
                documented.add(command);
            }
        }
        assertTrue("docs/extensions.md has no shell commands", !documented.isEmpty());
        for (String command : documented) {
            assertTrue("docs/extensions.md runs `" + command + "`, which no test runs (ran: " + ran + ")",
                    ran.contains(command));
        }
    }

    /** Runs a command in {@code dir}; asserts it succeeds and returns its output. */
    private String run(String asDocumented, Path dir, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        // each command's output is kept: target/extension-guide/01-serv-create-extension.log, ...
        Path out = Files.createDirectories(MODULE.resolve("target/extension-guide")).resolve(String.format("%02d-%s.log",
                ran.size() + 1, asDocumented.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("-+$", "")));
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        boolean ended = p.waitFor(10, TimeUnit.MINUTES);
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(asDocumented + " did not end within 10 minutes:\n" + text, ended);
        assertEquals(asDocumented + " failed:\n" + text, 0, p.exitValue());
        ran.add(asDocumented);
        return text;
    }

    private static String[] maven(Path repo, String... goals) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("serv.maven.home", "/usr/share/maven"),
                "bin", "mvn").toString(), "-B", "-Dmaven.repo.local=" + repo));
        cmd.addAll(List.of(goals));
        return cmd.toArray(String[]::new);
    }

    /**
     * A local repository holding this build's Serv artifacts (the parent pom, the API bundles, the test kit and
     * serv.jar), whose other folders link to the build's own local repository (plugins, Pax Exam, ...).
     */
    private static Path stageRepository(Path repo) throws IOException {
        Path local = Path.of(System.getProperty("serv.maven.repo.local",
                System.getProperty("user.home") + "/.m2/repository"));
        String version = System.getProperty("serv.version");
        assertTrue("the system property serv.version is not set (failsafe sets it)", version != null);
        Files.createDirectories(repo);
        try (Stream<Path> groups = Files.list(local)) {
            for (Path g : groups.toList()) {
                if (!g.getFileName().toString().equals("serv")) {
                    Files.createSymbolicLink(repo.resolve(g.getFileName()), g);
                }
            }
        }
        Path root = MODULE.getParent();
        stage(repo, "serv", version, root.resolve("pom.xml"), null, null);
        for (String module : List.of("serv.core", "serv.database", "serv.testkit")) {
            stage(repo, module, version, root.resolve(module).resolve("pom.xml"),
                    root.resolve(module).resolve("target/" + module + "-" + version + ".jar"), null);
        }
        stage(repo, "serv.distribution", version, MODULE.resolve("pom.xml"), MODULE.resolve("target/serv.jar"),
                "serv");
        return repo;
    }

    private static void stage(Path repo, String artifact, String version, Path pom, Path jar, String classifier)
            throws IOException {
        Path dir = Files.createDirectories(repo.resolve("serv").resolve(artifact).resolve(version));
        Files.copy(pom, dir.resolve(artifact + "-" + version + ".pom"));
        if (jar != null) {
            assertTrue(jar + " is missing: build the modules first (mvn package)", Files.isRegularFile(jar));
            Files.copy(jar, dir.resolve(artifact + "-" + version + (classifier == null ? "" : "-" + classifier)
                    + ".jar"));
        }
    }

    private static HttpResponse<String> post(int port, String path, String form) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long ms(long from, long to) {
        return TimeUnit.NANOSECONDS.toMillis(to - from);
    }
}
