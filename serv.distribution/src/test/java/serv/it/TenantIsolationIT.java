package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import serv.it.AdminApiClient.Answer;
import serv.testkit.ServTestSupport;

/**
 * A tenant's data is its own, over the admin API of a running serv.jar: one database written in another way is the
 * same database, the server's own database is no tenant's, and of saves made at once that claim one host or one
 * database exactly one is made. One server on a fresh PostgreSQL database for the class.
 */
public class TenantIsolationIT {

    private static final String USER = "op";
    private static final String PASSWORD = "isolation-pw-5521";

    private static ServProcess serv;
    private static AdminApiClient admin;
    private static String db;
    private static String other;

    @BeforeClass
    public static void start() throws Exception {
        String url = ServTestSupport.freshPostgres();
        db = url.substring(url.lastIndexOf('/') + 1);
        String second = ServTestSupport.freshPostgres();
        other = second.substring(second.lastIndexOf('/') + 1);
        Path home = Files.createTempDirectory("serv-isolation-it-");
        Files.writeString(home.resolve("serv.config.yaml"), """
                databases:
                  default: {url: "%s", pool_size: 2}
                """.formatted(url));
        serv = new ServProcess(home, ServProcess.freePort(), "serv.log",
                Map.of("SERV_CONSOLE_USER", USER, "SERV_CONSOLE_PASSWORD", PASSWORD));
        serv.awaitHealthy();
        admin = new AdminApiClient(serv, USER, PASSWORD);
        admin.awaitServing("/posts");
    }

    @AfterClass
    public static void stop() throws Exception {
        if (serv != null) {
            serv.close();
        }
    }

    private static Answer api(String method, String path, byte[] body, String type) throws Exception {
        return admin.api(method, path, body, type);
    }

    private static Answer json(String method, String path, Object body) throws Exception {
        return admin.json(method, path, body);
    }

    private static void assertRefused(Map<String, Object> tenant, String... words) throws Exception {
        Answer a = json("POST", "tenants", tenant);
        assertEquals(tenant + ": " + a.body(), 400, a.status());
        String error = a.body().get("error").asText();
        for (String w : words) {
            assertTrue(error, error.contains(w));
        }
        assertEquals(404, api("GET", "tenants/" + tenant.get("id"), null, null).status());
    }

    @Test
    public void aServerDatabaseIsNeverATenantsDatabase() throws Exception {
        String own = ServTestSupport.freshPostgres();
        String ownName = own.substring(own.lastIndexOf('/') + 1);
        assertEquals(201, json("POST", "tenants", Map.of("id", "sd1", "hosts", List.of("sd1.localhost"),
                "database_url", own)).status());
        Path file = serv.home.resolve("serv.config.yaml");
        String before = Files.readString(file);
        try {
            // The operator gives the server a second database: by mistake, the tenant's, written another way.
            Files.writeString(file, before + "  reports: {url: \"jdbc:postgresql://localhost/" + ownName + "\"}\n");
            long end = System.nanoTime() + 20_000_000_000L;
            String health = "";
            while (!health.contains("\"reports\":{\"state\":\"FAILED\"") && System.nanoTime() < end) {
                Thread.sleep(100);
                health = serv.health();
            }
            assertTrue(health, health.contains("\"reports\":{\"state\":\"FAILED\",\"unused\":true,\"reason\":"
                    + "\"database reports:"
                    + " key 'url': postgresql://localhost:5432/" + ownName + " is tenant sd1's database (the site's"
                    + " writes would go into the tenant's tables"));
        } finally {
            Files.writeString(file, before);
            assertEquals(200, api("DELETE", "tenants/sd1", null, null).status());
        }
    }

    @Test
    public void oneDatabaseWrittenAnotherWayIsStillOneTenants() throws Exception {
        assertEquals(201, json("POST", "tenants", Map.of("id", "h1", "hosts", List.of("h1.localhost"),
                "database_url", "postgresql://postgres:pw@127.0.0.1:5432/" + other)).status());
        for (String url : List.of("jdbc:postgresql://127.0.0.1:5432/" + other + "?ssl=false",
                "postgresql://postgres@localhost:5432/" + other, "postgresql://postgres@127.0.0.1/" + other)) {
            assertRefused(Map.of("id", "h2", "hosts", List.of("h2.localhost"), "database_url", url),
                    "key 'database_url'", "is tenant h1's database");
        }
        // a schema tenant's schema, named in a URL of the shared database
        assertEquals(201, json("POST", "tenants", Map.of("id", "s1", "hosts", List.of("s1.localhost"))).status());
        assertRefused(Map.of("id", "h3", "hosts", List.of("h3.localhost"), "database_url",
                "postgresql://postgres@127.0.0.1:5432/" + db + "?currentSchema=s1"), "'s1' is tenant s1's schema");
        // the server's own database, however written
        for (String url : List.of("postgresql://postgres@127.0.0.1:5432/" + db, "jdbc:postgresql://localhost/" + db,
                "postgresql://postgres@127.0.0.1/" + db + "?currentSchema=public")) {
            assertRefused(Map.of("id", "h4", "hosts", List.of("h4.localhost"), "database_url", url),
                    "key 'database_url'", "is the server's own database default");
        }
        // and an edit of a running tenant onto it is refused, the tenant as it was
        Answer edit = json("PUT", "tenants/h1", Map.of("database_url", "postgresql://postgres@localhost/" + db));
        assertEquals(edit.body().toString(), 400, edit.status());
        assertTrue(api("GET", "tenants/h1", null, null).body().toString().contains(other));
        // a tenant with a database of its own does not move into a schema of the shared one
        Answer moved = json("PUT", "tenants/h1", java.util.Collections.singletonMap("database_url", null));
        assertEquals(moved.body().toString(), 400, moved.status());
        assertTrue(moved.body().toString(), moved.body().get("error").asText()
                .contains("remove the tenant and add it again to move it"));
        assertTrue(api("GET", "tenants/h1", null, null).body().toString().contains(other));
    }

