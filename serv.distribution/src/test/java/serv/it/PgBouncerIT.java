package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.junit.Test;

import serv.testkit.ServTestSupport;

/**
 * Serv through Debian's PgBouncer in transaction pooling mode (docs/cluster.md): with {@code prepareThreshold=0} in
 * the URL the blog's migrations, writes and repeated reads work; a schema tenant (whose {@code search_path} pgjdbc
 * sends as a startup parameter) is refused by PgBouncer loudly, and its requests answer 503, never from another
 * schema. PgBouncer is installed by .ci/run.
 */
public class PgBouncerIT {

    // HTTP/1.1, which Serv's port speaks (the default, HTTP/2, sends an h2c upgrade with every request)
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final Path PGBOUNCER = Path.of("/usr/sbin/pgbouncer");

    @Test
    public void transactionPoolingWorksWithPrepareThresholdZeroAndRefusesSchemaTenantsLoudly() throws Exception {
        assumeTrue("PgBouncer is not installed (.ci/run installs it: apt-get install pgbouncer)",
                Files.isExecutable(PGBOUNCER));
        String db = ServTestSupport.freshPostgres();
        String name = db.substring(db.lastIndexOf('/') + 1);
        Path dir = Files.createTempDirectory("serv-pgbouncer-it-");
        int port = ServProcess.freePort();
        Files.writeString(dir.resolve("pgbouncer.ini"), """
                [databases]
                * = host=127.0.0.1 port=5432
                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %d
                unix_socket_dir =
                auth_type = trust
                auth_file = %s
                pool_mode = transaction
                default_pool_size = 4
                max_client_conn = 200
                """.formatted(port, dir.resolve("users.txt")));
        Files.writeString(dir.resolve("users.txt"), "\"postgres\" \"\"\n");
        ProcessBuilder pb = new ProcessBuilder(PGBOUNCER.toString(), dir.resolve("pgbouncer.ini").toString());
        if ("root".equals(System.getProperty("user.name"))) {
            // PgBouncer refuses to run as root: as postgres, which must read its files
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(
                    "postgres");
            for (Path p : new Path[] { dir, dir.resolve("pgbouncer.ini"), dir.resolve("users.txt") }) {
                Files.setOwner(p, postgres);
            }
            pb = new ProcessBuilder(PGBOUNCER.toString(), "-u", "postgres", dir.resolve("pgbouncer.ini").toString());
        }
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("pgbouncer.out").toFile());
        Process bouncer = pb.start();
        try {
            awaitPort(port);
            Path home = Files.createTempDirectory("serv-pgbouncer-home-");
            Files.writeString(home.resolve("serv.config.yaml"), """
                    databases:
                      default: {url: "postgresql://postgres@127.0.0.1:%d/%s?prepareThreshold=0", pool_size: 2, max_overflow: 6}
                    """.formatted(port, name));
            try (ServProcess serv = new ServProcess(home, ServProcess.freePort(), "serv.log", Map.of(
                    "SERV_CONSOLE_USER", "op", "SERV_CONSOLE_PASSWORD", "bouncer-pass-1"))) {
                serv.awaitHealthy();
                assertEquals(201, serv.postForm("/users", "username=ann&email=ann@example.com&password=long+enough")
                        .statusCode());
                // More than pgjdbc's default prepareThreshold (5) of each statement, over PgBouncer's 4 server
                // connections: every answer 2xx.
                for (int i = 0; i < 30; i++) {
                    HttpResponse<String> post = serv.postForm("/posts", "title=t" + i + "&content=c&author_id=1");
                    assertEquals(post.body(), 201, post.statusCode());
                    assertEquals(200, serv.get("/posts/1").statusCode());
                    assertEquals(200, serv.get("/posts?limit=5").statusCode());
                }
                // A schema tenant: PgBouncer refuses its search_path; its requests answer 503, never public's posts.
                HttpResponse<String> add = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + serv.port + "/system/console/serv/api/tenants")).header("Content-Type", "application/json")
                        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                                "op:bouncer-pass-1".getBytes(StandardCharsets.UTF_8)))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"acme\",\"path_prefix\":\"/t/acme\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(add.body(), 201, add.statusCode());
                long end = System.nanoTime() + 20_000_000_000L;
                while (!serv.log().contains("unsupported startup parameter: search_path")
                        && System.nanoTime() < end) {
                    serv.get("/t/acme/posts");
                    Thread.sleep(200);
                }
                assertTrue(serv.log(), serv.log().contains("unsupported startup parameter: search_path"));
                HttpResponse<byte[]> tenant = serv.get("/t/acme/posts");
                assertEquals(new String(tenant.body(), StandardCharsets.UTF_8), 503, tenant.statusCode());
            }
        } finally {
            bouncer.destroy();
            bouncer.waitFor();
        }
    }

    private static void awaitPort(int port) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("PgBouncer did not listen on " + port);
    }
}
