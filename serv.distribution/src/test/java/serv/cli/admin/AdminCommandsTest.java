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

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.sun.net.httpserver.HttpServer;

import picocli.CommandLine;
import serv.cli.Main;

/**
 * The operator's commands against a stand-in for the admin API: a wrong --url is a usage error said in one line,
 * before anything is sent.
 */
public class AdminCommandsTest {

    private HttpServer server;
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private String url;
    private Path password;

    /** What a command printed and returned. */
    record Run(int exit, String out, String err) {
    }

    @Before
    public void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI()
                            .getRawQuery()));
            byte[] body = ("{\"message\":\"done\",\"ok\":true,\"symbolic_name\":\"serv.blog\","
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

    @After
    public void stop() throws Exception {
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

    @Test
    public void aURLThatIsNoServersAddressIsAUsageErrorInOneLine() {
        assertUsage(serv("status", "--url=ftp://127.0.0.1:18201"),
                "--url must be http://HOST:PORT or https://HOST:PORT, got 'ftp://127.0.0.1:18201'");
        assertUsage(serv("status", "--url=not a url"),
                "--url must be http://HOST:PORT or https://HOST:PORT, got 'not a url'");
        assertUsage(serv("status", "--url=" + url + "/health"), "--url is the server's address (http://HOST:PORT),"
                + " without a path: got '" + url + "/health'; give --url=" + url);
        assertEquals("nothing was sent", List.of(), requests);
    }

    @Test
    public void anUnreadablePasswordFileIsSaidWithoutAJavaClassName() throws Exception {
        Run run = serv("status", "--url", url, "--user", "op", "--password-file", password + ".absent");
        assertUsage(run, "--password-file " + password + ".absent does not exist");
        assertTrue(requests.isEmpty());
    }
}
