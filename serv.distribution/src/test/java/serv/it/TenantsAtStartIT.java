package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import serv.testkit.ServTestSupport;

/**
 * A server with many tenants does not answer a tenant's request before that tenant is loaded (a first start, with
 * the tenants in serv.config.yaml, and a restart, with them in the home's store): Configuration Admin hands the
 * tenants over one after the other, for a second or more after the routes are up, and a request whose tenant was not
 * there yet was taken for one that selects no tenant: its host's requests answered by the server's own site, from
 * the server's own database (a write would have gone there), its path prefix's with 404. Now such requests get 503
 * with Retry-After, and /health says STARTING until every tenant is loaded. serv.jar as an operator runs it.
 */
public class TenantsAtStartIT {

    private static final int TENANTS = 2000;
    private static final String MARK = "on the server's own site";

    @Test
    public void noTenantRequestIsAnsweredBeforeItsTenantIsLoaded() throws Exception {
        String db = ServTestSupport.freshPostgres();
        Path home = Files.createTempDirectory("serv-tenants-start-it-");
        StringBuilder yaml = new StringBuilder("databases:\n  default: {url: \"" + db + "\", pool_size: 2}\ntenants:\n");
        for (int i = 0; i < TENANTS; i++) {
            yaml.append("  t").append(i).append(": {hosts: [t").append(i).append(".test], path_prefix: /t/t")
                    .append(i).append("}\n");
        }
        Files.writeString(home.resolve("serv.config.yaml"), yaml);
        int port = ServProcess.freePort();
        String last = "t" + (TENANTS - 1);
        try (ServProcess serv = new ServProcess(home, port, "first.log")) {
            watchTheStart(serv, last);
            // A post on the server's own site: a tenant's answer must never hold it.
            HttpResponse<String> user = serv.postForm("/users",
                    "username=site&email=site%40example.com&password=long+enough");
            assertEquals(user.body(), 201, user.statusCode());
            Matcher id = Pattern.compile("\"id\":(\\d+)").matcher(user.body());
            assertTrue(user.body(), id.find());
            HttpResponse<String> post = serv.postForm("/posts", "title=" + MARK.replace(' ', '+')
                    + "&content=x&author_id=" + id.group(1));
            assertEquals(post.body(), 201, post.statusCode());
            serv.stopGracefully();
        }
        try (ServProcess serv = new ServProcess(home, port, "second.log")) {
            watchTheStart(serv, last);
            serv.stopGracefully();
        }
    }

    /**
     * Asks, from the process's start until all answer 200: /health, and the last tenant's posts by its host and by
     * its path prefix. Its answers may be refused connections or 503 until then, never another tenant's or the
     * site's; once /health says UP, the tenant serves.
     */
    private static void watchTheStart(ServProcess serv, String tenant) throws Exception {
        List<String> seen = new ArrayList<>();
        long end = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < end) {
            int health;
            String byHost;
            HttpResponse<byte[]> byPrefix;
            try {
                health = serv.status("/health", null, null);
                byHost = serv.raw("GET /posts HTTP/1.1\r\nHost: " + tenant + ".test\r\nConnection: close\r\n\r\n");
                byPrefix = serv.get("/t/" + tenant + "/posts");
            } catch (IOException notListening) {
                Thread.sleep(20);
                continue;
            }
            String hostStatus = byHost.length() > 12 ? byHost.substring(9, 12) : byHost;
            String prefix = new String(byPrefix.body(), StandardCharsets.UTF_8);
            String step = health + " " + hostStatus + " " + byPrefix.statusCode();
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(step)) {
                seen.add(step);
            }
            if (byHost.contains(MARK) || prefix.contains(MARK)) {
                fail("tenant " + tenant + " was answered from the server's own database: " + byHost + "\n" + seen);
            }
            for (String status : List.of(hostStatus, Integer.toString(byPrefix.statusCode()))) {
                if (!status.equals("200") && !status.equals("503")) {
                    fail("tenant " + tenant + " answered " + status + " at the start (health, host, prefix: " + seen
                            + "): " + byHost + "\n" + prefix);
                }
            }
            if (health == 200 && (!hostStatus.equals("200") || byPrefix.statusCode() != 200)) {
                fail("/health said UP before tenant " + tenant + " served: " + seen);
            }
            if (health == 200) {
                return;
            }
            Thread.sleep(20);
        }
        fail("the server was not UP with every tenant within 120 s: " + seen + "\n" + serv.log());
    }
}
