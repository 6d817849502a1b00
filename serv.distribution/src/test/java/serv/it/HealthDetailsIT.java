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
 * {@code GET /health} is public: without the operator's login (the Web Console's user and password) it tells the
 * status and nothing an attacker could use (no tenant, no database host, no reason, no warning), with the status code
 * the operator gets; with it, everything; {@code health.details: always} shows everything to everyone. Every
 * distinctive value of the configuration holds {@value #MARK}, which the public answers must never contain.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HealthDetailsIT extends OperatorLoginSupport {

    private static final String MARK = "zq";
    private static final String DB_HOST = "zq-db-host.invalid";
    private static final String ASK = "\"details\":\"send the Web Console's user and password (HTTP Basic) for the"
            + " details\"";

    @Configuration
    public Option[] config() {
        String pg = freshPostgres();
        return serv(yaml(pg, ""), "serv.it.url", pg);
    }

    /**
     * The server: PostgreSQL default, tenant zqacme as its schema, tenant zqglobex on a database host that does not
     * resolve (FAILED, with a reason naming the host: it does not take the server out), and an unknown key (a
     * warning naming it); {@code health} the file's health section, or empty.
     */
    private static String yaml(String pg, String health) {
        return """
                databases:
                  default: {url: "%s", pool_size: 1, max_overflow: 2}
                zqunknown_key: 1
                tenants:
                  zqacme: {hosts: [zqacme.test], database: {schema: zqacme}}
                  zqglobex: {hosts: [zqglobex.test], database: {url: "postgresql://postgres@%s:5432/zq"}}
                %s""".formatted(pg, DB_HOST, health);
    }

    /** Both tenants' databases opened (by a request each) and their states in the operator's /health. */
    private static String opened() throws Exception {
        await("zqacme to serve", Duration.ofSeconds(30), () -> status("/posts", "Host", "zqacme.test") == 200);
        status("/posts", "Host", "zqglobex.test");
        await("the operator's /health to name the host of zqglobex's database", Duration.ofSeconds(30),
                () -> body(() -> health()).contains(DB_HOST));
        return health().body();
    }

    @Test
    public void withoutTheLoginTheServersHealthNamesNoTenantHostNorReason() throws Exception {
        String operators = opened();
        assertTrue(operators, operators.contains("\"zqacme/default\":{\"state\":\"UP\",\"tenant\":\"zqacme\""));
        assertTrue(operators, operators.contains("zqunknown_key"));
        assertTrue(operators, operators.contains("\"tenancy\":{\"tenants\":2"));

        Answer open = get("/health");
        assertEquals(health().status(), open.status());
        assertEquals(200, open.status()); // a tenant's database down does not take the server out
        assertEquals("{\"status\":\"UP\",\"databases\":{\"default\":{\"state\":\"UP\"}},\"tenant_databases\":{"
                + failedOrRetrying(open.body()) + ",\"UP\":1}," + ASK + "}", open.body());
        assertFalse(open.body(), open.body().contains(MARK));
        assertEquals("no-store", open.header("Cache-Control"));
    }

    /** {@code "FAILED":1} or {@code "RETRYING":1}, as the body has it (the pool may be trying again). */
    private static String failedOrRetrying(String body) {
        return body.contains("\"FAILED\":1") ? "\"FAILED\":1" : "\"RETRYING\":1";
    }

    @Test
    public void onATenantsHostItsDatabasesStatesOnly() throws Exception {
        opened();
        Answer operators = health("/health", "Host", "zqglobex.test");
        assertEquals(503, operators.status());
        assertTrue(operators.body(), operators.body().contains(DB_HOST));

        Answer open = get("/health", "Host", "zqglobex.test");
        assertEquals(503, open.status());
        assertTrue(open.body(), open.body().matches("\\{\"status\":\"DOWN\",\"databases\":\\{\"default\":\\{\"state\":"
                + "\"(FAILED|RETRYING)\"}}," + java.util.regex.Pattern.quote(ASK) + "}"));

        Answer up = get("/health", "Host", "zqacme.test");
        assertEquals(200, up.status());
        assertEquals("{\"status\":\"UP\",\"databases\":{\"default\":{\"state\":\"UP\"}}," + ASK + "}", up.body());
    }

    /**
     * Wrong credentials get the public answer, with the same status code (a load balancer never sends any), and
     * count as wrong console logins: after ten from an address, its guesses are not looked at for a minute, the right
     * password's too, on /health and on the console. From 127.0.0.2, so that the other tests' address is not refused.
     */
    @Test
    public void wrongCredentialsGetThePublicAnswerAndAreThrottledWithTheConsole() throws Exception {
        opened();
        String user = context().getProperty(OPERATOR_USER_PROPERTY);
        String wrong = basic(user, "not-the-password");
        for (int i = 0; i < 10; i++) {
            String[] answer = fromOtherAddress("/health", wrong);
            assertEquals(answer[1], "200", answer[0]);
            assertTrue(answer[1], answer[1].contains("\"details\":\"the credentials sent are not the Web Console's:"
                    + " no details\""));
            assertFalse(answer[1], answer[1].contains(MARK));
        }
        String[] refused = fromOtherAddress("/health", wrong);
        assertEquals(refused[1], "200", refused[0]);
        assertTrue(refused[1], refused[1].contains("\"details\":\"too many wrong console logins from this address:"
                + " try again in "));
        assertFalse(refused[1], refused[1].contains(MARK));
        assertEquals("the console's limit is the same", "429", fromOtherAddress("/system/console/bundles", wrong)[0]);
        // A right guess is not looked at either (a header verified before is the operator's at once, so that an
        // operator who is in stays in: this one is spelled anew, "basic" in lower case, as a guesser's would be).
        String guess = "basic " + operator().substring("Basic ".length());
        String[] right = fromOtherAddress("/health", guess);
        assertTrue(right[1], right[1].contains("\"details\":\"too many wrong console logins"));
        assertFalse(right[1], right[1].contains(MARK));

        assertTrue("another address is not refused", health().body().contains(DB_HOST));
    }

    /**
     * {@code health: {details: always}} in serv.config.yaml shows everything to everyone, with the same status codes;
     * a value that is neither is refused with a warning naming the key and the values it may have.
     */
    @Test
    public void detailsAlwaysShowsThemToEveryClient() throws Exception {
        opened();
        String pg = context().getProperty("serv.it.url");
        int site = health().status();
        int tenant = health("/health", "Host", "zqglobex.test").status();
        try {
            writeAtomically(home().resolve("serv.config.yaml"), yaml(pg, "health: {details: always}\n")
                    .getBytes(StandardCharsets.UTF_8));
            await("every client to get the details", Duration.ofSeconds(20), () -> body(() -> get("/health"))
                    .contains(DB_HOST));
            Answer open = get("/health");
            assertEquals(site, open.status());
            assertTrue(open.body(), open.body().contains("\"zqacme/default\":{\"state\":\"UP\",\"tenant\":\"zqacme\""));
            assertFalse(open.body(), open.body().contains("\"details\""));
            Answer tenantOpen = get("/health", "Host", "zqglobex.test");
            assertEquals(tenant, tenantOpen.status());
            assertTrue(tenantOpen.body(), tenantOpen.body().contains(DB_HOST));

            writeAtomically(home().resolve("serv.config.yaml"), yaml(pg, "health: {details: sometimes}\n")
                    .getBytes(StandardCharsets.UTF_8));
            await("the refusal in /health", Duration.ofSeconds(20), () -> body(() -> health()).contains(
                    "configuration serv.health: key 'details': 'sometimes' is not one of authorized, always"));
            assertTrue("the last good setting stays", get("/health").body().contains(DB_HOST));
            Answer form = consoleSave(operator(), "serv.health", null, "details", "sometimes"); // the console's form
            assertEquals(form.body(), 400, form.status());
            assertTrue(form.body(), form.body().contains("key 'details': 'sometimes' is not one of authorized, always"));
        } finally {
            writeAtomically(home().resolve("serv.config.yaml"), yaml(pg, "").getBytes(StandardCharsets.UTF_8));
        }
        await("the details to be the operator's again", Duration.ofSeconds(20), () -> body(() -> get("/health"))
                .contains(ASK));
        assertFalse(get("/health").body().contains(MARK));
        assertEquals(site, get("/health").status());
    }
}
