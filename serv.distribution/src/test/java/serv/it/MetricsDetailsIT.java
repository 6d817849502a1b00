package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;


/**
 * {@code GET /metrics} on the server's site is public for what names no tenant (the server's own databases, the
 * tenants summed, the request counts), and a multi-tenant server's customer list is the operator's: each tenant's
 * series only with the Web Console's login (Prometheus: basic_auth); {@code metrics.details: always} shows them to
 * everyone; wrong credentials are a 401, counted with the console's wrong logins. Every tenant's name holds
 * {@value #MARK}, which the public answers must never contain.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MetricsDetailsIT extends OperatorLoginSupport {

    private static final String MARK = "zq";
    private static final String ASK = "# Series that name a tenant are the operator's: send the Web Console's user and"
            + " password (HTTP Basic; Prometheus: basic_auth) for them.\n";

    @Configuration
    public Option[] config() {
        String pg = freshPostgres();
        return serv(yaml(pg, ""), "serv.it.url", pg);
    }

    /**
     * The server: PostgreSQL default, tenant zqacme as its schema, tenant zqglobex on a database host that does not
     * resolve (not UP); {@code metrics} the file's metrics section, or empty.
     */
    private static String yaml(String pg, String metrics) {
        return """
                databases:
                  default: {url: "%s", pool_size: 1, max_overflow: 2}
                tenants:
                  zqacme: {hosts: [zqacme.test], database: {schema: zqacme}}
                  zqglobex: {hosts: [zqglobex.test], database: {url: "postgresql://postgres@zq-db-host.invalid:5432/zq"}}
                %s""".formatted(pg, metrics);
    }

    /** Both tenants' databases opened (by a request each); the operator's /metrics then. */
    private static String opened() throws Exception {
        await("zqacme to serve", Duration.ofSeconds(30), () -> status("/posts", "Host", "zqacme.test") == 200);
        status("/posts", "Host", "zqglobex.test");
        await("the operator's /metrics to have zqglobex's database", Duration.ofSeconds(30),
                () -> body(() -> operatorsMetrics()).contains("tenant=\"zqglobex\""));
        return operatorsMetrics().body();
    }

    private static Answer operatorsMetrics() throws Exception {
        return get("/metrics", "Authorization", operator());
    }

    @Test
    public void withoutTheLoginTheSitesMetricsNameNoTenant() throws Exception {
        String operators = opened();
        assertTrue(operators, operators.contains("serv_database_up{database=\"default\",tenant=\"zqacme\"} 1\n"));
        assertTrue(operators, operators.contains("serv_database_up{database=\"default\",tenant=\"zqglobex\"} 0\n"));
        assertTrue(operators, operators.contains("serv_database_up{database=\"default\",tenant=\"\"} 1\n"));

        Answer open = get("/metrics");
        String body = open.body();
        assertFalse(body, body.contains(MARK));
        assertEquals(200, open.status());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", open.header("Content-Type"));
        assertEquals("no-store", open.header("Cache-Control"));
        assertEquals("Authorization", open.header("Vary"));
        assertTrue(body, body.startsWith(ASK));
        assertTrue(body, body.contains("serv_database_up{database=\"default\",tenant=\"\"} 1\n"));
        assertTrue(body, body.contains("serv_tenants_databases{state=\"UP\"} 1\n"));
        assertTrue(body, body.matches("(?s).*serv_tenants_databases\\{state=\"(FAILED|RETRYING)\"} 1\n.*"));
        assertTrue(body, body.contains("serv_tenants_requests_refused_total 0\n"));
        assertTrue(body, body.contains("serv_http_requests_total{class=\"2xx_3xx\"} "));
        assertFalse(body, body.contains("serv_tenant_requests_"));
    }

    /** A tenant's host shows that tenant's series without the login: they name no other tenant. */
    @Test
    public void onATenantsHostItsOwnSeriesOnly() throws Exception {
        opened();
        Answer own = get("/metrics", "Host", "zqacme.test");
        assertEquals(200, own.status());
        assertTrue(own.body(), own.body().contains("serv_database_up{database=\"default\",tenant=\"zqacme\"} 1\n"));
        assertFalse(own.body(), own.body().contains("zqglobex"));
        assertFalse(own.body(), own.body().contains("tenant=\"\""));
        assertFalse(own.body(), own.body().contains("serv_tenants_"));
        assertFalse(own.body(), own.body().contains("serv_http_requests_total"));
        assertEquals("the login changes nothing there", values(own.body()),
                values(get("/metrics", "Host", "zqacme.test", "Authorization", operator()).body()));
    }

    /**
     * Wrong credentials are a 401 (a scraper with a wrong password is a target down, not tenant series that vanish)
     * and count as wrong console logins: after ten from an address, its guesses are not looked at for a minute (429),
     * the right password's too, on /metrics and on the console. From 127.0.0.2, so that the other tests' address is
     * not refused.
     */
    @Test
    public void wrongCredentialsAreRefusedAndThrottledWithTheConsole() throws Exception {
        opened();
        String user = context().getProperty(OPERATOR_USER_PROPERTY);
        String wrong = basic(user, "not-the-password");
        for (int i = 0; i < 10; i++) {
            String[] answer = fromOtherAddress("/metrics", wrong);
            assertEquals(answer[1], "401", answer[0]);
            assertEquals("{\"error\":\"the credentials sent are not the Web Console's: send its user and password, or"
                    + " none for the series that name no tenant\"}", answer[1]);
        }
        String[] refused = fromOtherAddress("/metrics", wrong);
        assertEquals(refused[1], "429", refused[0]);
        assertTrue(refused[1], refused[1].contains("too many wrong console logins from this address: try again in "));
        assertEquals("the console's limit is the same", "429", fromOtherAddress("/system/console/bundles", wrong)[0]);
        // A right guess is not looked at either (spelled anew, "basic" in lower case, as a guesser's would be).
        String guess = "basic " + operator().substring("Basic ".length());
        String[] right = fromOtherAddress("/metrics", guess);
        assertEquals(right[1], "429", right[0]);
        assertFalse(right[1], right[1].contains(MARK));
        String[] none = fromOtherAddress("/metrics", null);
        assertEquals("no credentials: the public series", "200", none[0]);
        assertFalse(none[1], none[1].contains(MARK));

        assertTrue("another address is not refused", operatorsMetrics().body().contains("tenant=\"zqacme\""));
    }

    /**
     * {@code metrics: {details: always}} in serv.config.yaml shows every series to everyone; a value that is neither
     * is refused with a warning naming the key and the values it may have, and the console's form says so (400).
     */
    @Test
    public void detailsAlwaysShowsTheTenantsToEveryClient() throws Exception {
        opened();
        String pg = context().getProperty("serv.it.url");
        try {
            writeAtomically(home().resolve("serv.config.yaml"), yaml(pg, "metrics: {details: always}\n")
                    .getBytes(StandardCharsets.UTF_8));
            await("every client to get the tenants' series", Duration.ofSeconds(20), () -> body(() -> get("/metrics"))
                    .contains("tenant=\"zqglobex\""));
            Answer open = get("/metrics");
            assertEquals(200, open.status());
            assertTrue(open.body(), open.body().contains("serv_database_up{database=\"default\",tenant=\"zqacme\"} 1\n"));
            assertFalse(open.body(), open.body().contains(ASK));

            writeAtomically(home().resolve("serv.config.yaml"), yaml(pg, "metrics: {details: sometimes}\n")
                    .getBytes(StandardCharsets.UTF_8));
            await("the refusal in /health", Duration.ofSeconds(20), () -> body(() -> health()).contains(
                    "configuration serv.metrics: key 'details': 'sometimes' is not one of authorized, always"));
            assertTrue("the last good setting stays", get("/metrics").body().contains("tenant=\"zqacme\""));
            Answer form = consoleSave(operator(), "serv.metrics", null, "details", "sometimes"); // the console's form
            assertEquals(form.body(), 400, form.status());
            assertTrue(form.body(), form.body().contains("key 'details': 'sometimes' is not one of authorized, always"));
        } finally {
            writeAtomically(home().resolve("serv.config.yaml"), yaml(pg, "").getBytes(StandardCharsets.UTF_8));
        }
        await("the tenants' series to be the operator's again", Duration.ofSeconds(20),
                () -> body(() -> get("/metrics")).startsWith(ASK));
        assertFalse(get("/metrics").body().contains(MARK));
    }

    /** The text with every line's last word (a sample's value) blanked. */
    private static String values(String text) {
        return text.replaceAll(" [^ \n]+\n", " _\n");
    }
}
