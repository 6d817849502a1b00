package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.Hashtable;

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
 * The first vertical slice on PostgreSQL: serv.config.yaml points database default at a fresh PostgreSQL database;
 * a request goes whiteboard, route, pool, database and back as JSON.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RuntimeIT extends ServTestSupport {

    @Configuration
    public Option[] config() {
        String url = freshPostgres();
        // The base file says SQLite; the "it" profile, merged over it, moves default to PostgreSQL.
        return serv(java.util.Map.of("serv.config.yaml", """
                site_info: {name: "IT"}
                databases:
                  default:
                    url: "sqlite:///data/app.db"
                    pool_size: 2
                    max_overflow: 3
                """, "serv.it.config.yaml", """
                databases:
                  default:
                    url: "${IT_UNSET_VARIABLE:%s}"
                """.formatted(url)), "serv.profile", "it");
    }


    @Test
    public void healthShowsTheDatabaseUpWithItsPool() throws Exception {
        Answer health = health();
        assertEquals(200, health.status());
        assertTrue(health.body(), health.body().startsWith("{\"status\":\"UP\",\"databases\":{\"default\":{\"state\":\"UP\","
                + "\"dialect\":\"postgresql\",\"pool\":{"));
        assertTrue(health.body(), health.body().contains("\"max\":5"));
        assertEquals("application/json", health.header("Content-Type"));
    }

    @Test
    public void metricsArePrometheusTextPerDatabase() throws Exception {
        get("/posts");
        Answer metrics = get("/metrics");
        assertEquals(200, metrics.status());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.header("Content-Type"));
        String body = metrics.body();
        assertTrue(body, body.contains("# TYPE serv_database_up gauge\nserv_database_up{database=\"default\",tenant=\"\"} 1\n"));
        assertTrue(body, body.contains("serv_database_connections_max{database=\"default\",tenant=\"\"} 5\n"));
        assertTrue(body, body.contains("# TYPE serv_database_connection_acquire_seconds summary"));
        assertTrue(body, body.matches("(?s).*serv_database_connection_acquire_seconds_count\\{database=\"default\",tenant=\"\"} [1-9]\\d*\n.*"));
        assertTrue(body, body.contains("serv_database_connection_timeouts_total{database=\"default\",tenant=\"\"} 0\n"));
    }

    @Test
    public void databaseServiceCarriesNameDialectAndNoSecret() throws Exception {
        Collection<ServiceReference<Database>> refs = context().getServiceReferences(Database.class,
                "(&(serv.database.name=default)(serv.database.dialect=postgresql)(osgi.jndi.service.name=default))");
        assertEquals(1, refs.size());
        ServiceReference<Database> ref = refs.iterator().next();
        for (String key : ref.getPropertyKeys()) {
            String value = String.valueOf(ref.getProperty(key));
            assertFalse(key + "=" + value, value.contains("postgresql://") || key.contains("password"));
        }
        assertEquals(1, context().getServiceReferences(javax.sql.DataSource.class, "(serv.database.name=default)").size());
    }

    @Test
    public void migrationsRanOnceAndArePublished() throws Exception {
        try (Connection c = context().getService(context().getServiceReference(Database.class)).connection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT extension, version, description FROM serv_migrations ORDER BY version")) {
            assertTrue(rs.next());
            assertEquals("serv.blog", rs.getString(1));
            assertEquals("001", rs.getString(2));
            assertEquals("create users", rs.getString(3));
            assertTrue(rs.next());
            assertEquals("002", rs.getString(2));
            assertTrue(rs.next());
            assertEquals("003", rs.getString(2));
            assertTrue(rs.next());
            assertEquals("004", rs.getString(2));
            assertTrue(rs.next());
            assertEquals("005", rs.getString(2));
            assertEquals("maintain updated at", rs.getString(3));
            assertTrue(rs.next());
            assertEquals("006", rs.getString(2));
            assertFalse(rs.next());
        }
    }

    @Test
    public void createAndGetAPostThroughHttp() throws Exception {
        int author;
        try (Connection c = context().getService(context().getServiceReference(Database.class)).connection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("INSERT INTO users (username, email, password_hash) "
                        + "VALUES ('testuser', 'test@example.com', 'hash') RETURNING id")) {
            rs.next();
            author = rs.getInt(1);
        }
        Answer created = send("POST", "/posts", "application/x-www-form-urlencoded",
                "title=Test+Post&content=This+is+a+test+post&author_id=" + author);
        assertEquals(created.body(), 201, created.status());
        assertTrue(created.body(), created.body().matches(
                "\\{\"id\":\\d+,\"title\":\"Test Post\",\"content\":\"This is a test post\",\"author_id\":" + author
                        + ",\"created_at\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?\"}"));
        String id = created.body().replaceAll("^\\{\"id\":(\\d+),.*", "$1");

        Answer one = get("/posts/" + id);
        assertEquals(200, one.status());
        assertTrue(one.body(), one.body().contains("\"title\":\"Test Post\",\"content\":\"This is a test post\","
                + "\"author\":\"testuser\""));

        Answer list = get("/posts?limit=5");
        assertEquals(200, list.status());
        assertTrue(list.body(), list.body().startsWith("{\"posts\":[{\"id\":" + id + ","));
    }

    @Test
    public void usersAreCreatedWithAHashedPasswordAndDuplicatesAreConflicts() throws Exception {
        Answer created = send("POST", "/users", "application/json",
                "{\"username\":\"carol\",\"email\":\"carol@example.com\",\"password\":\"s3cret-pass\"}");
        assertEquals(created.body(), 201, created.status());
        assertTrue(created.body(), created.body().matches("\\{\"id\":\\d+,\"username\":\"carol\",\"email\":"
                + "\"carol@example.com\",\"created_at\":\"[0-9T:.-]+\"}"));
        try (Connection c = context().getService(context().getServiceReference(Database.class)).connection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT password_hash FROM users WHERE username = 'carol'")) {
            rs.next();
            assertTrue(rs.getString(1).startsWith("pbkdf2-sha256$600000$"));
            assertFalse(rs.getString(1).contains("s3cret-pass"));
        }
        Answer duplicate = send("POST", "/users", "application/x-www-form-urlencoded",
                "username=carol&email=c2%40example.com&password=another-pass");
        assertEquals(409, duplicate.status());
        assertEquals("{\"error\":\"username already exists\"}", duplicate.body());
        assertEquals(400, send("POST", "/users", "application/x-www-form-urlencoded",
                "username=dave&email=not-an-address&password=another-pass").status());
        assertEquals(415, send("POST", "/users", "text/plain", "username=dave").status());
        assertEquals(400, send("POST", "/users", "application/json", "{not json").status());
    }

    @Test
    public void postsCanBeUpdatedAndDeleted() throws Exception {
        String user = send("POST", "/users", "application/x-www-form-urlencoded",
                "username=editor&email=editor%40example.com&password=long+enough").body();
        String author = user.replaceAll("^\\{\"id\":(\\d+),.*", "$1");
        String created = send("POST", "/posts", "application/json",
                "{\"title\":\"Draft\",\"content\":\"v1\",\"author_id\":" + author + "}").body();
        String id = created.replaceAll("^\\{\"id\":(\\d+),.*", "$1");

        Answer updated = send("PUT", "/posts/" + id, "application/x-www-form-urlencoded", "title=Final&content=v2");
        assertEquals(updated.body(), 200, updated.status());
        assertTrue(updated.body(), updated.body().contains("\"title\":\"Final\",\"content\":\"v2\",\"author\":\"editor\""));
        assertEquals(400, send("PUT", "/posts/" + id, "application/x-www-form-urlencoded", "title=&content=v3").status());
        assertEquals(404, send("PUT", "/posts/2147483646", "application/x-www-form-urlencoded", "title=a&content=b").status());

        Answer deleted = send("DELETE", "/posts/" + id, null, null);
        assertEquals(204, deleted.status());
        assertEquals("", deleted.body());
        assertEquals(404, send("DELETE", "/posts/" + id, null, null).status());
        assertEquals(404, get("/posts/" + id).status());
        assertEquals("DELETE, GET, HEAD, PUT", send("PATCH", "/posts/" + id, null, null).header("Allow"));
    }

    @Test
    public void listParametersAreCheckedAndClamped() throws Exception {
        assertEquals(200, get("/posts?limit=&offset=").status());
        assertEquals(200, get("/posts?limit=0").status());
        assertEquals(200, get("/posts?limit=99999999999&offset=-5").status());
        assertEquals(400, get("/posts?limit=abc").status());
        assertEquals(400, get("/posts?limit=1.5").status());
        assertEquals(400, get("/posts?offset=%2B1").status());
        assertEquals("{\"error\":\"limit must be an integer\"}", get("/posts?limit=ten").body());
    }

    @Test
    public void oversizedBodiesAre413() throws Exception {
        String big = "title=t&content=" + "x".repeat(1_100_000) + "&author_id=1";
        Answer tooBig = send("POST", "/posts", "application/x-www-form-urlencoded", big);
        assertEquals(413, tooBig.status());
        assertTrue(tooBig.body(), tooBig.body().startsWith("{\"error\":\"request body larger than "));
    }

    @Test
    public void errorsAreJson() throws Exception {
        Answer missing = get("/no/such/path");
        assertEquals(404, missing.status());
        assertEquals("{\"error\":\"not found\"}", missing.body());

        Answer method = send("DELETE", "/posts", null, null);
        assertEquals(405, method.status());
        assertEquals("GET, HEAD, POST", method.header("Allow"));

        assertEquals(400, get("/posts/abc").status());
        assertEquals(400, get("/posts/99999999999").status());
        Answer notThere = get("/posts/2147483647");
        assertEquals(404, notThere.status());
        assertEquals("{\"error\":\"post not found\"}", notThere.body());

        Answer badAuthor = send("POST", "/posts", "application/json",
                "{\"title\":\"t\",\"content\":\"c\",\"author_id\":424242}");
        assertEquals(400, badAuthor.status());
        assertEquals("{\"error\":\"author not found\"}", badAuthor.body());
    }

    @Test
    public void consoleRefusesAdminAdminAndAcceptsConfiguredLogin() throws Exception {
        awaitStatus("/system/console/bundles", 401, Duration.ofSeconds(10));
        assertEquals(401, get("/system/console/bundles", "Authorization", basic("admin", "admin")).status());

        ConfigurationAdmin cm = context().getService(context().getServiceReference(ConfigurationAdmin.class));
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("username", "operator");
        props.put("password", "correct horse battery staple");
        cm.getConfiguration("serv.console", "?").update(props);
        try {
            String auth = basic("operator", "correct horse battery staple");
            await("the console to accept the configured login", Duration.ofSeconds(10), () -> {
                try {
                    return get("/system/console/bundles", "Authorization", auth).status() == 200;
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(401, get("/system/console/bundles", "Authorization", basic("admin", "admin")).status());
            assertEquals(401, get("/system/console/bundles", "Authorization", basic("operator", "wrong")).status());
            assertNotNull(home().resolve("data/console.credentials"));
        } finally {
            // the other tests' operator (the test kit's login: /health's details)
            updateConfiguration("serv.console", "username", context().getProperty(OPERATOR_USER_PROPERTY),
                    "password", context().getProperty(OPERATOR_PASSWORD_PROPERTY));
        }
    }

    /**
     * Settings edited many times in a row (a script, a form saved twice) end on the last edit in every component
     * that takes them. Felix SCR 2.2.18 read a configuration's properties before its change count: an edit landing
     * between the two reads left a component on the previous values until the next edit (here: one of 30 to 60
     * bursts of 50 edits, in half the runs), while Configuration Admin showed the new ones. Serv runs SCR patched
     * (cnf/scr).
     */
    @Test
    public void aBurstOfEditsEndsOnTheLastOneInEveryComponent() throws Exception {
        ConfigurationAdmin cm = context().getService(context().getServiceReference(ConfigurationAdmin.class));
        org.osgi.service.cm.Configuration[] before = cm.listConfigurations("(service.pid=serv.blog)");
        java.util.Dictionary<String, Object> kept = before == null ? null : before[0].getProperties();
        try {
            for (int burst = 0; burst < 60; burst++) {
                for (int edit = 0; edit < 50; edit++) {
                    updateConfiguration("serv.blog", "repository", edit % 2 == 0 ? "jpa" : "jdbc");
                }
                int b = burst;
                await("every route of the blog on the last edit (jdbc) after burst " + b, Duration.ofSeconds(10),
                        () -> blogRoutesUse("jdbc"));
            }
        } finally {
            restoreBlog(cm, kept);
        }
    }

    /**
     * What SCR reports about a Serv or extension component (its modified method threw) is in the server's log, named
     * by the component's class, with the exception's message: the operator sees why a setting did not apply.
     */
    @Test
    public void aComponentThatRefusesASettingIsNamedInTheLog() throws Exception {
        ConfigurationAdmin cm = context().getService(context().getServiceReference(ConfigurationAdmin.class));
        org.osgi.service.cm.Configuration[] before = cm.listConfigurations("(service.pid=serv.blog)");
        java.util.Dictionary<String, Object> kept = before == null ? null : before[0].getProperties();
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                err.write(b);
                synchronized (lines) {
                    lines.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                err.write(b, off, len);
                synchronized (lines) {
                    lines.write(b, off, len);
                }
            }
        }, true));
        try {
            // The blog's modified method refuses a blank database (Serv's ExtensionDatabase ignores it).
            updateConfiguration("serv.blog", "database", " ");
            await("SCR's error about the blog in the log", Duration.ofSeconds(10), () -> {
                String log;
                synchronized (lines) {
                    log = lines.toString(java.nio.charset.StandardCharsets.UTF_8);
                }
                return log.contains("ERROR serv.blog.internal.Blog") && log.contains("database must name a Serv database");
            });
        } finally {
            System.setErr(err);
            restoreBlog(cm, kept);
        }
    }

    /** Puts the blog's configuration back as it was ({@code null}: there was none). */
    private static void restoreBlog(ConfigurationAdmin cm, java.util.Dictionary<String, Object> kept) throws Exception {
        if (kept == null) {
            cm.getConfiguration("serv.blog", "?").delete();
        } else {
            cm.getConfiguration("serv.blog", "?").update(kept);
        }
    }

    /** Whether every route service of the blog has {@code repository} as its setting. */
    private static boolean blogRoutesUse(String repository) {
        try {
            Collection<ServiceReference<serv.core.Handler>> routes = context().getServiceReferences(
                    serv.core.Handler.class, "(serv.route.path=*)");
            long blog = routes.stream().filter(r -> "serv.blog".equals(r.getBundle().getSymbolicName())).count();
            return blog == 7 && routes.stream().filter(r -> "serv.blog".equals(r.getBundle().getSymbolicName()))
                    .allMatch(r -> repository.equals(r.getProperty("repository")));
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
