package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;

import serv.database.Database;
import serv.database.PoolStats;
import serv.testkit.ServTestSupport;

/**
 * The connection budget per database server (here 5) across the pools of the default database and three tenants:
 * the open connections never exceed it, a request that cannot get one in time gets 503 with Retry-After, a quiet
 * pool's idle connections above its guarantee are closed for a busy one, and everything serves again once connections
 * come back.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConnectionBudgetIT extends ServTestSupport {

    private static final String DB = "serv_it_budget_" + Long.toHexString(System.nanoTime());

    @Configuration
    public Option[] config() {
        sql("postgres", "DROP DATABASE IF EXISTS " + DB, "CREATE DATABASE " + DB);
        dropAtExit(DB);
        return serv("""
                databases:
                  default: {url: "postgresql://postgres@127.0.0.1:5432/%s", pool_size: 1, max_size: 2,
                            connection_timeout: 1}
                tenants:
                  a: {hosts: [a.test], database: {max_size: 5}}
                  b: {hosts: [b.test], database: {max_size: 5}}
                  c: {hosts: [c.test], database: {max_size: 5}}
                """.formatted(DB), "serv.connection.budget", "5");
    }

    private static Database tenant(String id) throws Exception {
        for (ServiceReference<Database> r : context().getServiceReferences(Database.class, "(serv.tenant=" + id + ")")) {
            return context().getService(r);
        }
        return null;
    }

    @Test
    public void theSumOfOpenConnectionsNeverExceedsTheBudget() throws Exception {
        for (String t : List.of("a", "b", "c")) {
            await("tenant " + t + " up", Duration.ofSeconds(30), () -> {
                try {
                    return send("GET", "/posts", null, null, "Host", t + ".test").status() == 200;
                } catch (Exception e) {
                    return false;
                }
            });
        }
        await("idle tenants' connections closed or within budget", Duration.ofSeconds(10), () -> {
            try {
                return sessions(DB) <= 5;
            } catch (Exception e) {
                return false;
            }
        });
        List<Connection> held = new ArrayList<>();
        try {
            // Hold connections of a, b and c until the budget is used up (the default pool may keep one of its own).
            while (true) {
                try {
                    held.add(tenant(List.of("a", "b", "c").get(held.size() % 3)).connection());
                } catch (SQLTransientConnectionException full) {
                    break;
                }
                if (held.size() > 10) {
                    fail("more connections than the budget: " + held.size());
                }
            }
            assertTrue("held " + held.size(), held.size() >= 2 && held.size() <= 5);
            assertTrue("sessions " + sessions(DB), sessions(DB) <= 5);
            Answer refused = send("GET", "/posts", null, null, "Host", "c.test");
            assertEquals(refused.body(), 503, refused.status());
            assertNotNull(refused.header("Retry-After"));
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
        await("tenant c serves again", Duration.ofSeconds(20), () -> {
            try {
                return send("GET", "/posts", null, null, "Host", "c.test").status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        assertTrue("sessions " + sessions(DB), sessions(DB) <= 5);
    }

    @Test
    public void aQuietPoolGivesItsIdleConnectionsBackWhenTheBudgetIsUsedUp() throws Exception {
        for (String t : List.of("a", "c")) {
            await("tenant " + t + " up", Duration.ofSeconds(30), () -> {
                try {
                    return send("GET", "/posts", null, null, "Host", t + ".test").status() == 200;
                } catch (Exception e) {
                    return false;
                }
            });
        }
        // Tenant a takes what it can of the budget, then goes quiet: its connections stay open, idle, in its pool
        // (Hikari would close them only after 10 s idle, on a 30 s housekeeping round).
        List<Connection> held = new ArrayList<>();
        try {
            while (held.size() < 5) {
                try {
                    held.add(tenant("a").connection());
                } catch (SQLTransientConnectionException full) {
                    break;
                }
            }
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
        assertTrue("a held " + held.size(), held.size() >= 2);
        assertEquals(held.size(), tenant("a").stats().idle());
        // Tenant c needs connections now: rather than a 503, a's idle ones are closed for it.
        List<Connection> taken = new ArrayList<>();
        try {
            for (int i = 0; i < held.size(); i++) {
                taken.add(tenant("c").connection());
            }
            assertTrue("sessions " + sessions(DB), sessions(DB) <= 5);
            // a keeps its guaranteed connection (a tenant's min_connections, 1 by default) and nothing more: c has
            // the rest, and a quiet a still serves.
            PoolStats a = tenant("a").stats();
            assertTrue("a's open connections " + a, a.active() + a.idle() <= 1);
            Answer served = send("GET", "/posts", null, null, "Host", "a.test");
            assertEquals(served.body(), 200, served.status());
        } finally {
            for (Connection c : taken) {
                c.close();
            }
        }
        Answer again = send("GET", "/posts", null, null, "Host", "a.test");
        assertEquals(again.body(), 200, again.status()); // c went quiet: a gets its connection back
        assertTrue("sessions " + sessions(DB), sessions(DB) <= 5);
    }
}
