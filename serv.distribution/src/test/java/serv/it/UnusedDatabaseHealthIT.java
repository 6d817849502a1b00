package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import serv.testkit.ServTestSupport;

/**
 * A shared database that is down takes the node out of a load balancer's rotation ({@code /health} 503
 * {@code DOWN}) only when a route uses it: an operator who adds {@code databases.analytics} with a typo in its host,
 * for an extension not deployed yet, gets a warning naming it while every route still serves and {@code /health}
 * stays 200 {@code UP}; once a route uses it (here the blog, moved to it by its {@code database} setting), the node
 * is {@code DOWN}. The blog serves on {@code default} (PostgreSQL); {@code analytics} points to a port where nothing
 * listens.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class UnusedDatabaseHealthIT extends ServTestSupport {

    private static final Pattern ANALYTICS = Pattern.compile(
            "\"analytics\":\\{\"state\":\"(STARTING|RETRYING|FAILED)\"(,\"unused\":true)?");
    /** Not up after a failed attempt: the warning is given (a STARTING database is listed unused without one). */
    private static final Set<String> FAILING = Set.of("RETRYING", "FAILED");

    @Configuration
    public Option[] config() {
        String pg = freshPostgres();
        return serv(Map.of("serv.config.yaml", yaml(pg, null, "")), "serv.it.url", pg);
    }

    /** The file: default on PostgreSQL, analytics on {@code closedPort} (none when null), then {@code rest}. */
    private static String yaml(String pg, Integer closedPort, String rest) {
        return "databases:\n  default: {url: \"" + pg + "\", pool_size: 2}\n"
                + (closedPort == null ? "" : "  analytics: {url: \"postgresql://postgres@127.0.0.1:" + closedPort
                        + "/analytics\", pool_size: 1}\n")
                + rest;
    }

    private static String pg() {
        return context().getProperty("serv.it.url");
    }

    private static void writeYaml(String text) throws IOException {
        writeAtomically(home().resolve("serv.config.yaml"), text.getBytes(StandardCharsets.UTF_8));
    }

    /** A port of 127.0.0.1 in 18600-18699 where nothing listens now: a connection to it is refused. */
    private static int closedPort() {
        for (int port = 18699; port >= 18600; port--) {
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                return port;
            } catch (IOException taken) {
                // someone listens there: the next one
            }
        }
        throw new IllegalStateException("every port of 18600-18699 is in use");
    }

    /** The state of analytics as the operator's /health lists it, or null while it lists it otherwise. */
    private static String listedState(String body) {
        Matcher m = ANALYTICS.matcher(body);
        return m.find() ? m.group(1) : null;
    }

    @After
    public void restore() throws Exception {
        writeYaml(yaml(pg(), null, ""));
        await("analytics to be gone and the blog on default", Duration.ofSeconds(30), () -> {
            try {
                return state("analytics") == null && get("/posts").status() == 200 && health().status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    public void aDatabaseDownThatNoRouteUsesKeepsTheNodeUpWithAWarningAndTakesItOutOnceARouteUsesIt()
            throws Exception {
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        int port = closedPort();
        writeYaml(yaml(pg(), port, ""));
        await("analytics to be opened and to fail", Duration.ofSeconds(30), () -> {
            String s = state("analytics"); // null until its pool is opened
            return s != null && FAILING.contains(s);
        });
        await("the operator's /health to list analytics as failing", Duration.ofSeconds(10), () -> {
            try {
                return FAILING.contains(listedState(health().body()));
            } catch (Exception e) {
                return false;
            }
        });

        Answer operators = health();
        String state = listedState(operators.body());
        assertEquals(operators.body(), 200, operators.status());
        assertTrue(operators.body(), operators.body().startsWith("{\"status\":\"UP\""));
        assertTrue(operators.body(), operators.body().contains("\"analytics\":{\"state\":\"" + state
                + "\",\"unused\":true"));
        assertTrue(operators.body(), operators.body().contains("\"default\":{\"state\":\"UP\",\"dialect\""));
        assertTrue(operators.body(), operators.body().contains("\"database analytics is " + state + " and no route"
                + " uses it, so this node stays UP (its reason is under databases.analytics); once a route uses it,"
                + " /health answers 503 DOWN while it is not UP: fix its settings (databases.analytics in"
                + " serv.config.yaml, or its serv.database configuration), or remove it while nothing needs it\""));
        assertEquals("the blog still serves", 200, get("/posts").status());

        Answer open = get("/health"); // a load balancer's look: same status, no detail
        assertEquals(open.body(), 200, open.status());
        assertTrue(open.body(), open.body().matches("\\{\"status\":\"UP\",\"databases\":\\{\"analytics\":\\{\"state\":"
                + "\"(STARTING|RETRYING|FAILED)\"},\"default\":\\{\"state\":\"UP\"}},\"details\":\"[^\"]*\"}"));
        assertFalse(open.body(), open.body().contains(Integer.toString(port)));

        // The blog moved to analytics: its routes cannot serve, and the node is out.
        writeYaml(yaml(pg(), port, """
                extensions:
                  - extension: blog
                    settings: {database: analytics}
                """));
        Answer gone = awaitStatus("/posts", 503, Duration.ofSeconds(30));
        assertTrue(gone.body(), gone.body().contains("database analytics is "));
        Answer down = health();
        assertEquals(down.body(), 503, down.status());
        assertTrue(down.body(), down.body().startsWith("{\"status\":\"DOWN\""));
        assertTrue(down.body(), listedState(down.body()) != null);
        assertFalse(down.body(), down.body().contains("\"unused\""));
        assertFalse(down.body(), down.body().contains("no route uses it"));
        Answer openDown = get("/health");
        assertEquals(openDown.body(), 503, openDown.status());
        assertTrue(openDown.body(), openDown.body().startsWith("{\"status\":\"DOWN\""));

        // Back on default: analytics, still down, serves no route again, and the node is back.
        writeYaml(yaml(pg(), port, """
                extensions:
                  - extension: blog
                    settings: {database: default}
                """));
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
        // Each of the blog's routes moves on its own (a component each): the node is back once the last has.
        await("every blog route back on default", Duration.ofSeconds(10), () -> {
            try {
                return health().status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        Answer back = health();
        assertEquals(back.body(), 200, back.status());
        assertTrue(back.body(), back.body().contains("\"unused\":true"));
    }
}
