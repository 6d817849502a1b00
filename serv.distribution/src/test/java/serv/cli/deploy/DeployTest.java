package serv.cli.deploy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.Test;

import com.sun.net.httpserver.HttpServer;

import picocli.CommandLine;
import serv.cli.Main;

/**
 * What serv deploy says of a JAR argument that is no bundle's jar: what it is, what to give, exit code 2; and of a new
 * version of an extension the operator stopped: that it stays stopped, at once, exit code 0.
 */
public class DeployTest {

    private static Path jar(Path folder, String name, String symbolicName, String version) throws Exception {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (symbolicName != null) {
            m.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        }
        if (version != null) {
            m.getMainAttributes().putValue("Bundle-Version", version);
        }
        Path jar = folder.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.closeEntry();
        }
        return jar;
    }

    /** A jar of extension {@code symbolicName} 1.0.0 with one route component per name. */
    private static Path jarWithRoutes(String symbolicName, String... routes) throws Exception {
        Path jar = Files.createTempDirectory("serv-deploy-test-").resolve(symbolicName + ".jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        m.getMainAttributes().putValue("Bundle-Version", "1.0.0");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            for (String route : routes) {
                j.putNextEntry(new java.util.zip.ZipEntry("OSGI-INF/" + symbolicName + "." + route + ".xml"));
                j.write(("<scr:component><service><provide interface=\"serv.core.Handler\"/></service>"
                        + "</scr:component>").getBytes(StandardCharsets.UTF_8));
                j.closeEntry();
            }
        }
        return jar;
    }

    /** What serv deploy of {@code jar} prints and exits with against a server that answers {@code extension}. */
    private static String[] deploy(Path jar, String extension) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = extension.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Path password = Files.writeString(jar.resolveSibling("password"), "pw-pw-pw-pw\n");
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = new CommandLine(new Main());
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            int exit = cli.execute("deploy", jar.toString(), "--wait", "3", "--url", "http://127.0.0.1:"
                    + server.getAddress().getPort(), "--user", "op", "--password-file", password.toString());
            return new String[] { Integer.toString(exit), out.toString(), err.toString() };
        } finally {
            server.stop(0);
        }
    }

    private static String refused(Path jar) {
        return assertThrows(IllegalArgumentException.class, () -> Deploy.read(jar)).getMessage();
    }

    @Test
    public void aFolderOrAFileThatIsNoJarIsSaidForWhatItIs() throws Exception {
        Path folder = Files.createTempDirectory("serv-deploy-test-");
        assertEquals(folder + " is a folder, not a jar: name the extension's jar file (such as"
                + " target/notes-1.0.0.jar), or run serv deploy without a jar in the project's folder, after mvn"
                + " package", refused(folder));
        Path text = Files.writeString(folder.resolve("x.jar"), "not a zip\n");
        assertEquals(text + " is not a jar (not a zip archive): name the extension's jar file", refused(text));
        assertEquals(folder.resolve("absent.jar") + " does not exist: name the extension's jar file",
                refused(folder.resolve("absent.jar")));
        assertEquals(folder.resolve("plain.jar") + " is not an OSGi bundle (no Bundle-SymbolicName)",
                refused(jar(folder, "plain.jar", null, null)));
        assertEquals(folder.resolve("v.jar") + " has Bundle-Version 'one', which is not an OSGi version"
                + " (MAJOR.MINOR.MICRO, then .QUALIFIER if any)", refused(jar(folder, "v.jar", "x.y", "one")));
        Deploy.Bundle ok = Deploy.read(jar(folder, "ok.jar", "x.y;singleton:=true", "1.2.3.SNAPSHOT"));
        assertEquals("x.y", ok.symbolicName());
        assertEquals("1.2.3.SNAPSHOT", ok.version());
        assertEquals("1.0.0", Deploy.read(jar(folder, "short.jar", "x.z", "1")).version());
    }

    @Test
    public void aWrongJarOrURLIsAUsageErrorInOneLine() throws Exception {
        Path folder = Files.createTempDirectory("serv-deploy-test-");
        Path text = Files.writeString(folder.resolve("x.jar"), "not a zip\n");
        for (String[] args : new String[][] { { "deploy", folder.toString() }, { "deploy", text.toString() },
            { "deploy", jar(folder, "ok.jar", "x.y", "1.0.0").toString(), "--url=ftp://127.0.0.1:1" } }) {
            StringWriter err = new StringWriter();
            CommandLine cli = new CommandLine(new Main());
            cli.setErr(new PrintWriter(err, true));
            assertEquals(err.toString(), 2, cli.execute(args));
            assertEquals(err.toString(), 1, err.toString().lines().count());
            assertFalse(err.toString(), err.toString().contains("Exception") || err.toString().contains("END header"));
        }
    }

    /**
     * A new version of an extension the operator stopped stays stopped: the admin API says so (as a stand-in answers
     * here), and serv deploy says it at once in one line, without waiting for routes that will not serve, exit code
     * 0; through the API, and after a copy into a home's deploy/ folder.
     */
    @Test
    public void aNewVersionOfAStoppedExtensionIsSaidToStayStoppedAtOnce() throws Exception {
        List<String> requests = Collections.synchronizedList(new ArrayList<>());
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath());
            exchange.getRequestBody().readAllBytes();
            byte[] body = ("{\"id\":42,\"symbolic_name\":\"x.notes\",\"version\":\"1.0.1\",\"state\":\"INSTALLED\","
                    + "\"problem\":\"stopped by the operator: its routes answer 503, after a restart too, until it is"
                    + " started\",\"routes\":[],\"tenants\":[]}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Path folder = Files.createTempDirectory("serv-deploy-test-");
            Path password = Files.writeString(folder.resolve("password"), "pw-pw-pw-pw\n");
            Path jar = jar(folder, "notes.jar", "x.notes", "1.0.1");
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            String said = "installed x.notes 1.0.1; it stays stopped, as the operator stopped it, until `serv extension"
                    + " start x.notes`" + System.lineSeparator();

            long start = System.nanoTime();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = new CommandLine(new Main());
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            int exit = cli.execute("deploy", jar.toString(), "--url", url, "--user", "op", "--password-file",
                    password.toString());
            assertEquals(out + err.toString(), 0, exit);
            assertEquals(said, out.toString());
            assertEquals("", err.toString());
            assertEquals("nothing is waited for", List.of("POST /system/console/serv/api/extensions"), requests);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));

            requests.clear();
            Path home = Files.createDirectories(folder.resolve("home"));
            out = new StringWriter();
            err = new StringWriter();
            cli = new CommandLine(new Main());
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            exit = cli.execute("deploy", jar.toString(), "--home", home.toString(), "--url", url, "--user", "op",
                    "--password-file", password.toString());
            assertEquals(out + err.toString(), 0, exit);
            assertEquals("copied notes.jar to " + home.resolve("deploy").resolve("x.notes.jar")
                    + System.lineSeparator() + said, out.toString());
            assertEquals("", err.toString());
            assertEquals(List.of("GET /system/console/serv/api/extensions/x.notes"), requests);
        } finally {
            server.stop(0);
        }
    }

    /**
     * An extension whose route another one overrides by a higher service.ranking serves as meant: the deploy says so
     * and exits 0 (it used to exit 1, "is shadowed", as for a clash); a route shadowed by the extension installed
     * first is still a clash to fix, exit 1.
     */
    @Test
    public void aRouteOverriddenByAHigherRankingIsNoFailureButAClashIs() throws Exception {
        String serving = "{\"methods\":[\"POST\"],\"path\":\"/notes/{id}\",\"status\":\"SERVING\",\"reason\":null,"
                + "\"overridden\":false}";
        String overridden = "{\"methods\":[\"GET\",\"HEAD\"],\"path\":\"/notes\",\"status\":\"SHADOWED\",\"reason\":"
                + "\"GET,HEAD /notes is answered by the route of extension plus 1.0.0, whose service.ranking is higher"
                + " (10, this one's 0): it overrides this one on purpose\",\"overridden\":true}";
        String clash = overridden.replace("\"overridden\":true", "\"overridden\":false");
        Path jar = jarWithRoutes("x.notes", "List", "Detail");
        for (boolean meant : List.of(true, false)) {
            String routes = "[" + (meant ? overridden : clash) + "," + serving + "]";
            String[] r = deploy(jar, "{\"id\":42,\"symbolic_name\":\"x.notes\",\"version\":\"1.0.0\","
                    + "\"state\":\"ACTIVE\",\"problem\":null,\"routes\":" + routes + ",\"migrations\":{},"
                    + "\"tenants\":[]}");
            String out = r[1];
            String err = r[2];
            if (meant) {
                assertEquals(out + err, "0", r[0]);
                assertTrue(out, out.contains("x.notes 1.0.0 serves after "));
                assertTrue(out, out.contains("  POST /notes/{id}" + System.lineSeparator()
                        + "  GET,HEAD /notes is overridden: GET,HEAD /notes is answered by the route of extension"
                        + " plus 1.0.0, whose service.ranking is higher (10, this one's 0)"));
                assertEquals("", err);
            } else {
                assertEquals(out + err, "1", r[0]);
                assertTrue(err, err.startsWith("serv: x.notes 1.0.0: route GET,HEAD /notes is shadowed: "));
            }
        }
    }

    /** Every route of an extension that will not serve is said, not only the first (each is a fix to make). */
    @Test
    public void everyRouteThatDoesNotServeIsSaid() throws Exception {
        String typo = "{\"methods\":[\"GET\"],\"path\":\"typo\",\"status\":\"NOT_STARTED\",\"reason\":"
                + "\"route path 'typo' must start with '/'\",\"overridden\":false}";
        String method = "{\"methods\":[\"GTE\"],\"path\":\"/x\",\"status\":\"NOT_STARTED\",\"reason\":"
                + "\"GTE is not an HTTP method\",\"overridden\":false}";
        String clash = "{\"methods\":[\"GET\"],\"path\":\"/notes\",\"status\":\"SHADOWED\",\"reason\":"
                + "\"answered by extension other 1.0.0\",\"overridden\":false}";
        String[] r = deploy(jarWithRoutes("x.typos", "Typo", "Method", "Clash"), "{\"id\":42,\"symbolic_name\":"
                + "\"x.typos\",\"version\":\"1.0.0\",\"state\":\"ACTIVE\",\"problem\":null,\"routes\":[" + typo + ","
                + method + "," + clash + "],\"migrations\":{},\"tenants\":[]}");
        assertEquals(r[1] + r[2], "1", r[0]);
        String n = System.lineSeparator();
        assertEquals("serv: x.typos 1.0.0: route GET typo does not serve: route path 'typo' must start with '/'" + n
                + "serv: x.typos 1.0.0: route GTE /x does not serve: GTE is not an HTTP method" + n
                + "serv: x.typos 1.0.0: route GET /notes is shadowed: answered by extension other 1.0.0" + n, r[2]);
    }

    /**
     * An extension whose migrations the server refused before any ran (a version that is both a SQL file and a Java
     * migration, a Java migration whose component did not start) is said to have them refused, not failed; one whose
     * migration failed on the database, failed; one held back by a rollback, held back. Each with the server's reason
     * and exit code 1.
     */
    @Test
    public void migrationsRefusedBeforeAnyRanAreNotSaidToHaveFailed() throws Exception {
        Path folder = Files.createTempDirectory("serv-deploy-test-");
        Path jar = jar(folder, "notes.jar", "x.notes", "1.0.0");
        Path password = Files.writeString(folder.resolve("password"), "pw-pw-pw-pw\n");
        String both = "extension x.notes is not available on database default: migration x.notes V004 is both a SQL"
                + " file and a Java migration (fill titles); give one of them another version";
        String notStarted = "extension x.notes is not available on database default: Java migration"
                + " com.example.notes.FillTitles did not start (its component failed to activate; the server's log"
                + " says why): none of x.notes's migrations on database default runs until it does, so that none is"
                + " skipped";
        String failed = "extension x.notes is not available: its migration x.notes V3 (add done) failed on database"
                + " default";
        String held = "extension x.notes is not available on database default: the migrations of x.notes above V2"
                + " were rolled back on 2026-12-03T16:00 and are not applied again while x.notes 1.0.0 is deployed:"
                + " deploy another version of it";
        Map<String, String> said = new java.util.LinkedHashMap<>();
        said.put(both, "its migrations were refused (none ran), its routes answer 503: ");
        said.put(notStarted, "its migrations were refused (none ran), its routes answer 503: ");
        said.put(failed, "its migrations failed, its routes answer 503: ");
        said.put(held, "its migrations are held back by a rollback, its routes answer 503: ");
        for (Map.Entry<String, String> e : said.entrySet()) {
            String route = "{\"methods\":[\"GET\",\"HEAD\"],\"path\":\"/notes\",\"status\":\"MIGRATION_FAILED\","
                    + "\"reason\":\"" + e.getKey().replace("\"", "\\\"") + "\",\"overridden\":false}";
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                byte[] body = ("{\"id\":42,\"symbolic_name\":\"x.notes\",\"version\":\"1.0.0\",\"state\":\"ACTIVE\","
                        + "\"problem\":null,\"routes\":[" + route + "],\"migrations\":{},\"tenants\":[]}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            try {
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                CommandLine cli = new CommandLine(new Main());
                cli.setOut(new PrintWriter(out, true));
                cli.setErr(new PrintWriter(err, true));
                int exit = cli.execute("deploy", jar.toString(), "--wait", "3", "--url", "http://127.0.0.1:"
                        + server.getAddress().getPort(), "--user", "op", "--password-file", password.toString());
                assertEquals(out + err.toString(), 1, exit);
                // a failed migration: where to read the database's error, which the admin API does not give
                String where = e.getKey().equals(failed) ? " (the server's log has the database's error, on the line"
                        + " that names the migration)" : "";
                assertEquals("serv: x.notes 1.0.0: " + e.getValue() + e.getKey() + where + System.lineSeparator(),
                        err.toString());
            } finally {
                server.stop(0);
            }
        }
    }
}
