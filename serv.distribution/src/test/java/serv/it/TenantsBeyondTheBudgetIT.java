package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import serv.testkit.ServTestSupport;

/**
 * More tenants in use than the connection budget can keep a connection for: seven schema tenants, each guaranteed
 * one connection while its pool is open (idle timeout 300 s, the default), beside the default database's, on a
 * budget of 4. Each tenant's first request is served (its pool takes an idle connection closed for it), and so is
 * every tenant's next one, while the server never holds more connections than the budget. Before, once the open
 * pools' guarantees had used up the budget, every other tenant got 503 after its connection timeout.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TenantsBeyondTheBudgetIT extends ServTestSupport {

    private static final String DB = "serv_it_overbudget_" + Long.toHexString(System.nanoTime());
    private static final int TENANTS = 7;

    @Configuration
    public Option[] config() {
        sql("postgres", "DROP DATABASE IF EXISTS " + DB, "CREATE DATABASE " + DB);
        dropAtExit(DB);
        StringBuilder yaml = new StringBuilder("""
                databases:
                  default: {url: "postgresql://postgres@127.0.0.1:5432/%s", pool_size: 1, max_size: 2}
                tenants:
                """.formatted(DB));
        for (int i = 0; i < TENANTS; i++) {
            yaml.append("  t").append(i).append(": {hosts: [t").append(i).append(".test]}\n");
        }
        return serv(yaml.toString(), "serv.connection.budget", "4");
    }

    @Test
    public void everyTenantIsServedThoughTheirSharesExceedTheBudget() throws Exception {
        List<String> refused = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < TENANTS; i++) {
                Answer a = send("GET", "/posts", null, null, "Host", "t" + i + ".test");
                if (a.status() != 200) {
                    refused.add("round " + round + ", tenant t" + i + ": " + a.status() + " " + a.body());
                }
                assertTrue("sessions " + sessions(DB), sessions(DB) <= 4);
            }
        }
        assertEquals(List.of(), refused);
    }
}