    /** Runs {@code calls} at once (released together), and gives their statuses. */
    private static List<Integer> atOnce(List<Callable<Answer>> calls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Answer>> futures = new ArrayList<>();
            for (Callable<Answer> c : calls) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return c.call();
                }));
            }
            go.countDown();
            List<Integer> out = new ArrayList<>();
            for (Future<Answer> f : futures) {
                out.add(f.get(60, TimeUnit.SECONDS).status());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long count(List<Integer> statuses, int status) {
        return statuses.stream().filter(s -> s == status).count();
    }

    @Test
    public void aSleepingTenantsDatabaseIsTestedByOpeningItsPool() throws Exception {
        // It was 404 "database w1/default not found" until the tenant's first request: read as a missing database
        assertEquals(201, json("POST", "tenants", Map.of("id", "w1", "hosts", List.of("w1.localhost"))).status());
        Answer asleep = api("GET", "databases/default?tenant=w1", null, null);
        assertEquals(404, asleep.status());
        assertTrue(asleep.body().toString(), asleep.body().get("error").asText().contains("tenant w1 is asleep"));
        Answer test = api("POST", "databases/default/test?tenant=w1", null, null);
        assertEquals(test.body().toString(), 200, test.status());
        assertTrue(test.body().toString(), test.body().get("ok").asBoolean());
        assertEquals(200, api("GET", "databases/default?tenant=w1", null, null).status());
        assertEquals(404, api("POST", "databases/default/test?tenant=nobody", null, null).status());
    }

    @Test
    public void aReadRightAfterAnEditSeesTheEdit() throws Exception {
        // The edit's 200 came once Configuration Admin had it; the tenant was applied on its thread a moment later
        assertEquals(201, json("POST", "tenants", Map.of("id", "e1", "hosts", List.of("e1.localhost"))).status());
        for (int round = 0; round < 30; round++) {
            String host = "e1-" + round + ".localhost";
            assertEquals(200, json("PUT", "tenants/e1", Map.of("hosts", List.of(host))).status());
            assertEquals("[\"" + host + "\"]", api("GET", "tenants/e1", null, null).body().get("hosts").toString());
        }
    }

    @Test
    public void ofSavesAtOnceThatClaimOneHostOrDatabaseOneIsMade() throws Exception {
        assertEquals(201, json("POST", "tenants", Map.of("id", "r1", "hosts", List.of("r1.localhost"))).status());
        assertEquals(201, json("POST", "tenants", Map.of("id", "r2", "hosts", List.of("r2.localhost"))).status());
        for (int round = 0; round < 5; round++) {
            String host = "rx" + round + ".localhost";
            List<Integer> edits = atOnce(List.of(
                    () -> json("PUT", "tenants/r1", Map.of("hosts", List.of("r1.localhost", host))),
                    () -> json("PUT", "tenants/r2", Map.of("hosts", List.of("r2.localhost", host)))));
            assertEquals(edits.toString(), 1, count(edits, 200));
            assertEquals(edits.toString(), 1, count(edits, 400));
            String r1 = api("GET", "tenants/r1", null, null).body().get("hosts").toString();
            String r2 = api("GET", "tenants/r2", null, null).body().get("hosts").toString();
            assertTrue(r1 + r2, r1.contains(host) != r2.contains(host));
            // the loser saved nothing: no stored configuration of it waits for the host
            JsonNode refused = api("GET", "tenants", null, null).body().get("refused");
            assertTrue(String.valueOf(refused), refused == null || refused.isEmpty());
            // give the host back for the next round
            assertEquals(200, json("PUT", r1.contains(host) ? "tenants/r1" : "tenants/r2",
                    Map.of("hosts", List.of(r1.contains(host) ? "r1.localhost" : "r2.localhost"))).status());
        }

        List<Callable<Answer>> sameHost = new ArrayList<>();
        List<Callable<Answer>> sameDatabase = new ArrayList<>();
        String[] forms = { "postgresql://postgres@127.0.0.1:5432/%s", "jdbc:postgresql://localhost/%s?ssl=false",
            "postgresql://postgres:x@localhost/%s", "postgresql://postgres@127.0.0.1/%s" };
        String third = ServTestSupport.freshPostgres();
        String thirdDb = third.substring(third.lastIndexOf('/') + 1);
        for (int i = 0; i < 10; i++) {
            String id = "p" + i;
            sameHost.add(() -> json("POST", "tenants", Map.of("id", id, "hosts", List.of("shared.localhost"))));
            String d = "q" + i;
            String url = forms[i % forms.length].formatted(thirdDb);
            sameDatabase.add(() -> json("POST", "tenants", Map.of("id", d, "hosts", List.of(d + ".localhost"),
                    "database_url", url)));
        }
        List<Integer> hosts = atOnce(sameHost);
        assertEquals(hosts.toString(), 1, count(hosts, 201));
        assertEquals(hosts.toString(), 9, count(hosts, 400));
        List<Integer> databases = atOnce(sameDatabase);
        assertEquals(databases.toString(), 1, count(databases, 201));
        assertEquals(databases.toString(), 9, count(databases, 400));
        JsonNode refused = api("GET", "tenants", null, null).body().get("refused");
        assertTrue(String.valueOf(refused), refused == null || refused.isEmpty());
    }
}
