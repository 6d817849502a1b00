package serv.cli.admin;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

import com.sun.net.httpserver.HttpServer;

import picocli.CommandLine;
import serv.cli.Main;

/**
 * The operator's commands against a stand-in for the admin API: a wrong --url or a value that cannot be a tenant id,
 * database name or extension is a usage error said in one line, before anything is sent; a right one goes into the
 * API path as one segment.
 */
public class AdminCommandsTest {

    private static HttpServer server;
    private static final List<String> REQUESTS = Collections.synchronizedList(new ArrayList<>());
    private static String url;
    private static Path password;

    /** The admin API's list of extensions (its fields as Extensions writes them): one runs from a jar it took over. */
    private static final String EXTENSIONS = """
            {"extensions":[
              {"id":7,"symbolic_name":"serv.blog","version":"1.1.0","state":"ACTIVE","location":"deploy/blog-1.1.jar",
               "routes":[{"status":"SERVING"},{"status":"SERVING"}]},
              {"id":9,"symbolic_name":"acme.notes","version":"2.0.0","state":"RESOLVED",
               "location":"deploy/notes.jar","problem":"stopped by the operator","routes":[{"status":"STOPPED"}]}
            ]}""";

    /** What a command printed and returned. */
    record Run(int exit, String out, String err) {
    }

    @BeforeClass
    public static void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            REQUESTS.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI()
                            .getRawQuery()));
            byte[] body = (exchange.getRequestURI().getRawPath().equals("/system/console/serv/api/extensions")
                    ? EXTENSIONS : "{\"message\":\"done\",\"ok\":true,\"symbolic_name\":\"serv.blog\","
                            + "\"version\":\"1.0.0\",\"state\":\"RESOLVED\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
        password = Files.createTempFile("serv-cli-test-", ".password");
        Files.writeString(password, "pw-pw-pw-pw\n");
    }

    @Before
    public void forget() {
        REQUESTS.clear();
    }

    @AfterClass
    public static void stop() throws Exception {
        server.stop(0);
        Files.deleteIfExists(password);
    }

    private static Run serv(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** A command with the stand-in's address and a login. */
    private Run against(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", url, "--user", "op", "--password-file", password.toString()));
        return serv(all.toArray(String[]::new));
    }

    private static void assertUsage(Run run, String message) {
        assertEquals(run.err(), AdminClient.USAGE, run.exit());
        assertEquals("serv: " + message + System.lineSeparator(), run.err());
        assertFalse(run.err(), run.err().contains("Exception") || run.err().contains("\tat "));
    }

    /** The plain list names the jar of deploy/ each extension runs from, as --json does (its "location"). */
    @Test
    public void theExtensionListNamesTheJarEachExtensionRunsFrom() {
        Run run = against("extension", "list");
        assertEquals(run.err(), 0, run.exit());
        List<String> lines = run.out().lines().toList();
        assertEquals(run.out(), "ID  EXTENSION   VERSION  STATE     ROUTES SERVING  JAR                  PROBLEM",
                lines.get(0));
        assertEquals(run.out(), "7   serv.blog   1.1.0    ACTIVE    2 of 2          deploy/blog-1.1.jar",
                lines.get(2));
        assertEquals(run.out(), "9   acme.notes  2.0.0    RESOLVED  0 of 1          deploy/notes.jar     stopped by"
                + " the operator", lines.get(3));
        assertEquals(List.of("GET /system/console/serv/api/extensions"), REQUESTS);
    }

    @Test
    public void aURLThatIsNoServersAddressIsAUsageErrorInOneLine() {
        assertUsage(serv("status", "--url=ftp://127.0.0.1:18201"),
                "--url must be http://HOST:PORT or https://HOST:PORT, got 'ftp://127.0.0.1:18201'");
        assertUsage(serv("status", "--url=not a url"),
                "--url must be http://HOST:PORT or https://HOST:PORT, got 'not a url'");
        assertUsage(serv("status", "--url=" + url + "/health"), "--url is the server's address (http://HOST:PORT),"
                + " without a path: got '" + url + "/health'; give --url=" + url);
        assertEquals("nothing was sent", List.of(), REQUESTS);
    }

    @Test
    public void anIdThatIsNoSlugIsRefusedBeforeAnythingIsSent() {
        String notATenant = "is not a tenant id: a tenant id is lower-case letters, digits and '-', starting with a"
                + " letter (serv tenant list shows them)";
        assertUsage(against("tenant", "remove", ".."), "'..' " + notATenant);
        assertUsage(against("tenant", "remove", "."), "'.' " + notATenant);
        assertUsage(against("tenant", "remove", "a/b"), "'a/b' " + notATenant);
        assertUsage(against("tenant", "edit", "..", "--name", "x"), "'..' " + notATenant);
        assertUsage(against("tenant", "add", "Acme", "--host", "acme.test"), "'Acme' cannot be a tenant id: a"
                + " tenant id is lower-case letters, digits and '-', starting with a letter (acme, say)");
        assertUsage(against("database", "status", ".."), "'..' is not a database name: a database name is"
                + " lower-case letters, digits, '_' and '-', starting with a letter (serv database list shows them)");
        assertUsage(against("database", "test", "default", "--tenant", "../x"), "'../x' " + notATenant);
        assertUsage(against("extension", "stop", ".."), "'..' is not an extension: give its bundle id or its"
                + " symbolic name, such as serv.blog (serv extension list shows them)");
        assertUsage(against("extension", "start", "serv.blog/../x"), "'serv.blog/../x' is not an extension: give its"
                + " bundle id or its symbolic name, such as serv.blog (serv extension list shows them)");
        assertEquals("nothing was sent", List.of(), REQUESTS);
    }

    @Test
    public void anIdGoesIntoTheAPIPathAsOneSegment() {
        Run removed = against("tenant", "remove", "acme-2");
        assertEquals(removed.err(), 0, removed.exit());
        assertEquals("done\n", removed.out());
        assertEquals(0, against("database", "test", "reports_1", "--tenant", "acme").exit());
        assertEquals(0, against("extension", "stop", "serv.blog").exit());
        assertEquals(0, against("extension", "start", "42").exit());
        assertEquals(List.of("DELETE /system/console/serv/api/tenants/acme-2?data=keep",
                "POST /system/console/serv/api/databases/reports_1/test?tenant=acme",
                "POST /system/console/serv/api/extensions/serv.blog/stop",
                "POST /system/console/serv/api/extensions/42/start"), REQUESTS);
    }

    @Test
    public void aSegmentIsNeverAStepInThePath() {
        assertEquals("%2E%2E", PathValues.segment(".."));
        assertEquals("a%2Fb%3Fc%25", PathValues.segment("a/b?c%"));
        assertEquals("x%20y", PathValues.segment("x y"));
        assertEquals("a.b", PathValues.segment("a.b"));
    }

    @Test
    public void anUnreadablePasswordFileIsSaidWithoutAJavaClassName() throws Exception {
        Run run = serv("status", "--url", url, "--user", "op", "--password-file", password + ".absent");
        assertUsage(run, "--password-file " + password + ".absent does not exist");
        assertTrue(REQUESTS.isEmpty());
    }
}
