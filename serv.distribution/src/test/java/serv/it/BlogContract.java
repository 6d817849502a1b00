package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Before;
import org.junit.Test;
import org.osgi.framework.ServiceReference;

import serv.core.Handler;
import serv.testkit.ServTestSupport;

/**
 * The blog's HTTP contract (issue #5 and the seed's tests), run against each database and each repository
 * implementation by its subclasses: {@code Blog{Postgres,Sqlite}{Jdbc,Jpa}IT}. Each test starts on empty tables.
 */
public abstract class BlogContract extends ServTestSupport {

    static final String FORM = "application/x-www-form-urlencoded";
    static final String JSON = "application/json";

    /** The repository implementation this class tests ({@code jdbc} or {@code jpa}). */
    protected abstract String repository();

    /** serv.config.yaml of a blog on {@code url} (null: the embedded default) with {@code repository}. */
    static String yaml(String url, String repository) {
        return (url == null ? "" : "databases:\n  default: {url: \"" + url + "\"}\n")
                + "extensions:\n  - extension: blog\n    settings: {repository: " + repository + "}\n";
    }

    @Before
    public void emptyTables() throws Exception {
        useRepository(repository());
        truncate("default", "posts", "users");
    }

    /** Switches the blog's repository at run time and waits until its routes say they use it. */
    static void useRepository(String id) throws Exception {
        updateConfiguration("serv.blog", "repository", id);
        await("the blog to use " + id, Duration.ofSeconds(10), () -> {
            try {
                for (ServiceReference<Handler> r : context().getServiceReferences(Handler.class,
                        "(serv.route.path=/posts)")) {
                    if (!id.equals(r.getProperty("repository"))) {
                        return false;
                    }
                }
                return true;
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static int createUser(String name) throws Exception {
        Answer a = send("POST", "/users", FORM, "username=" + name + "&email=" + name + "%40example.com"
                + "&password=correct+horse");
        assertEquals(a.body(), 201, a.status());
        return Integer.parseInt(field(a.body(), "id"));
    }

    static Answer createPost(String title, String content, Object author) throws Exception {
        return send("POST", "/posts", FORM, "title=" + enc(title) + "&content=" + enc(content) + "&author_id="
                + enc(String.valueOf(author)));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\"[^\"]*\"|-?\\d+)").matcher(json);
        assertTrue(name + " in " + json, m.find());
        String v = m.group(1);
        return v.startsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{3}|\\.\\d{6}|\\.\\d{9})?";

    // ---- the seed's two tests ---------------------------------------------------------------------------------

    @Test
    public void createAndGetAPost() throws Exception {
        int ann = createUser("ann");
        Answer created = createPost("Test Post", "This is a test post", ann);
        assertEquals(201, created.status());
        assertEquals("application/json", created.header("Content-Type"));
        assertTrue(created.body(), created.body().matches("\\{\"id\":1,\"title\":\"Test Post\",\"content\":"
                + "\"This is a test post\",\"author_id\":" + ann + ",\"created_at\":\"" + TIME + "\"}"));
        Answer got = get("/posts/1");
        assertEquals(200, got.status());
        assertTrue(got.body(), got.body().matches("\\{\"id\":1,\"title\":\"Test Post\",\"content\":"
                + "\"This is a test post\",\"author\":\"ann\",\"created_at\":\"" + TIME + "\",\"updated_at\":\""
                + TIME + "\"}"));
        assertEquals(field(created.body(), "created_at"), field(got.body(), "created_at"));
    }

    @Test
    public void theRepositoryPatternListsNewestFirstWithAuthors() throws Exception {
        int ann = createUser("ann");
        int bob = createUser("bob");
        for (int i = 1; i <= 3; i++) {
            assertEquals(201, createPost("Post " + i, "Body " + i, i == 2 ? bob : ann).status());
        }
        // Same second on a fast machine: newest first is created_at, then id, descending.
        Answer list = get("/posts");
        assertEquals(200, list.status());
        List<String> ids = new ArrayList<>();
        Matcher m = Pattern.compile("\\{\"id\":(\\d+),\"title\":\"Post \\d\",\"content\":\"Body \\d\",\"author\":"
                + "\"(ann|bob)\",\"created_at\":\"" + TIME + "\"}").matcher(list.body());
        while (m.find()) {
            ids.add(m.group(1));
        }
        assertEquals(list.body(), List.of("3", "2", "1"), ids);
        assertTrue(list.body(), list.body().contains("\"id\":2,\"title\":\"Post 2\",\"content\":\"Body 2\",\"author\":\"bob\""));
    }

    // ---- GET /posts --------------------------------------------------------------------------------------------

    @Test
    public void pagesClampAndRejectNonIntegers() throws Exception {
        int ann = createUser("ann");
        for (int i = 1; i <= 25; i++) {
            createPost("P" + i, "c", ann);
        }
        assertEquals(20, count(get("/posts").body()));
        assertEquals(20, count(get("/posts?limit=&offset=").body()));
        assertEquals(1, count(get("/posts?limit=0").body()));
        assertEquals(1, count(get("/posts?limit=-7").body()));
        assertEquals(25, count(get("/posts?limit=1000").body()));
        assertEquals(5, count(get("/posts?limit=10&offset=20").body()));
        assertEquals(get("/posts?limit=3").body(), get("/posts?limit=3&offset=-4").body());
        assertEquals(0, count(get("/posts?offset=99999999999").body()));
        assertTrue(get("/posts?limit=2&offset=1").body().startsWith("{\"posts\":[{\"id\":24,"));
        for (String bad : new String[] { "limit=abc", "limit=1.5", "offset=x", "offset=2e3", "limit=0x10" }) {
            Answer a = get("/posts?" + bad);
            assertEquals(bad, 400, a.status());
            assertTrue(bad + ": " + a.body(), a.body().matches("\\{\"error\":\"(limit|offset) must be an integer\"}"));
        }
    }

    private static int count(String body) {
        return body.split("\"author\":", -1).length - 1;
    }

    @Test
    public void previewsCutAt200CharactersCountingCodePoints() throws Exception {
        int ann = createUser("ann");
        String exact = "é".repeat(200);
        String longer = "😀".repeat(150) + "ü".repeat(60);
        createPost("exact", exact, ann);
        createPost("longer", longer, ann);
        String list = get("/posts").body();
        String expectedPreview = longer.substring(0, longer.offsetByCodePoints(0, 200)) + "...";
        assertTrue(list, list.contains("\"title\":\"longer\",\"content\":\"" + expectedPreview + "\""));
        assertTrue(list, list.contains("\"title\":\"exact\",\"content\":\"" + exact + "\""));
        assertTrue(get("/posts/2").body().contains("\"content\":\"" + longer + "\""));
    }

    // ---- GET /posts/{id} ---------------------------------------------------------------------------------------

    @Test
    public void postIdsMustBe32BitAsciiIntegers() throws Exception {
        for (String bad : new String[] { "abc", "1.5", "+1", "0x10", "99999999999", "2147483648", "-1", "%201" }) {
            Answer a = get("/posts/" + bad);
            assertEquals(bad, 400, a.status());
            assertEquals("{\"error\":\"invalid post id\"}", a.body());
        }
        Answer missing = get("/posts/2147483647");
        assertEquals(404, missing.status());
        assertEquals("{\"error\":\"post not found\"}", missing.body());
    }

    // ---- POST /posts -------------------------------------------------------------------------------------------

    @Test
    public void newPostsAreCheckedInOrder() throws Exception {
        int ann = createUser("ann");
        String t201 = "t".repeat(201);
        String c10001 = "c".repeat(10001);
        assertError(createPost("", "c", ann), 400, "title must be 1-200 characters");
        assertError(createPost(t201, "", "x"), 400, "title must be 1-200 characters");
        assertError(createPost("t", "", "x"), 400, "content must be 1-10000 characters");
        assertError(createPost("t", c10001, ann), 400, "content must be 1-10000 characters");
        assertError(createPost("t", "c", "x"), 400, "author_id must be an integer");
        assertError(createPost("t", "c", "1.0"), 400, "author_id must be an integer");
        assertError(createPost("t", "c", "99999999999"), 400, "author_id must be an integer");
        assertError(createPost("t", "c", 424242), 400, "author not found");
        assertEquals(201, createPost("😀".repeat(200), "c".repeat(10000), ann).status());
        Answer json = send("POST", "/posts", JSON, "{\"title\":\"J\",\"content\":\"from JSON\",\"author_id\":" + ann + "}");
        assertEquals(json.body(), 201, json.status());
        // PostgreSQL's serial moved on at the refused inserts; SQLite's did not.
        assertTrue(json.body(), json.body().matches("\\{\"id\":\\d+,\"title\":\"J\",\"content\":\"from JSON\",\"author_id\":" + ann + ",.*"));
        assertError(send("POST", "/posts", JSON, "{\"title\":"), 400,
                "the request body is not valid JSON (line 1, column 10)");
        // Strictly one JSON value, each field once, whole characters; a form in UTF-8: nothing half-taken is stored
        String valid = "{\"title\":\"t\",\"content\":\"c\",\"author_id\":" + ann;
        assertError(send("POST", "/posts", JSON, valid + "} x"), 400,
                "the request body is not valid JSON: more follows its value (line 1, column " + (valid.length() + 4)
                        + ")");
        assertError(send("POST", "/posts", JSON, valid + ",\"title\":\"u\"}"), 400,
                "the request body is not valid JSON: 'title' is given twice (line 1, column " + (valid.length() + 9)
                        + ")");
        assertError(send("POST", "/posts", JSON, "{\"title\":\"\\ud83d\",\"content\":\"c\",\"author_id\":" + ann
                + "}"), 400, "the request body is not valid JSON: a lone UTF-16 surrogate at byte 10 (half of a pair"
                        + " is no character)");
        assertError(send("POST", "/posts", FORM, "title=caf%E9&content=c&author_id=" + ann), 400,
                "title is not valid UTF-8: send text as UTF-8");
        // A field is one value: an array or an object is refused (it was stored as its JSON text).
        assertError(send("POST", "/posts", JSON, "{\"title\":[\"t\"],\"content\":\"c\",\"author_id\":" + ann + "}"),
                400, "title must be a string, a number or a boolean, not an array");
        assertError(send("POST", "/posts", JSON, "{\"title\":\"t\",\"content\":{\"a\":1},\"author_id\":" + ann
                + "}"), 400, "content must be a string, a number or a boolean, not an object");
        assertEquals(415, send("POST", "/posts", "text/plain", "title=t").status());
        assertEquals(2, count(get("/posts").body()));
    }

    static void assertError(Answer a, int status, String message) {
        assertEquals(a.body(), status, a.status());
        assertEquals("{\"error\":\"" + message + "\"}", a.body());
    }

    // ---- PUT and DELETE /posts/{id} ----------------------------------------------------------------------------

    @Test
    public void postsAreUpdatedAndDeleted() throws Exception {
        int ann = createUser("ann");
        createPost("v1", "first", ann);
        String before = get("/posts/1").body();
        Thread.sleep(20); // updated_at moves on
        Answer updated = send("PUT", "/posts/1", FORM, "title=v2&content=second");
        assertEquals(updated.body(), 200, updated.status());
        assertTrue(updated.body(), updated.body().startsWith("{\"id\":1,\"title\":\"v2\",\"content\":\"second\",\"author\":\"ann\""));
        assertEquals(field(before, "created_at"), field(updated.body(), "created_at"));
        assertTrue(updated.body(), field(updated.body(), "updated_at").compareTo(field(before, "updated_at")) > 0);
        assertEquals(updated.body(), get("/posts/1").body());
        assertError(send("PUT", "/posts/1", FORM, "title=&content=x"), 400, "title must be 1-200 characters");
        assertError(send("PUT", "/posts/77", FORM, "title=a&content=b"), 404, "post not found");
        Answer deleted = send("DELETE", "/posts/1", null, null);
        assertEquals(204, deleted.status());
        assertEquals("", deleted.body());
        assertError(send("DELETE", "/posts/1", null, null), 404, "post not found");
        assertError(get("/posts/1"), 404, "post not found");
    }

    // ---- POST /users -------------------------------------------------------------------------------------------

    @Test
    public void usersKeepOnlyASaltedHashAndDuplicatesAre409() throws Exception {
        Answer created = send("POST", "/users", JSON,
                "{\"username\":\"carol\",\"email\":\"carol@example.com\",\"password\":\"s3cret-enough\"}");
        assertEquals(created.body(), 201, created.status());
        assertTrue(created.body(), created.body().matches("\\{\"id\":1,\"username\":\"carol\",\"email\":"
                + "\"carol@example.com\",\"created_at\":\"" + TIME + "\"}"));
        try (Connection c = database("default").connection();
                PreparedStatement st = c.prepareStatement("SELECT password_hash FROM users WHERE username = ?")) {
            st.setString(1, "carol");
            try (ResultSet rs = st.executeQuery()) {
                assertTrue(rs.next());
                String hash = rs.getString(1);
                assertTrue(hash, hash.startsWith("pbkdf2-sha256$"));
                assertFalse(hash, hash.contains("s3cret-enough"));
            }
        }
        assertError(send("POST", "/users", FORM, "username=carol&email=other%40example.com&password=long+enough"),
                409, "username already exists");
        assertError(send("POST", "/users", FORM, "username=carol2&email=carol%40example.com&password=long+enough"),
                409, "email already exists");
        assertEquals(400, send("POST", "/users", FORM, "username=d&email=d%40x.io&password=short").status());
    }

    @Test
    public void usersAreListedReadChangedAndDeleted() throws Exception {
        int ann = createUser("ann");
        int bob = createUser("bob");
        Answer list = get("/users");
        assertEquals(200, list.status());
        assertTrue(list.body(), list.body().matches("\\{\"users\":\\[\\{\"id\":" + ann + ",\"username\":\"ann\","
                + "\"email\":\"ann@example.com\",\"created_at\":\"" + TIME + "\"},\\{\"id\":" + bob + ",.*]}"));
        assertFalse(list.body(), list.body().contains("password"));
        assertEquals(1, get("/users?limit=1&offset=1").body().split("\"username\"").length - 1);
        assertEquals(get("/users?offset=1").body(), "{\"users\":[" + get("/users/" + bob).body() + "]}");
        Answer changed = send("PUT", "/users/" + ann, FORM, "email=ann.new%40example.com");
        assertEquals(changed.body(), 200, changed.status());
        assertTrue(changed.body(), changed.body().contains("\"email\":\"ann.new@example.com\""));
        assertError(send("PUT", "/users/" + bob, FORM, "email=ann.new%40example.com"), 409, "email already exists");
        assertError(send("PUT", "/users/" + bob, FORM, "email=broken"), 400,
                "email must be a valid address of at most 100 characters");
        assertError(send("PUT", "/users/77", FORM, "email=x%40example.com"), 404, "user not found");
        assertError(get("/users/abc"), 400, "invalid user id");
        createPost("by bob", "c", bob);
        assertError(send("DELETE", "/users/" + bob, null, null), 409, "user has posts");
        assertEquals(200, get("/users/" + bob).status());
        assertEquals(204, send("DELETE", "/users/" + ann, null, null).status());
        assertError(get("/users/" + ann), 404, "user not found");
        assertError(send("DELETE", "/users/" + ann, null, null), 404, "user not found");
    }

    // ---- both repositories, one answer -------------------------------------------------------------------------

    /** Rows with fixed timestamps (whole seconds, milliseconds, microseconds) and non-ASCII text. */
    private static void seed() throws Exception {
        truncate("default", "posts", "users");
        try (Connection c = database("default").connection()) {
            try (PreparedStatement st = c.prepareStatement("INSERT INTO users (username, email, password_hash, "
                    + "created_at) VALUES (?, ?, 'pbkdf2-sha256$1$AA$AA', '2024-01-07 22:40:00')")) {
                for (String u : new String[] { "ann", "björn" }) {
                    st.setString(1, u);
                    st.setString(2, u + "@example.com");
                    st.executeUpdate();
                }
            }
            String[][] posts = {
                { "Plain", "short", "1", "2024-01-07 22:40:00", "2024-01-07 22:40:00" },
                { "Ünïcödé 😀", "😀é".repeat(150), "2", "2024-01-07 22:40:00.5", "2024-01-08 09:00:00.25" },
                { "Micro", "x".repeat(300), "1", "2024-01-07 22:40:00.123456", "2024-01-07 22:40:00.123456" },
                { "Same second", "y", "2", "2024-01-07 22:40:00.5", "2024-01-07 22:40:00.5" } };
            try (PreparedStatement st = c.prepareStatement("INSERT INTO posts (title, content, author_id, "
                    + "created_at, updated_at) VALUES (?, ?, ?, " + cast(c, "?") + ", " + cast(c, "?") + ")")) {
                for (String[] p : posts) {
                    st.setString(1, p[0]);
                    st.setString(2, p[1]);
                    st.setInt(3, Integer.parseInt(p[2]));
                    st.setString(4, p[3]);
                    st.setString(5, p[4]);
                    st.executeUpdate();
                }
            }
        }
    }

    private static String cast(Connection c, String parameter) throws Exception {
        return c.getMetaData().getDatabaseProductName().contains("PostgreSQL") ? "CAST(" + parameter + " AS timestamp)"
                : parameter;
    }

    /** Status and body of every read and refused write, in order. */
    private static List<String> readsAndRefusals() throws Exception {
        List<String> out = new ArrayList<>();
        for (String path : new String[] { "/posts", "/posts?limit=2&offset=1", "/posts?limit=1&offset=3",
                "/posts?offset=10", "/posts/1", "/posts/2", "/posts/3", "/posts/4", "/posts/99", "/posts/abc",
                "/posts?limit=x", "/users", "/users?limit=1&offset=1", "/users/2", "/users/99", "/users/x" }) {
            Answer a = get(path);
            out.add(path + " " + a.status() + " " + a.body());
        }
        out.add(answer(createPost("t", "c", 999)));
        out.add(answer(createPost("", "c", 1)));
        out.add(answer(send("PUT", "/posts/99", FORM, "title=a&content=b")));
        out.add(answer(send("DELETE", "/posts/99", null, null)));
        out.add(answer(send("POST", "/users", FORM, "username=ann&email=new%40example.com&password=long+enough")));
        out.add(answer(send("POST", "/users", FORM, "username=new&email=ann%40example.com&password=long+enough")));
        out.add(answer(send("PUT", "/users/1", FORM, "email=bj%C3%B6rn%40example.com")));
        out.add(answer(send("PUT", "/users/99", FORM, "email=x%40example.com")));
        out.add(answer(send("PUT", "/users/1", FORM, "email=nope")));
        out.add(answer(send("DELETE", "/users/1", null, null)));
        return out;
    }

    /** Status and body of successful writes, the database's clock masked. */
    private static List<String> writes() throws Exception {
        List<String> out = new ArrayList<>();
        out.add(answer(createPost("Neu 😀", "Inhalt ü", 2)));
        out.add(answer(send("PUT", "/posts/2", FORM, "title=Changed&content=" + enc("😀".repeat(3)))));
        out.add(answer(send("DELETE", "/posts/1", null, null)));
        out.add(answer(send("POST", "/users", JSON, "{\"username\":\"zoë\",\"email\":\"z@example.com\","
                + "\"password\":\"long enough\"}")));
        out.add(answer(send("POST", "/users", JSON, "{\"username\":\"zoe\",\"email\":\"zoë@example.com\","
                + "\"password\":\"long enough\"}")));
        out.add(answer(get("/posts")));
        return out;
    }

    private static String answer(Answer a) {
        return a.status() + " " + a.body().replaceAll("\"(created_at|updated_at)\":\"" + NOW + "\"", "\"$1\":\"NOW\"");
    }

    /** A timestamp of today (the seeded ones are of 2024): written by the database's clock during the test. */
    private static final String NOW = java.time.LocalDate.now().getYear() + "-[0-9T:.-]+";

    @Test
    public void jdbcAndJpaAnswerByteForByteTheSame() throws Exception {
        java.util.Map<String, List<String>> reads = new java.util.LinkedHashMap<>();
        java.util.Map<String, List<String>> written = new java.util.LinkedHashMap<>();
        try {
            for (String repository : new String[] { "jdbc", "jpa" }) {
                useRepository(repository);
                seed();
                reads.put(repository, readsAndRefusals());
                written.put(repository, writes());
            }
        } finally {
            useRepository(repository());
        }
        assertEquals(reads.get("jdbc"), reads.get("jpa"));
        assertEquals(written.get("jdbc"), written.get("jpa"));
        String list = reads.get("jdbc").get(0);
        assertTrue(list, list.startsWith("/posts 200 {\"posts\":[{\"id\":4,\"title\":\"Same second\""));
        assertTrue(list, list.contains("\"created_at\":\"2024-01-07T22:40:00.123456\""));
        assertTrue(list, list.contains("\"author\":\"björn\",\"created_at\":\"2024-01-07T22:40:00.500\""));
        assertTrue(list, list.endsWith("\"created_at\":\"2024-01-07T22:40:00\"}]}"));
        assertTrue(written.get("jdbc").toString(), written.get("jdbc").get(0).matches("201 \\{\"id\":[56],.*"));
        assertTrue(written.get("jdbc").toString(), written.get("jdbc").get(4).matches("201 \\{\"id\":[35],\"username\":\"zoe\",.*"));
    }

    // ---- the blog's database setting ---------------------------------------------------------------------------

    @Test
    public void theBlogMovesToTheDatabaseItsSettingNamesTablesIncluded() throws Exception {
        createUser("stays");
        org.osgi.service.cm.ConfigurationAdmin cm = context().getService(
                context().getServiceReference(org.osgi.service.cm.ConfigurationAdmin.class));
        org.osgi.service.cm.Configuration other = cm.getFactoryConfiguration("serv.database", "other", "?");
        java.util.Hashtable<String, Object> props = new java.util.Hashtable<>();
        props.put("name", "other");
        // Of the same dialect as default: a persistence unit serves databases of one dialect.
        props.put("url", database("default").dialect().orElseThrow() == serv.database.Dialect.POSTGRESQL
                ? freshPostgres() : "sqlite:///data/other-" + System.nanoTime() + ".db");
        other.update(props);
        try {
            awaitState("other", "UP", Duration.ofSeconds(20));
            updateConfiguration("serv.blog", "repository", repository(), "database", "other");
            await("the blog's routes on database other", Duration.ofSeconds(10), () -> {
                try {
                    return context().getServiceReferences(Handler.class, "(serv.route.database=other)").size() == 7;
                } catch (org.osgi.framework.InvalidSyntaxException e) {
                    throw new IllegalStateException(e);
                }
            });
            // Its migrations followed: the new database has the tables, empty.
            Answer list = awaitStatus("/posts", 200, Duration.ofSeconds(20));
            assertEquals("{\"posts\":[]}", list.body());
            int id = createUser("moved");
            assertEquals(1, id);
            assertEquals(201, createPost("On other", "text", id).status());
            assertTrue(get("/posts").body().contains("\"author\":\"moved\""));
        } finally {
            useRepository(repository());
            await("the blog's routes back on database default", Duration.ofSeconds(10), () -> {
                try {
                    return context().getServiceReferences(Handler.class, "(serv.route.database=default)").size() == 7;
                } catch (org.osgi.framework.InvalidSyntaxException e) {
                    throw new IllegalStateException(e);
                }
            });
            other.delete();
        }
        // Back on default, where nothing moved.
        assertEquals("{\"posts\":[]}", awaitStatus("/posts", 200, Duration.ofSeconds(20)).body());
        assertError(send("POST", "/users", FORM, "username=stays&email=x%40y.z&password=long+enough"), 409,
                "username already exists");
    }

    // ---- the rest of the contract ------------------------------------------------------------------------------

    @Test
    public void unknownPathsMethodsAndOversizedBodies() throws Exception {
        assertError(get("/nope"), 404, "not found");
        Answer patch = send("PATCH", "/posts", FORM, "title=x");
        assertEquals(405, patch.status());
        assertEquals("GET, HEAD, POST", patch.header("Allow"));
        assertEquals(405, send("POST", "/posts/1", FORM, "title=x").status());
        Answer big = send("POST", "/posts", FORM, "title=t&content=" + "x".repeat(1_100_000) + "&author_id=1");
        assertEquals(413, big.status());
        assertNotNull(big.body());
    }
}
