package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

import serv.core.tenant.Tenants;
import serv.testkit.ServTestSupport;

/**
 * Tenants at scale (#15), at a size CI can afford: a burst of tenant configurations does not hold up an edit of
 * another tenant; tenants created in bulk serve their first requests (none 503); and a tenant that sends more
 * requests than its share ({@code max_requests}) waits in its own line — holding no thread — while a light tenant is
 * served as usual, and what cannot wait is a 503 with Retry-After, counted in /metrics.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TenantScaleIT extends ServTestSupport {

    @Configuration
    public Option[] config() {
        return serv(Map.of("serv.config.yaml", """
                databases:
                  default: {url: "%s", pool_size: 2}
                tenants:
                  busy:
                    hosts: [busy.test]
                    database: {schema: busy, max_size: 2}
                    max_requests: 2
                    idle_timeout: 0
                  light:
                    hosts: [light.test]
                    database: {schema: light}
                    idle_timeout: 0
                  probe:
                    hosts: [probe.test]
                """.formatted(freshPostgres())), "serv.it.bundle.slow", TestBundles.build("serv.it.slow",
                "serv.it.slow", Map.of(), Map.of()).toString());
    }

    private static void serving(String path, String host) throws InterruptedException {
        await(path + " on " + host, Duration.ofSeconds(30), () -> {
            try {
                return get(path, "Host", host).status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static ConfigurationAdmin cm() {
        return context().getService(context().getServiceReference(ConfigurationAdmin.class));
    }

    private static Tenants tenants() {
        return context().getService(context().getServiceReference(Tenants.class));
    }

    private static void createTenants(String prefix, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            Hashtable<String, Object> p = new Hashtable<>();
            p.put("id", prefix + i);
            p.put("hosts", new String[] { prefix + i + ".bulk.test" });
            cm().getFactoryConfiguration("serv.tenant", prefix + i, "?").update(p);
        }
    }

    @Test
    public void anEditIsAppliedWhileTwoThousandTenantsAreCreated() throws Exception {
        await("tenant probe", Duration.ofSeconds(30), () -> tenants().find("probe").isPresent());
        ExecutorService creator = Executors.newSingleThreadExecutor();
        Future<?> bulk = creator.submit(() -> {
            createTenants("e", 2000);
            return null;
        });
        Thread.sleep(100); // the burst is under way
        org.osgi.service.cm.Configuration probe = null;
        for (org.osgi.service.cm.Configuration c : cm().listConfigurations("(&(service.factoryPid=serv.tenant)(id=probe))")) {
            probe = c;
        }
        Hashtable<String, Object> edited = new Hashtable<>();
        java.util.Enumeration<String> keys = probe.getProperties().keys();
        while (keys.hasMoreElements()) {
            String k = keys.nextElement();
            edited.put(k, probe.getProperties().get(k));
        }
        edited.put("name", "Probe edited");
        long start = System.nanoTime();
        probe.update(edited);
        await("the edit of probe", Duration.ofSeconds(10),
                () -> tenants().find("probe").map(t -> t.name().equals("Probe edited")).orElse(false));
        long ms = (System.nanoTime() - start) / 1_000_000;
        bulk.get(120, TimeUnit.SECONDS);
        creator.shutdown();
        await("2000 tenants", Duration.ofSeconds(60), () -> tenants().list().size() >= 2003);
        assertTrue("the edit took " + ms + " ms behind the burst", ms < 3000);
    }

    @Test
    public void tenantsCreatedInBulkServeTheirFirstRequests() throws Exception {
        createTenants("bk", 300);
        await("300 tenants", Duration.ofSeconds(30), () -> tenants().list().stream()
                .filter(t -> t.id().startsWith("bk")).count() == 300);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<Answer>> answers = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            String host = "bk" + (i * 6) + ".bulk.test";
            answers.add(clients.submit(() -> get("/posts", "Host", host)));
        }
        List<String> failed = new ArrayList<>();
        for (Future<Answer> f : answers) {
            Answer a = f.get(60, TimeUnit.SECONDS);
            if (a.status() != 200) {
                failed.add(a.status() + " " + a.body());
            }
        }
        clients.shutdown();
        assertTrue(failed.toString(), failed.isEmpty());
    }

    @Test
    public void aBusyTenantWaitsInItsOwnLineWhileALightOneIsServed() throws Exception {
        writeAtomically(home().resolve("deploy/slow.jar"), builtBundle("serv.it.bundle.slow"));
        serving("/slow?ms=1", "busy.test");
        serving("/posts", "light.test");

        ExecutorService hammer = Executors.newFixedThreadPool(12);
        Map<Integer, Integer> busy = new ConcurrentHashMap<>();
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            calls.add(hammer.submit(() -> {
                for (int j = 0; j < 3; j++) {
                    busy.merge(get("/slow?ms=300", "Host", "busy.test").status(), 1, Integer::sum);
                }
                return null;
            }));
        }
        Thread.sleep(300);
        // Meanwhile: the busy tenant holds at most its share of the server's threads, and the light one is served.
        int inServ = 0;
        for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
            for (StackTraceElement e : t.getValue()) {
                if (e.getClassName().equals("serv.core.internal.http.Dispatcher")) {
                    inServ++;
                    break;
                }
            }
        }
        long lightStart = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            assertEquals(200, get("/posts", "Host", "light.test").status());
        }
        long lightMs = (System.nanoTime() - lightStart) / 1_000_000;
        for (Future<?> f : calls) {
            f.get(60, TimeUnit.SECONDS);
        }
        hammer.shutdown();
        assertTrue("threads inside the dispatcher while 12 clients hammer a tenant of max_requests 2: " + inServ,
                inServ <= 4);
        assertTrue("10 requests of the light tenant took " + lightMs + " ms", lightMs < 3000);
        // 36 requests of 300 ms, 2 at a time: 5.4 s of work; a request waits at most 5 s for its place, so those
        // at the back of the line are told to come back, and the rest are served.
        assertTrue(busy.toString(), busy.getOrDefault(200, 0) >= 20);
        assertTrue(busy.toString(), busy.keySet().stream().allMatch(s -> s == 200 || s == 503));
        String metrics = get("/metrics", "Authorization", operator()).body(); // tenants named: the operator's
        assertTrue(metrics, metrics.contains("serv_tenant_requests_waited_total{tenant=\"busy\"}"));
        if (busy.containsKey(503)) {
            assertTrue(metrics, metrics.contains("serv_tenant_requests_refused_total{tenant=\"busy\"} "
                    + busy.get(503)));
        }
        assertTrue("the light tenant never waited", !metrics.contains("serv_tenant_requests_waited_total{tenant=\"light\"}"));
    }
}
