package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import org.junit.Test;

/**
 * serv.jar behind Debian's HAProxy ({@code option forwardfor}), as a user runs it, with clients on loopback addresses
 * of their own (127.0.0.2, 127.0.0.3: HAProxy writes them into {@code X-Forwarded-For}, and connects to Serv from
 * 127.0.0.1). Without {@code http.trusted_proxies} a direct client's forged header changes nothing; once HAProxy is
 * trusted (live, no restart), ten wrong logins from one forwarded client throttle that client and not another
 * forwarded client's right login. HAProxy is installed by .ci/run.
 */
public class TrustedProxiesIT {

    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    private static final String USER = "op";
    private static final String PASSWORD = "proxy-pass-1";

    @Test
    public void forwardedClientsAreThrottledOneByOneAndADirectClientCannotForgeItsWayOut() throws Exception {
        assumeTrue("HAProxy is not installed (.ci/run installs it: apt-get install haproxy)",
                Files.isExecutable(HAPROXY));
        Path home = Files.createTempDirectory("serv-proxy-home-");
        Files.writeString(home.resolve("serv.config.yaml"), "site_info: {name: proxied}\n");
        try (ServProcess serv = new ServProcess(home, ServProcess.freePort(), "serv.log", Map.of(
                "SERV_CONSOLE_USER", USER, "SERV_CONSOLE_PASSWORD", PASSWORD))) {
            serv.awaitHealthy();
            int proxyPort = ServProcess.freePort();
            Path dir = Files.createTempDirectory("serv-haproxy-it-");
            Files.writeString(dir.resolve("haproxy.cfg"), """
                    global
                      maxconn 200
                    defaults
                      mode http
                      option forwardfor
                      timeout connect 5s
                      timeout client 30s
                      timeout server 30s
                    frontend serv
                      bind 127.0.0.1:%d
                      default_backend serv
                    backend serv
                      server serv1 127.0.0.1:%d
                    """.formatted(proxyPort, serv.port));
            Process haproxy = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", dir.resolve("haproxy.cfg").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.out").toFile()).start();
            try {
                awaitPort(proxyPort, haproxy, dir);
                String wrong = basic(USER, "not-the-password");
                String right = basic(USER, PASSWORD);

                // Without the setting: a direct client's X-Forwarded-For is ignored, whatever it says.
                for (int i = 0; i < 10; i++) {
                    assertEquals(401, get("127.0.0.4", serv.port, "/system/console/bundles", wrong,
                            "X-Forwarded-For", "198.51.100." + i).status());
                }
                assertEquals(429, get("127.0.0.4", serv.port, "/system/console/bundles", wrong,
                        "X-Forwarded-For", "198.51.100.99").status());
                assertEquals(429, get("127.0.0.4", serv.port, "/system/console/bundles", wrong,
                        "Forwarded", "for=198.51.100.98").status());
                assertTrue(serv.log(), serv.log().contains("wrong logins from 127.0.0.4 within"));

                // Trust HAProxy (it connects from 127.0.0.1), live; a bad entry is named and left out.
                Files.writeString(home.resolve("serv.config.yaml"), """
                        site_info: {name: proxied}
                        http: {trusted_proxies: [127.0.0.1/32, haproxy.internal]}
                        """);
                awaitLog(serv, "HTTP: trusted proxies 127.0.0.1/32");
                assertTrue(serv.log(), serv.log().contains("serv.http: key 'trusted_proxies': 'haproxy.internal' is"
                        + " a name, not an address"));

                // Client A (127.0.0.2) through HAProxy: its ten wrong logins throttle it, a forged header included
                // (HAProxy appends A's real address, the right-most entry).
                for (int i = 0; i < 10; i++) {
                    assertEquals(401, get("127.0.0.2", proxyPort, "/system/console/bundles", wrong,
                            "X-Forwarded-For", "198.51.100." + (20 + i)).status());
                }
                assertEquals(429, get("127.0.0.2", proxyPort, "/system/console/bundles", wrong).status());
                Answer metrics = get("127.0.0.2", proxyPort, "/metrics", wrong);
                assertEquals(metrics.body(), 429, metrics.status());
                awaitLog(serv, "wrong logins from 127.0.0.2 (through proxy 127.0.0.1) within");

                // Client B (127.0.0.3) through the same HAProxy is not locked out: its right login is let in.
                Answer console = get("127.0.0.3", proxyPort, "/system/console/bundles", right);
                assertEquals(console.body(), 200, console.status());
                Answer operators = get("127.0.0.3", proxyPort, "/metrics", "basic " + right.substring(6));
                assertEquals(operators.body(), 200, operators.status());
                Answer health = get("127.0.0.3", proxyPort, "/health", "BASIC " + right.substring(6));
                assertTrue(health.body(), health.body().contains("\"dialect\":\"sqlite\""));
                // The bad entry stays in view beside the log: /health's configuration warnings (the console's too).
                String warning = "configuration serv.http: key 'trusted_proxies': 'haproxy.internal' is a name";
                assertTrue(health.body(), health.body().contains(warning));

                // The direct client stays throttled: its peer is not a trusted proxy, its header is still ignored.
                assertEquals(429, get("127.0.0.4", serv.port, "/system/console/bundles", wrong,
                        "X-Forwarded-For", "127.0.0.9").status());

                // Fixed in the file: the warning goes, live.
                Files.writeString(home.resolve("serv.config.yaml"), """
                        site_info: {name: proxied}
                        http: {trusted_proxies: [127.0.0.1/32]}
                        """);
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (get("127.0.0.3", proxyPort, "/health", right).body().contains(warning)) {
                    assertTrue(serv.log(), System.nanoTime() < deadline);
                    Thread.sleep(100);
                }
            } finally {
                haproxy.destroy();
                haproxy.waitFor();
            }
        }
    }

    private record Answer(int status, String body) {
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** GET {@code path} on 127.0.0.1:{@code port} from the local address {@code from}, with that login and headers. */
    private static Answer get(String from, int port, String path, String authorization, String... headers)
            throws IOException {
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nConnection: close\r\nAuthorization: " + authorization + "\r\n");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = answer.indexOf("\r\n\r\n");
            return new Answer(Integer.parseInt(answer.substring(9, 12)), end < 0 ? "" : answer.substring(end + 4));
        }
    }

    private static void awaitLog(ServProcess serv, String text) throws Exception {
        long end = System.nanoTime() + 20_000_000_000L;
        while (!serv.log().contains(text) && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        assertTrue("no '" + text + "' in the log:\n" + serv.log(), serv.log().contains(text));
    }

    private static void awaitPort(int port, Process haproxy, Path dir) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end && haproxy.isAlive()) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("HAProxy did not listen on " + port + ":\n"
                + Files.readString(dir.resolve("haproxy.out")));
    }
}
