package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

import serv.database.Database;
import serv.testkit.ServTestSupport;

/**
 * Several tenants on PostgreSQL: acme with a database of its own, globex and initech as schemas of the shared
 * default database (initech by path prefix). Requests reach only their tenant's data, whatever they send; tenants
 * come, change and go while others serve.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TenancyIT extends ServTestSupport {

    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String SECRET = "s3cr3t-of-acme";

    @Configuration
    public Option[] config() {
        return serv("""
                databases:
                  default: {url: "%s"}
                tenancy: {unmatched: reject}
                tenants:
                  acme:
                    name: ACME Corp
                    hosts: [acme.localhost, "acme.example.com"]
                    database:
                      url: "%s"
                      password: "${IT_ACME_PASSWORD:%s}"
                      max_size: 4
                  globex:
                    hosts: ["*.globex.test"]
                    database: {schema: globex}
                  initech:
                    path_prefix: /t/initech
                """.formatted(freshPostgres(), freshPostgres(), SECRET));
    }

    /** A request to a tenant: by Host, or (initech) by path prefix. */
    private static Answer as(String tenant, String method, String path, String body) throws Exception {
        return switch (tenant) {
            case "acme" -> send(method, path, body == null ? null : FORM, body, "Host", "acme.localhost");
            case "globex" -> send(method, path, body == null ? null : FORM, body, "Host", "www.globex.test");
            case "initech" -> send(method, "/t/initech" + path, body == null ? null : FORM, body);
            default -> send(method, path, body == null ? null : FORM, body, "Host", tenant);
        };
    }

    private static void ready(String... tenants) throws Exception {
        for (String t : tenants) {
            await("tenant " + t + " serving", Duration.ofSeconds(30), () -> {
                try {
                    return as(t, "GET", "/posts", null).status() == 200;
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    private static int user(String tenant, String name) throws Exception {
        Answer a = as(tenant, "POST", "/users", "username=" + name + "&email=" + name + "%40" + tenant + ".test"
                + "&password=long+enough");
        if (a.status() == 409) {
            Matcher m = Pattern.compile("\"id\":(\\d+),\"username\":\"" + name + "\"")
                    .matcher(as(tenant, "GET", "/users?limit=100", null).body());
            assertTrue(m.find());
            return Integer.parseInt(m.group(1));
        }
        assertEquals(a.body(), 201, a.status());
        return Integer.parseInt(a.body().replaceAll("^\\{\"id\":(\\d+),.*", "$1"));
    }

    private static List<String> titles(String body) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"title\":\"([^\"]*)\"").matcher(body);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The service of {@code type} in the framework under test. */
    private static <T> T service(Class<T> type) {
        return context().getService(context().getServiceReference(type));
    }

    @Test
    public void eachTenantSeesOnlyItsOwnData() throws Exception {
        ready("acme", "globex", "initech");
        for (String t : List.of("acme", "globex", "initech")) {
            int author = user(t, "author");
            Answer created = as(t, "POST", "/posts", "title=" + t + "-only&content=x&author_id=" + author);
            assertEquals(created.body(), 201, created.status());
        }
        for (String t : List.of("acme", "globex", "initech")) {
            List<String> titles = titles(as(t, "GET", "/posts?limit=100", null).body());
            assertTrue(t + ": " + titles, titles.contains(t + "-only"));
            assertTrue(t + ": " + titles, titles.stream().allMatch(x -> x.startsWith(t + "-")));
        }
        // Host names are case-insensitive and the port does not matter; a subdomain wildcard selects globex.
        assertTrue(as("ACME.localhost:8080", "GET", "/posts", null).body().contains("acme-only"));
        assertTrue(as("deep.sub.globex.test", "GET", "/posts", null).body().contains("globex-only"));
    }

    @Test
    public void jpaRequestsStayInTheirTenantToo() throws Exception {
        ready("acme", "globex", "initech");
        updateConfiguration("serv.blog", "repository", "jpa");
        try {
            await("the blog on JPA", Duration.ofSeconds(10), () -> {
                try {
                    return context().getServiceReferences(serv.core.Handler.class,
                            "(&(serv.route.path=/posts)(repository=jpa))").size() == 2;
                } catch (org.osgi.framework.InvalidSyntaxException e) {
                    throw new IllegalStateException(e);
                }
            });
            for (String t : List.of("acme", "globex", "initech")) {
                int author = user(t, "jpa-author");
                Answer created = as(t, "POST", "/posts", "title=" + t + "-jpa&content=x&author_id=" + author);
                assertEquals(created.body(), 201, created.status());
            }
            for (String t : List.of("acme", "globex", "initech")) {
                List<String> titles = titles(as(t, "GET", "/posts?limit=100", null).body());
                assertTrue(t + ": " + titles, titles.contains(t + "-jpa"));
                assertTrue(t + ": " + titles, titles.stream().allMatch(x -> x.startsWith(t + "-")));
            }
        } finally {
            updateConfiguration("serv.blog", "repository", "jdbc");
        }
    }

    @Test
    public void aHostStaysWithTheTenantThatHasIt() throws Exception {
        ready("acme");
        user("acme", "owner");
        // Checked before it is saved (the admin API and the console's form): the host is another tenant's.
        serv.core.config.ConfigChecks checks = context().getService(
                context().getServiceReference(serv.core.config.ConfigChecks.class));
        List<String> problems = checks.problems("serv.tenant", null,
                java.util.Map.of("id", "copycat", "hosts", new String[] { "acme.localhost", "copycat.test" }));
        assertEquals(List.of("tenant copycat: key 'hosts': 'acme.localhost' is tenant acme's; give each tenant its own"
                + " hosts and path prefix"), problems);
        // Saved all the same (a file, a script): refused, named, and acme's requests stay acme's.
        serv.core.tenant.Tenants tenants = service(serv.core.tenant.Tenants.class);
        ConfigurationAdmin cm = service(ConfigurationAdmin.class);
        org.osgi.service.cm.Configuration copycat = cm.getFactoryConfiguration("serv.tenant", "copycat", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("id", "copycat");
        props.put("hosts", new String[] { "acme.localhost", "copycat.test" });
        copycat.update(props);
        try {
            await("copycat refused", Duration.ofSeconds(10),
                    () -> tenants.refused().values().stream().anyMatch(r -> r.contains("is tenant acme's")));
            assertTrue(tenants.find("copycat").isEmpty());
            Answer users = as("acme", "GET", "/users?limit=100", null);
            assertEquals(users.body(), 200, users.status());
            assertTrue(users.body(), users.body().contains("\"username\":\"owner\""));
            // Given a host of its own, it is applied.
            props.put("hosts", new String[] { "copycat.test" });
            copycat.update(props);
            await("copycat applied", Duration.ofSeconds(10), () -> tenants.find("copycat").isPresent());
            assertTrue(tenants.refused().values().stream().noneMatch(r -> r.contains("copycat")));
        } finally {
            copycat.delete();
        }
    }

    /**
     * A tenant renamed in a file is a new configuration and a deleted one, handed over in that order: the new one,
     * refused at first for the host the old one still had, is applied once the old one is gone (it was left refused,
     * its host answered by nobody, and /health said the host was the deleted tenant's).
     */
    @Test
    public void aTenantRefusedForAnotherOnesHostIsAppliedWhenThatOneGoes() throws Exception {
        serv.core.tenant.Tenants tenants = service(serv.core.tenant.Tenants.class);
        ConfigurationAdmin cm = service(ConfigurationAdmin.class);
        org.osgi.service.cm.Configuration before = cm.getFactoryConfiguration("serv.tenant", "renamed", "?");
        org.osgi.service.cm.Configuration after = cm.getFactoryConfiguration("serv.tenant", "renamed2", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("id", "renamed");
        props.put("hosts", new String[] { "renamed.test" });
        before.update(props);
        try {
            await("tenant renamed", Duration.ofSeconds(10), () -> tenants.find("renamed").isPresent());
            props.put("id", "renamed2");
            after.update(props);
            await("renamed2 refused", Duration.ofSeconds(10),
                    () -> tenants.refused().values().stream().anyMatch(r -> r.contains("is tenant renamed's")));
            before.delete();
            await("renamed2 applied", Duration.ofSeconds(10), () -> tenants.find("renamed2").isPresent());
            assertTrue(tenants.refused().toString(), tenants.refused().isEmpty());
            ready("renamed.test"); // served by renamed2
        } finally {
            after.delete();
            try {
                before.delete();
            } catch (IllegalStateException alreadyDeleted) {
                // deleted by the test
            }
        }
    }

    @Test
    public void twoTenantsExchangeTheirHostsInOneSave() throws Exception {
        serv.core.tenant.Tenants tenants = service(serv.core.tenant.Tenants.class);
        ConfigurationAdmin cm = service(ConfigurationAdmin.class);
        org.osgi.service.cm.Configuration a = cm.getFactoryConfiguration("serv.tenant", "swapa", "?");
        org.osgi.service.cm.Configuration b = cm.getFactoryConfiguration("serv.tenant", "swapb", "?");
        Hashtable<String, Object> pa = new Hashtable<>();
        pa.put("id", "swapa");
        pa.put("hosts", new String[] { "swap-one.test" });
        Hashtable<String, Object> pb = new Hashtable<>();
        pb.put("id", "swapb");
        pb.put("hosts", new String[] { "swap-two.test", "swap-b.test" });
        a.update(pa);
        b.update(pb);
        try {
            await("both tenants", Duration.ofSeconds(10),
                    () -> tenants.find("swapa").isPresent() && tenants.find("swapb").isPresent());
            // What a file saved once hands over: a's change first (refused: b has that host), then b's.
            pa.put("hosts", new String[] { "swap-two.test" });
            a.update(pa);
            await("swapa waits", Duration.ofSeconds(10),
                    () -> tenants.refused().values().stream().anyMatch(r -> r.contains("is tenant swapb's")));
            pb.put("hosts", new String[] { "swap-one.test", "swap-b.test" });
            b.update(pb);
            await("both applied", Duration.ofSeconds(10),
                    () -> tenants.find("swapa").orElseThrow().hosts().contains("swap-two.test")
                            && tenants.find("swapb").orElseThrow().hosts().contains("swap-one.test"));
            assertTrue(tenants.refused().toString(), tenants.refused().isEmpty());
            assertEquals(List.of("swap-two.test"), tenants.find("swapa").orElseThrow().hosts());
            assertEquals(List.of("swap-one.test", "swap-b.test"), tenants.find("swapb").orElseThrow().hosts());
            // A third one that asks for a host of a tenant that does not change stays refused, and the rest applies.
            pa.put("hosts", new String[] { "swap-one.test" });
            a.update(pa);
            pb.put("hosts", new String[] { "swap-two.test", "swap-b.test" });
            org.osgi.service.cm.Configuration c = cm.getFactoryConfiguration("serv.tenant", "swapc", "?");
            Hashtable<String, Object> pc = new Hashtable<>();
            pc.put("id", "swapc");
            pc.put("hosts", new String[] { "swap-b.test" });
            try {
                c.update(pc);
                await("swapc waits", Duration.ofSeconds(10), () -> tenants.refused().size() == 2);
                b.update(pb);
                await("swapped back", Duration.ofSeconds(10),
                        () -> tenants.find("swapa").orElseThrow().hosts().equals(List.of("swap-one.test")));
                assertEquals(List.of("swap-two.test", "swap-b.test"), tenants.find("swapb").orElseThrow().hosts());
                assertTrue(tenants.find("swapc").isEmpty());
                assertEquals(tenants.refused().toString(), 1, tenants.refused().size());
                assertTrue(tenants.refused().toString(), tenants.refused().values().iterator().next()
                        .contains("'swap-b.test' is tenant swapb's"));
            } finally {
                c.delete();
            }
        } finally {
            a.delete();
            b.delete();
        }
    }

    @Test
    public void aTenantOnlyReachesTheExtensionsItIsGiven() throws Exception {
        ConfigurationAdmin cm = service(ConfigurationAdmin.class);
        org.osgi.service.cm.Configuration narrow = cm.getFactoryConfiguration("serv.tenant", "narrow", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("id", "narrow");
        props.put("hosts", new String[] { "narrow.test" });
        props.put("extensions", new String[] { "serv.blgo" }); // a typo: nothing tells the tenant's users why 404
        narrow.update(props);
        try {
            await("tenant narrow known", Duration.ofSeconds(10), () -> {
                try {
                    return !as("narrow.test", "GET", "/posts", null).body().contains("unknown tenant");
                } catch (Exception e) {
                    return false;
                }
            });
            Answer blog = as("narrow.test", "GET", "/posts", null);
            assertEquals(404, blog.status());
            assertEquals("{\"error\":\"not found\"}", blog.body());
            String health = health().body(); // the operator's view says it
            assertTrue(health, health.contains("tenant narrow: extensions names serv.blgo, which is not installed:"
                    + " the tenant has none of its routes (404) until it is; did you mean 'serv.blog'?"));
            props.put("extensions", new String[] { "serv.blog" });
            narrow.update(props);
            await("the blog enabled for narrow", Duration.ofSeconds(20), () -> {
                try {
                    return as("narrow.test", "GET", "/posts", null).status() == 200;
                } catch (Exception e) {
                    return false;
                }
            });
            assertFalse(health().body().contains("serv.blgo"));
        } finally {
            narrow.delete();
        }
    }

    @Test
    public void unknownHostsGet404AndNoHeaderButHostChoosesATenant() throws Exception {
        ready("acme");
        Answer unknown = send("GET", "/posts", null, null, "Host", "evil.test");
        assertEquals(404, unknown.status());
        assertEquals("{\"error\":\"unknown tenant\"}", unknown.body());
        assertEquals("{\"error\":\"unknown tenant\"}", get("/posts").body()); // 127.0.0.1: no tenant has it
        assertEquals("{\"error\":\"unknown tenant\"}", send("GET", "/posts", null, null, "Host", "globex.test").body());
        for (String header : new String[] { "X-Forwarded-Host", "Forwarded", "X-Tenant", "X-Serv-Tenant" }) {
            Answer spoofed = send("GET", "/posts", null, null, "Host", "evil.test", header,
                    header.equals("Forwarded") ? "host=acme.localhost" : "acme.localhost");
            assertEquals(header, 404, spoofed.status());
            assertEquals(header, "{\"error\":\"unknown tenant\"}", spoofed.body());
        }
        // Writes are refused the same way, and nothing is written anywhere.
        assertEquals(404, send("POST", "/users", FORM, "username=x&email=x%40y.z&password=long+enough",
                "Host", "evil.test").status());
        // The server's own routes answer whatever the host.
        assertEquals(200, send("GET", "/health", null, null, "Host", "evil.test").status());
    }

    @Test
    public void randomConcurrentReadsAndWritesNeverCrossTenants() throws Exception {
        ready("acme", "globex", "initech");
        List<String> tenants = List.of("acme", "globex", "initech");
        int[] authors = new int[3];
        for (int i = 0; i < 3; i++) {
            authors[i] = user(tenants.get(i), "writer");
        }
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicInteger requests = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            Thread th = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < 60; i++) {
                    int k = random.nextInt(3);
                    String t = tenants.get(k);
                    try {
                        if (random.nextBoolean()) {
                            Answer a = as(t, "POST", "/posts", "title=" + t + "-" + random.nextInt(1_000_000)
                                    + "&content=c&author_id=" + authors[k]);
                            if (a.status() != 201) {
                                problems.add(t + " write: " + a.status() + " " + a.body());
                            }
                        } else {
                            Answer a = as(t, "GET", "/posts?limit=100", null);
                            if (a.status() != 200) {
                                problems.add(t + " read: " + a.status());
                            }
                            for (String title : titles(a.body())) {
                                if (!title.startsWith(t + "-")) {
                                    problems.add(t + " read " + title);
                                }
                            }
                        }
                        requests.incrementAndGet();
                    } catch (Exception e) {
                        problems.add(t + ": " + e);
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertEquals(List.of(), List.copyOf(problems));
        assertEquals(360, requests.get());
    }

    @Test
    public void aTenantAddedEditedAndRemovedUnderLoadLeavesTheOthersAlone() throws Exception {
        ready("acme", "globex");
        ConfigurationAdmin cm = service(ConfigurationAdmin.class);
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger done = new AtomicInteger();
        List<Thread> load = new ArrayList<>();
        for (String t : List.of("acme", "globex")) {
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        Answer a = as(t, "GET", "/posts", null);
                        if (a.status() != 200) {
                            failures.add(t + ": " + a.status() + " " + a.body());
                        }
                        done.incrementAndGet();
                    } catch (Exception e) {
                        failures.add(t + ": " + e);
                    }
                }
            });
            load.add(th);
            th.start();
        }
        try {
            org.osgi.service.cm.Configuration hooli = cm.getFactoryConfiguration("serv.tenant", "hooli", "?");
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("id", "hooli");
            props.put("hosts", new String[] { "hooli.test" });
            hooli.update(props);
            ready("hooli.test");
            int author = user("hooli.test", "gavin");
            assertEquals(201, as("hooli.test", "POST", "/posts", "title=hooli-1&content=c&author_id=" + author).status());
            assertTrue(database("default", "hooli") != null);

            // Edited: another host, and its pool limits; the data stays.
            props.put("hosts", new String[] { "hooli.example" });
            props.put("max_size", "2");
            hooli.update(props);
            await("hooli on its new host", Duration.ofSeconds(10), () -> {
                try {
                    return as("hooli.example", "GET", "/posts", null).body().contains("hooli-1")
                            && as("hooli.test", "GET", "/posts", null).status() == 404;
                } catch (Exception e) {
                    return false;
                }
            });
            await("hooli's pool at 2", Duration.ofSeconds(10),
                    () -> database("default", "hooli") != null && database("default", "hooli").stats().max() == 2);
            // Edited under its own load: its pool is resized in place, no request of hooli fails.
            AtomicBoolean hooliStop = new AtomicBoolean();
            AtomicInteger hooliDone = new AtomicInteger();
            Thread hooliLoad = new Thread(() -> {
                while (!hooliStop.get()) {
                    try {
                        Answer a = as("hooli.example", "GET", "/posts", null);
                        if (a.status() != 200) {
                            failures.add("hooli: " + a.status() + " " + a.body());
                        }
                        hooliDone.incrementAndGet();
                    } catch (Exception e) {
                        failures.add("hooli: " + e);
                    }
                }
            });
            hooliLoad.start();
            try {
                for (String max : new String[] { "3", "4", "2" }) {
                    props.put("max_size", max);
                    hooli.update(props);
                    Thread.sleep(300);
                }
            } finally {
                hooliStop.set(true);
                hooliLoad.join();
            }
            assertTrue("hooli requests: " + hooliDone.get(), hooliDone.get() > 10);
            await("hooli's pool at 2 again", Duration.ofSeconds(10),
                    () -> database("default", "hooli") != null && database("default", "hooli").stats().max() == 2);

            // Removed: its host is unknown again and its database service (and pool) are gone.
            hooli.delete();
            await("hooli gone", Duration.ofSeconds(10), () -> {
                try {
                    return as("hooli.example", "GET", "/posts", null).status() == 404
                            && database("default", "hooli") == null;
                } catch (Exception e) {
                    return false;
                }
            });
        } finally {
            stop.set(true);
            for (Thread th : load) {
                th.join();
            }
        }
        assertTrue("requests ran: " + done.get(), done.get() > 20);
        assertEquals(List.of(), List.copyOf(failures));
    }

    @Test
    public void aTenantsPoolStartsOnItsFirstRequestAndClosesWhenIdle() throws Exception {
        ConfigurationAdmin cm = service(ConfigurationAdmin.class);
        org.osgi.service.cm.Configuration sleepy = cm.getFactoryConfiguration("serv.tenant", "sleepy", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("id", "sleepy");
        props.put("hosts", new String[] { "sleepy.test" });
        props.put("idle_timeout", "2");
        sleepy.update(props);
        try {
            Thread.sleep(500);
            assertNull("no pool before the first request", database("default", "sleepy"));
            Answer first = as("sleepy.test", "GET", "/posts", null);
            assertEquals(first.body(), 200, first.status());
            assertEquals("{\"posts\":[]}", first.body());
            assertTrue(database("default", "sleepy") != null);
            await("the idle pool closed", Duration.ofSeconds(15), () -> database("default", "sleepy") == null);
            int author = user("sleepy.test", "wakes"); // woken again by a write
            assertEquals(201, as("sleepy.test", "POST", "/posts", "title=sleepy-1&content=c&author_id=" + author)
                    .status());
            assertTrue(as("sleepy.test", "GET", "/posts", null).body().contains("sleepy-1"));
        } finally {
            sleepy.delete();
        }
    }

    @Test
    public void healthAndMetricsReportPerTenantAndCredentialsStayInThePool() throws Exception {
        ready("acme", "globex", "initech");
        Answer health = health();
        assertTrue(health.body(), health.body().contains("\"acme/default\":{\"state\":\"UP\",\"tenant\":\"acme\""));
        assertTrue(health.body(), health.body().contains("\"globex/default\":{\"state\":\"UP\",\"tenant\":\"globex\""));
        String metrics = get("/metrics", "Authorization", operator()).body(); // tenants named: the operator's
        assertTrue(metrics, metrics.contains("serv_database_up{database=\"default\",tenant=\"acme\"} 1"));
        assertTrue(metrics, metrics.contains("serv_database_up{database=\"default\",tenant=\"initech\"} 1"));
        assertFalse(health.body().contains(SECRET));
        assertFalse(metrics.contains(SECRET));
        for (ServiceReference<?> ref : context().getServiceReferences(Database.class, null)) {
            for (String key : ref.getPropertyKeys()) {
                assertFalse(key, String.valueOf(ref.getProperty(key)).contains(SECRET));
            }
        }
        // The tenant's configuration keeps the reference to the secret, not the secret; its pool is opened from
        // memory (no configuration of its own, nothing stored).
        ConfigurationAdmin cm = service(ConfigurationAdmin.class);
        assertNull(cm.listConfigurations("(&(service.factoryPid=serv.database)(tenant=acme))"));
        org.osgi.service.cm.Configuration[] tenant = cm.listConfigurations("(&(service.factoryPid=serv.tenant)(id=acme))");
        assertEquals(1, tenant.length);
        assertEquals("${IT_ACME_PASSWORD:" + SECRET + "}", tenant[0].getProperties().get("database_password"));
    }

    @Test
    public void schemaTenantsFollowTheSharedDefaultDatabase() throws Exception {
        ready("globex");
        ConfigurationAdmin cm = service(ConfigurationAdmin.class);
        org.osgi.service.cm.Configuration shared = cm.listConfigurations(
                "(&(service.factoryPid=serv.database)(name=default)(!(tenant=*)))")[0];
        Hashtable<String, Object> original = new Hashtable<>();
        for (String key : java.util.Collections.list(shared.getProperties().keys())) {
            if (!key.startsWith("service.")) {
                original.put(key, shared.getProperties().get(key));
            }
        }
        String before = currentDatabase(database("default", "globex"));
        String other = freshPostgres();
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger done = new AtomicInteger();
        Thread load = new Thread(() -> {
            while (!stop.get()) {
                try {
                    Answer a = as("globex", "GET", "/posts", null);
                    if (a.status() != 200) {
                        failures.add(a.status() + " " + a.body());
                    }
                    done.incrementAndGet();
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        });
        load.start();
        try {
            // The load runs on each side of each move, however quickly a move goes (counts, not time).
            awaitRequests(done, 10);
            // The shared database moves: globex's schema moves with it (created and migrated there), no request fails.
            Hashtable<String, Object> moved = new Hashtable<>(original);
            moved.put("url", other);
            shared.update(moved);
            String otherName = other.substring(other.lastIndexOf('/') + 1);
            await("globex on the new shared database", Duration.ofSeconds(20),
                    () -> otherName.equals(currentDatabase(database("default", "globex"))));
            try (java.sql.Connection c = postgres(otherName); java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.tables"
                            + " WHERE table_schema = 'globex' AND table_name = 'posts'")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
            awaitRequests(done, done.get() + 10);
            // And back, where its data is.
            shared.update(original);
            await("globex back on its database", Duration.ofSeconds(20),
                    () -> before.equals(currentDatabase(database("default", "globex"))));
            awaitRequests(done, done.get() + 10);
        } finally {
            stop.set(true);
            load.join();
        }
        assertTrue("requests ran: " + done.get(), done.get() > 20);
        assertEquals(List.of(), List.copyOf(failures));
    }

    private static void awaitRequests(AtomicInteger done, int count) throws InterruptedException {
        await(count + " requests served", Duration.ofSeconds(20), () -> done.get() >= count);
    }

    private static String currentDatabase(Database db) {
        if (db == null) {
            return null;
        }
        try (java.sql.Connection c = db.connection(); java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        } catch (java.sql.SQLException e) {
            return null;
        }
    }

    private static Database database(String name, String tenant) {
        try {
            for (ServiceReference<Database> r : context().getServiceReferences(Database.class,
                    "(&(serv.database.name=" + name + ")(serv.tenant=" + tenant + "))")) {
                return context().getService(r);
            }
            return null;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

}
