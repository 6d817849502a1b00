package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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
 * Databases as live services on a real PostgreSQL: created, resized and switched under load with no failed query,
 * deleted with every session closed, taken away (through a proxy the test cuts) and recovered, and refused with a
 * clear reason when the configuration is wrong.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DatabaseLifecycleIT extends ServTestSupport {

    @Configuration
    public Option[] config() {
        return serv(java.util.Map.of());
    }


    private static ConfigurationAdmin cm() {
        return context().getService(context().getServiceReference(ConfigurationAdmin.class));
    }

    private static String newDatabase() {
        String name = "serv_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        sql("postgres", "CREATE DATABASE " + name);
        dropAtExit(name); // with the test kit's own, when the test JVM exits
        return name;
    }

    /** Configurations a test made; deleted after it, whatever happened, so one failure does not cascade. */
    private static final java.util.Set<org.osgi.service.cm.Configuration> MADE = ConcurrentHashMap.newKeySet();

    @org.junit.After
    public void deleteConfigurations() throws Exception {
        for (org.osgi.service.cm.Configuration c : MADE) {
            try {
                c.delete();
            } catch (IllegalStateException alreadyDeleted) {
                // the test deleted it itself
            }
        }
        MADE.clear();
    }

    private static org.osgi.service.cm.Configuration configure(String name, Object... kv) throws Exception {
        org.osgi.service.cm.Configuration c = cm().getFactoryConfiguration("serv.database", name, "?");
        MADE.add(c);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("name", name);
        for (int i = 0; i < kv.length; i += 2) {
            props.put((String) kv[i], kv[i + 1]);
        }
        c.update(props);
        return c;
    }

    /** Waits until the number of PostgreSQL sessions on {@code database} satisfies {@code wanted}. */
    private static void awaitSessions(String database, java.util.function.IntPredicate wanted, String what)
            throws InterruptedException {
        await(what + " on " + database, Duration.ofSeconds(30), () -> {
            try {
                return wanted.test(sessions(database));
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static String currentDatabase(Database db) throws Exception {
        try (Connection c = db.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Queries from a few threads until stopped, counting failures and the databases answering. */
    private static final class Load implements AutoCloseable {
        final AtomicInteger ok = new AtomicInteger();
        final List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        final AtomicReference<String> last = new AtomicReference<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Load(Database db, int threadCount) {
            for (int i = 0; i < threadCount; i++) {
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        try (Connection c = db.connection(); Statement st = c.createStatement();
                                ResultSet rs = st.executeQuery("SELECT current_database(), pg_sleep(0.002)")) {
                            rs.next();
                            seen.add(rs.getString(1));
                            last.set(rs.getString(1));
                            ok.incrementAndGet();
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }
                });
                t.start();
                threads.add(t);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }
    }

    @Test
    public void configurationCreatesAServiceAndDeletionClosesEverySession() throws Exception {
        String db = newDatabase();
        org.osgi.service.cm.Configuration config = configure("alpha",
                "url", "postgresql://postgres@127.0.0.1:5432/" + db, "pool_size", "3");
        awaitState("alpha", "UP", Duration.ofSeconds(20));
        assertEquals(db, currentDatabase(database("alpha")));
        assertEquals(1, context().getServiceReferences(javax.sql.DataSource.class,
                "(&(serv.database.name=alpha)(osgi.jndi.service.name=alpha))").size());
        awaitSessions(db, n -> n >= 3, "3 idle sessions");

        // A query in flight when the configuration goes finishes; only then do the connections close.
        Database alpha = database("alpha");
        AtomicReference<Object> inFlight = new AtomicReference<>();
        Thread slow = new Thread(() -> {
            try (Connection c = alpha.connection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT 42 FROM pg_sleep(1)")) {
                rs.next();
                inFlight.set(rs.getInt(1));
            } catch (Exception e) {
                inFlight.set(e);
            }
        });
        slow.start();
        Thread.sleep(200);
        config.delete();
        slow.join(15_000);
        assertEquals(42, inFlight.get());
        awaitState("alpha", null, Duration.ofSeconds(20));
        assertTrue(context().getServiceReferences(javax.sql.DataSource.class, "(serv.database.name=alpha)").isEmpty());
        awaitSessions(db, n -> n == 0, "no session left");
    }

    @Test
    public void resizingUnderLoadFailsNothingAndTakesEffect() throws Exception {
        String db = newDatabase();
        org.osgi.service.cm.Configuration config = configure("beta",
                "url", "postgresql://postgres@127.0.0.1:5432/" + db, "pool_size", "2");
        awaitState("beta", "UP", Duration.ofSeconds(20));
        Database beta = database("beta");
        try (Load load = new Load(beta, 6)) {
            for (int i = 0; i < 20; i++) {
                int size = i % 2 == 0 ? 6 : 2;
                configure("beta", "url", "postgresql://postgres@127.0.0.1:5432/" + db, "pool_size", size,
                        "max_overflow", 2);
                await("max " + (size + 2), Duration.ofSeconds(5), () -> beta.stats().max() == size + 2);
            }
            await("queries to run", Duration.ofSeconds(5), () -> load.ok.get() > 100);
            load.close();
            assertEquals("failed queries: " + load.failures, 0, load.failures.size());
        }
        assertEquals(4, beta.stats().max());
        assertTrue(health().body().contains("\"beta\":{\"state\":\"UP\",\"dialect\":\"postgresql\",\"pool\":{"));
        config.delete();
    }

    @Test
    public void switchingTheUrlUnderLoadMovesTrafficWithNoFailure() throws Exception {
        String first = newDatabase();
        String second = newDatabase();
        org.osgi.service.cm.Configuration config = configure("gamma",
                "url", "postgresql://postgres@127.0.0.1:5432/" + first, "pool_size", "2");
        awaitState("gamma", "UP", Duration.ofSeconds(20));
        Database gamma = database("gamma");
        try (Load load = new Load(gamma, 4)) {
            await("queries on " + first, Duration.ofSeconds(5), () -> load.seen.contains(first));
            configure("gamma", "url", "postgresql://postgres@127.0.0.1:5432/" + second, "pool_size", "2");
            await("traffic on " + second, Duration.ofSeconds(20), () -> second.equals(load.last.get()));
            int before = load.ok.get();
            await("more queries", Duration.ofSeconds(5), () -> load.ok.get() > before + 50);
            load.close();
            assertEquals("failed queries: " + load.failures, 0, load.failures.size());
        }
        assertEquals(second, currentDatabase(gamma));
        awaitSessions(first, n -> n == 0, "the old pool's sessions closed");
        config.delete();
    }

    @Test
    public void aDatabaseThatGoesAwayAnswers503AndRecoversByItself() throws Exception {
        String db = newDatabase(); // the blog's migrations create its tables there when the blog moves to it
        try (TcpProxy proxy = new TcpProxy(5432)) {
            org.osgi.service.cm.Configuration config = configure("flaky",
                    "url", "postgresql://postgres@127.0.0.1:" + proxy.port() + "/" + db, "pool_size", "2",
                    "connection_timeout", "1");
            // The blog's database is configuration: point the blog at "flaky".
            org.osgi.service.cm.Configuration route = cm().getConfiguration("serv.blog", "?");
            Hashtable<String, Object> routeProps = new Hashtable<>();
            routeProps.put("database", "flaky");
            route.update(routeProps);
            try {
                awaitState("flaky", "UP", Duration.ofSeconds(20));
                Answer ok = awaitStatus("/posts", 200, Duration.ofSeconds(20));
                assertEquals("{\"posts\":[]}", ok.body());

                proxy.cut();
                Answer down = awaitStatus("/posts", 503, Duration.ofSeconds(20));
                assertNotNull("Retry-After", down.header("Retry-After"));
                assertTrue(down.body(), down.body().startsWith("{\"error\":\"database flaky is "));
                long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!"RETRYING".equals(state("flaky")) && System.nanoTime() < end) {
                    Thread.sleep(50);
                }
                Database flaky = database("flaky");
                assertEquals("state of flaky (reason: " + (flaky == null ? "no service" : flaky.reason().orElse("none"))
                        + "; 503 body: " + down.body() + ")", "RETRYING", state("flaky"));
                Answer health = health();
                assertEquals(503, health.status());
                assertTrue(health.body(), health.body().contains("\"flaky\":{\"state\":\"RETRYING\""));

                proxy.restore();
                Answer back = awaitStatus("/posts", 200, Duration.ofSeconds(40));
                assertEquals("{\"posts\":[]}", back.body());
                assertEquals("UP", state("flaky"));
            } finally {
                route.delete();
                config.delete();
            }
        }
        awaitStatus("/posts", 200, Duration.ofSeconds(30));
    }

    @Test
    public void aWrongConfigurationIsFailedWithTheKeyAndTheRestRuns() throws Exception {
        org.osgi.service.cm.Configuration config = configure("delta",
                "url", "postgresql://postgres@127.0.0.1:5432/postgres", "min_size", "5", "max_size", "2");
        awaitState("delta", "FAILED", Duration.ofSeconds(10));
        String reason = database("delta").reason().orElseThrow();
        assertTrue(reason, reason.startsWith("key 'min_size': 5 is larger than the maximum of 2"));
        // No route uses delta: listed with its reason and a warning, the node stays up (UnusedDatabaseHealthIT)
        Answer health = awaitStatus("/health", 200, Duration.ofSeconds(10), "Authorization", operator());
        assertTrue(health.body(), health.body().contains(
                "\"delta\":{\"state\":\"FAILED\",\"unused\":true,\"reason\":\"key 'min_size'"));
        assertTrue(health.body(), health.body().contains("\"database delta is FAILED and no route uses it"));
        assertEquals(200, get("/posts").status());

        configure("delta", "url", "mysql://root:hunter2@localhost/x");
        await("delta's new reason", Duration.ofSeconds(10),
                () -> database("delta").reason().orElse("").startsWith("key 'url': unknown scheme 'mysql'"));
        assertFalse(health().body().contains("hunter2"));
        config.delete();
        awaitStatus("/health", 200, Duration.ofSeconds(10));
    }

    @Test
    public void aMissingEnvironmentVariableNamesItself() throws Exception {
        org.osgi.service.cm.Configuration config = configure("zeta",
                "url", "postgresql://reporter@127.0.0.1:5432/postgres", "password", "${SERV_IT_NEVER_SET_PASSWORD}");
        awaitState("zeta", "FAILED", Duration.ofSeconds(10));
        String reason = database("zeta").reason().orElseThrow();
        assertTrue(reason, reason.contains("environment variable SERV_IT_NEVER_SET_PASSWORD is not set"));
        assertEquals(200, get("/posts").status());
        config.delete();
        awaitStatus("/health", 200, Duration.ofSeconds(10));
    }

    @Test
    public void thePasswordIsNeverPublished() throws Exception {
        String db = newDatabase();
        org.osgi.service.cm.Configuration config = configure("epsilon",
                "url", "postgresql://postgres:Sup3rSecret@127.0.0.1:5432/" + db, "pool_size", "1");
        awaitState("epsilon", "UP", Duration.ofSeconds(20));
        for (String type : new String[] { Database.class.getName(), javax.sql.DataSource.class.getName() }) {
            for (ServiceReference<?> ref : context().getServiceReferences(type, "(serv.database.name=epsilon)")) {
                for (String key : ref.getPropertyKeys()) {
                    assertFalse(key, String.valueOf(ref.getProperty(key)).contains("Sup3rSecret"));
                }
            }
        }
        assertFalse(health().body().contains("Sup3rSecret"));
        config.delete();
    }
}
