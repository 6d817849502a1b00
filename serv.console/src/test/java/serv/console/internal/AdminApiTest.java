package serv.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import serv.core.config.ConfigChecks;
import serv.core.config.ConfigStatus;
import serv.core.config.Secrets;
import serv.core.runtime.Routes;
import serv.core.runtime.Traffic;
import serv.core.tenant.Tenants;
import serv.database.Database;
import serv.database.DatabaseState;
import serv.database.MigrationException;
import serv.database.Migrations;

/** The admin API's answers as a client sees them (status, headers, body), over stand-ins for the server. */
class AdminApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PG_NUL = "the rollback's hold could not be removed: ERROR: invalid byte sequence for"
            + " encoding \"UTF8\": 0x00\n  Where: unnamed portal parameter $1";

    private final List<Bundle> bundles = new ArrayList<>();
    private final Map<String, String> refused = new HashMap<>();
    private final List<Configuration> configurations = new ArrayList<>();
    private final AtomicBoolean deleted = new AtomicBoolean();
    private final List<String> applied = new ArrayList<>();
    private final List<String> rolledBackTo = new ArrayList<>();
    private final List<serv.core.runtime.RouteInfo> routeList = new ArrayList<>();
    private List<Database> databaseList;
    private AdminApi api;
    private Facts facts;

    @BeforeEach
    void server() throws Exception {
        bundles.add(bundle("serv.blog", 7));
        BundleContext context = Fakes.of(BundleContext.class, Map.of(
                "getBundles", a -> bundles.toArray(new Bundle[0])));
        Routes routes = Fakes.of(Routes.class, Map.of("routes", a -> List.copyOf(routeList)));
        Tenants tenants = Fakes.of(Tenants.class, Map.of("refused", a -> refused));
        ConfigurationAdmin cm = Fakes.of(ConfigurationAdmin.class, Map.of("listConfigurations", a -> configurations
                .stream().filter(c -> a[0].toString().contains("(id=" + c.getProperties().get("id") + ")"))
                .toArray(Configuration[]::new)));
        Migrations migrations = Fakes.of(Migrations.class, Map.of(
                "applyAgain", a -> {
                    applied.add((String) a[1]);
                    throw new MigrationException(PG_NUL);
                },
                "rollback", a -> {
                    rolledBackTo.add((String) a[2]);
                    return List.of();
                }));
        Extensions extensions = new Extensions(context, routes, tenants, migrations);
        facts = new Facts(context, cm, routes, Fakes.of(Traffic.class), tenants, Fakes.of(ConfigStatus.class),
                migrations, null, extensions);
        Field databases = Facts.class.getDeclaredField("databases");
        databases.setAccessible(true);
        @SuppressWarnings("unchecked")
        List<Database> dbs = (List<Database>) databases.get(facts);
        dbs.add(Fakes.of(Database.class, Map.of("name", a -> "default", "state", a -> DatabaseState.UP)));
        databaseList = dbs; // the facts' own: a test adds databases to it
        ConfigChecks checks = Fakes.of(ConfigChecks.class, Map.of("problems", a -> {
            Object id = ((Map<?, ?>) a[2]).get("id");
            return String.valueOf(id).matches("[a-z][a-z0-9-]{0,62}") ? List.of()
                    : List.of("tenant: key 'id': '" + id + "' is not a slug; use lower-case letters, digits and '-',"
                            + " starting with a letter");
        }));
        Secrets secrets = Fakes.of(Secrets.class, Map.of("sealAll", a -> a[0]));
        api = new AdminApi(facts, new TenantAdmin(cm, checks, secrets, facts, tenants), extensions, migrations);
    }

    private static Bundle bundle(String bsn, long id) {
        Dictionary<String, String> headers = new Hashtable<>(Map.of("Import-Package", "serv.core;version=\"[1,2)\""));
        return Fakes.of(Bundle.class, Map.of("getSymbolicName", a -> bsn, "getBundleId", a -> id,
                "getHeaders", a -> headers, "getVersion", a -> new Version(1, 0, 0), "getState", a -> Bundle.ACTIVE,
                "getLocation", a -> "reference:file:bundles/" + bsn + ".jar"));
    }

    private Exchange send(String method, String path) throws Exception {
        return new Exchange(method, path).send(api);
    }

    private Exchange post(String path, String json) throws Exception {
        return new Exchange("POST", path).json(json).send(api);
    }

    private static String error(Exchange e) throws Exception {
        JsonNode body = JSON.readTree(e.text());
        assertTrue(body.hasNonNull("error"), e.text());
        return body.get("error").asText();
    }

    // ---- methods --------------------------------------------------------------------------------------------

    @Test
    void headAnswersAsGetWithoutTheBody() throws Exception {
        for (String path : List.of("tenants", "extensions", "routes", "extensions/serv.blog", "cluster")) {
            Exchange get = send("GET", path);
            Exchange head = send("HEAD", path);
            assertEquals(200, get.status, path + ": " + get.text());
            assertEquals(200, head.status, path + ": " + head.text());
            assertEquals(0, head.written.size(), path);
            assertEquals(Integer.toString(get.written.size()), head.headers.get("Content-Length"), path);
            assertEquals("application/json", head.headers.get("Content-Type"));
        }
        Exchange missing = send("HEAD", "tenants/nope");
        assertEquals(404, missing.status);
        assertEquals(0, missing.written.size());
    }

    @Test
    void optionsSaysWhatThePathAnswers() throws Exception {
        Exchange o = send("OPTIONS", "tenants/acme");
        assertEquals(204, o.status);
        assertEquals("GET, HEAD, PUT, PATCH, DELETE, OPTIONS", o.headers.get("Allow"));
        assertEquals(0, o.written.size());
        assertEquals("GET, HEAD, OPTIONS", send("OPTIONS", "overview").headers.get("Allow"));
        assertEquals(404, send("OPTIONS", "nothing-here").status);
    }

    @Test
    void traceAndUnknownMethodsAre405WithAllow() throws Exception {
        for (String method : List.of("TRACE", "CONNECT", "PROPFIND", "PUT")) {
            Exchange t = send(method, "overview");
            assertEquals(405, t.status, method);
            assertEquals("GET, HEAD, OPTIONS", t.headers.get("Allow"));
            assertEquals(method + " is not allowed on overview; use GET, HEAD, OPTIONS", error(t));
        }
        Exchange post = send("POST", "tenants/acme");
        assertEquals(405, post.status);
        assertEquals("GET, HEAD, PUT, PATCH, DELETE, OPTIONS", post.headers.get("Allow"));
    }

    @Test
    void anUnknownSubPathIs404NotAMethodThatIsNotAllowed() throws Exception {
        Exchange e = send("GET", "tenants/acme/x");
        assertEquals(404, e.status);
        assertEquals("API path tenants/acme/x not found", error(e));
        assertEquals(404, send("POST", "databases/default/nothing").status);
        assertEquals(404, send("GET", "extensions/serv.blog/start/x").status);
    }

    @Test
    void patchIsAnEditLikePut() throws Exception {
        Exchange patch = new Exchange("PATCH", "tenants/acme").json("{\"name\":\"ACME\"}").send(api);
        assertEquals(404, patch.status); // routed to the edit: there is no tenant acme
        assertEquals("tenant acme not found", error(patch));
    }

    // ---- bodies and echoes --------------------------------------------------------------------------------

    @Test
    void onlyJsonIsJson() throws Exception {
        Exchange x = new Exchange("POST", "tenants").json("{\"id\":\"acme\"}");
        x.contentType = "application/jsonx";
        assertEquals(415, x.send(api).status);
    }

    @Test
    void aBodyNestedTooDeeplyIsSaidSo() throws Exception {
        Exchange e = post("tenants", "[".repeat(5000) + "]".repeat(5000));
        assertEquals(400, e.status);
        assertEquals("the body is nested too deeply (more than " + JsonBody.MAX_DEPTH + " levels of arrays and"
                + " objects)", error(e));
    }

    @Test
    void aValueTheAnswerRepeatsIsCut() throws Exception {
        String id = "A".repeat(100_000);
        Exchange created = post("tenants", "{\"id\":\"" + id + "\",\"hosts\":[\"a.test\"]}");
        assertEquals(400, created.status);
        assertEquals("tenant: key 'id': '" + "A".repeat(60) + "…' is not a slug; use lower-case letters, digits and"
                + " '-', starting with a letter", error(created));
        Exchange got = send("GET", "tenants/" + id);
        assertEquals(404, got.status);
        assertEquals("tenant " + "A".repeat(60) + "… not found", error(got));
        assertTrue(send("GET", "x".repeat(10_000)).text().length() < 200);
        assertTrue(post("tenants", "{\"" + "k".repeat(5000) + "\":1}").text().length() < 400);
    }

    @Test
    void aPageParameterTooLargeIsSaidSo() throws Exception {
        Exchange huge = new Exchange("GET", "tenants");
        huge.parameters.put("limit", "99999999999999");
        assertEquals(400, huge.send(api).status);
        assertEquals("limit=99999999999999: too large; give a whole number up to 2147483647", error(huge));
        Exchange negative = new Exchange("GET", "tenants");
        negative.parameters.put("offset", "-5");
        assertEquals(400, negative.send(api).status);
        assertEquals("offset=-5: give a whole number, 0 or more", error(negative));
    }

    // ---- extensions ---------------------------------------------------------------------------------------

    /**
     * Serv's own parts are not extensions: stopping, starting or removing one through the API (and so {@code serv
     * extension stop}) is refused with 409 saying what it is, by name or bundle id, and nothing is done to it; serv.cluster
     * (which uses the database API, as extensions do) is not listed as one either. An extension stops.
     */
    @Test
    void servsOwnPartsAreRefusedSayingWhyAndAnExtensionStops() throws Exception {
        List<String> stopped = new ArrayList<>();
        bundles.clear();
        bundles.add(stoppable("serv.blog", 7, stopped));
        List<String> own = List.of("serv.core", "serv.database", "serv.console", "serv.jpa", "serv.cluster");
        for (int i = 0; i < own.size(); i++) {
            bundles.add(stoppable(own.get(i), 20 + i, stopped));
        }
        JsonNode listed = JSON.readTree(send("GET", "extensions").text()).get("extensions");
        assertEquals(1, listed.size(), listed.toString());
        assertEquals("serv.blog", listed.get(0).get("symbolic_name").asText());

        for (int i = 0; i < own.size(); i++) {
            String bsn = own.get(i);
            for (String named : List.of(bsn, Integer.toString(20 + i))) {
                Exchange stop = post("extensions/" + named + "/stop", "{}");
                assertEquals(409, stop.status, named + ": " + stop.text());
                assertTrue(error(stop).startsWith(bsn + " is part of Serv, not an extension, and is not stopped"
                        + " here: it is "), error(stop));
                assertTrue(error(stop).endsWith(". Serv's parts run as long as the server does (a restart starts"
                        + " them all again)"), error(stop));
                assertEquals(409, post("extensions/" + named + "/start", "{}").status, named);
                assertEquals(409, send("DELETE", "extensions/" + named).status, named);
            }
            Exchange got = send("GET", "extensions/" + bsn);
            assertEquals(404, got.status);
            assertTrue(error(got).startsWith(bsn + " is part of Serv, not an extension: "), error(got));
        }
        assertTrue(error(post("extensions/serv.cluster/stop", "{}")).contains("what makes this server a node of its"
                + " cluster"));
        assertEquals(List.of(), stopped, "nothing of Serv's was stopped or started");

        Exchange blog = post("extensions/serv.blog/stop", "{}");
        assertEquals(200, blog.status, blog.text());
        assertEquals(List.of("stop serv.blog"), stopped);
        assertEquals("extension nope not found", error(post("extensions/nope/stop", "{}")));
        assertFalse(facts.attention().toString().contains("serv.cluster"), "nothing needs attention");

        // Stopped another way (the Web Console's Bundles page): the overview's attention list says so, as Serv's.
        bundles.removeIf(b -> b.getSymbolicName().equals("serv.cluster"));
        bundles.add(Fakes.of(Bundle.class, Map.of("getSymbolicName", a -> "serv.cluster", "getBundleId", a -> 24L,
                "getState", a -> Bundle.RESOLVED, "getHeaders", a -> new Hashtable<>())));
        String attention = JSON.writeValueAsString(facts.attention());
        assertTrue(attention.contains("\"subject\":\"serv.cluster\",\"message\":\"serv.cluster (part of Serv: what"
                + " makes this server a node of its cluster"), attention);
        assertTrue(attention.contains(") is RESOLVED; a restart starts it again\""), attention);
    }

    /**
     * A shared database that is down is an item of the attention list either way; it says whether /health is DOWN
     * for it, as /health judges it: only when a route (of an extension that is not stopped) uses it.
     */
    @Test
    void aSharedDatabaseDownSaysWhetherItTakesTheNodeOut() throws Exception {
        databaseList.add(Fakes.of(Database.class, Map.of("name", a -> "analytics", "state",
                a -> DatabaseState.RETRYING, "reason", a -> java.util.Optional.of("connection refused"))));
        routeList.add(new serv.core.runtime.RouteInfo(java.util.Set.of("GET"), "/posts", "default", "serv.blog",
                "1.0.0", 7, serv.core.runtime.RouteStatus.SERVING, null));
        String unused = JSON.writeValueAsString(facts.attention());
        assertTrue(unused.contains("\"message\":\"database analytics is RETRYING: connection refused; no route uses it,"
                + " so /health stays UP (once a route uses it, /health is DOWN while it is not UP): fix its settings,"
                + " or remove it while nothing needs it\""), unused);

        routeList.add(new serv.core.runtime.RouteInfo(java.util.Set.of("GET"), "/reports", "analytics",
                "serv.reports", "1.0.0", 8, serv.core.runtime.RouteStatus.DATABASE_DOWN, "database analytics is"
                        + " RETRYING"));
        String used = JSON.writeValueAsString(facts.attention());
        assertTrue(used.contains("\"message\":\"database analytics is RETRYING: connection refused; the routes of"
                + " serv.reports use it and answer 503, so /health is DOWN\""), used);
    }

    /** A bundle whose stop and start are written down. */
    private static Bundle stoppable(String bsn, long id, List<String> calls) {
        Bundle plain = bundle(bsn, id);
        return Fakes.of(Bundle.class, Map.of("getSymbolicName", a -> bsn, "getBundleId", a -> id,
                "getHeaders", a -> plain.getHeaders(""), "getVersion", a -> new Version(1, 0, 0),
                "getState", a -> Bundle.ACTIVE, "getLocation", a -> plain.getLocation(),
                "stop", a -> calls.add("stop " + bsn) ? null : null, "start", a -> calls.add("start " + bsn) ? null : null));
    }

    // ---- migrations ---------------------------------------------------------------------------------------

    @Test
    void anExtensionNameIsCheckedBeforeTheDatabaseSeesIt() throws Exception {
        for (String body : List.of("{\"extension\":\"serv.blog\\u0000\"}", "{\"extension\":\"../../etc\"}",
                "{\"extension\":\"serv blog\"}", "{\"extension\":7}")) {
            Exchange e = post("databases/default/migrate", body);
            assertEquals(400, e.status, body);
        }
        Exchange nope = post("databases/default/migrate", "{\"extension\":\"nope\"}");
        assertEquals(404, nope.status);
        assertEquals("no extension nope is installed (GET extensions lists them)", error(nope));
        for (String extension : List.of("nope", "../../etc", "serv.blog\\u0000")) {
            Exchange r = post("databases/default/rollback", "{\"extension\":\"" + extension + "\",\"version\":\"1\","
                    + "\"confirm\":true}");
            assertEquals(extension.equals("nope") ? 404 : 400, r.status, extension + ": " + r.text());
        }
        assertEquals(List.of(), applied);
        assertEquals(200, post("databases/default/rollback", "{\"extension\":\"serv.blog\",\"version\":\"1\","
                + "\"confirm\":true}").status);
    }

    @Test
    void noSqlTextIsAnswered() throws Exception {
        Exchange e = post("databases/default/migrate", "{\"extension\":\"serv.blog\"}");
        assertEquals(409, e.status);
        String error = error(e);
        assertTrue(error.startsWith("the rollback's hold could not be removed; the database's own message is in the"
                + " server's log (error id "), error);
        assertFalse(error.contains("0x00") || error.contains("portal") || error.contains("ERROR"), error);
    }

    // ---- a refused tenant ---------------------------------------------------------------------------------

    private void refusedTenant() {
        Hashtable<String, Object> props = new Hashtable<>(Map.of("id", "acme", "hosts", new String[] { "acme.test" },
                "database_schema", "ops1_data"));
        configurations.add(Fakes.of(Configuration.class, Map.of("getProperties", a -> props,
                "getPid", a -> "serv.tenant~acme", "delete", a -> {
                    deleted.set(true);
                    return null;
                })));
        refused.put("serv.tenant~acme", "tenant acme: key 'database_schema': 'ops1_data' is tenant ops1's schema of"
                + " the shared database (they would share their data); give each tenant its own schema");
    }

    /** "version": 1.10 as a JSON number is the double 1.1: the rollback went down to 1.1, past 1.2 to 1.10. */
    @Test
    void aRollbackVersionWithAFractionIsGivenAsText() throws Exception {
        Exchange number = post("databases/default/rollback", "{\"extension\":\"serv.blog\",\"version\":1.10,"
                + "\"confirm\":true}");
        assertEquals(400, number.status, number.text());
        assertTrue(error(number).startsWith("key 'version': 1.1 came as a JSON number with a fraction"), number.text());
        assertEquals(List.of(), rolledBackTo);
        Exchange text = post("databases/default/rollback", "{\"extension\":\"serv.blog\",\"version\":\"1.10\","
                + "\"confirm\":true}");
        assertEquals(200, text.status, text.text());
        Exchange whole = post("databases/default/rollback", "{\"extension\":\"serv.blog\",\"version\":3,"
                + "\"confirm\":true}");
        assertEquals(200, whole.status, whole.text());
        assertEquals(List.of("1.10", "3"), rolledBackTo);
    }

    @Test
    void aVersionThatIsNoNumberIsSaidSo() throws Exception {
        Exchange e = new Exchange("PUT", "tenants/acme").json("{\"version\":\"abc\",\"name\":\"x\"}").send(api);
        assertEquals(400, e.status, e.text());
        assertEquals("key 'version': abc is not a number; give the version the edit was made on, a whole number (GET"
                + " tenants/acme says it), or leave it out", error(e));
    }

    /**
     * A tenant edit's "version" (the version it was made on) with a fraction was cut to a whole number (1.5 taken for
     * 1) and, outside a cluster, not looked at: a 400 naming the key, as a rollback's version with a fraction is.
     */
    @Test
    void aVersionThatIsNoWholeNumberIsRefused() throws Exception {
        editableTenant();
        for (String version : List.of("1.5", "7.0", "1e3", "-1", "99999999999999999999", "true", "[1]")) {
            Exchange e = new Exchange("PUT", "tenants/acme").json("{\"version\":" + version + ",\"name\":\"x\"}")
                    .send(api);
            assertEquals(400, e.status, version + ": " + e.text());
            assertTrue(error(e).startsWith("key 'version': "), version + ": " + error(e));
            Exchange created = post("tenants", "{\"id\":\"acme2\",\"version\":" + version + "}");
            assertEquals(400, created.status, version + ": " + created.text());
            assertTrue(error(created).startsWith("key 'version': "), version + ": " + error(created));
        }
        assertEquals("key 'version': 1.5 is not a whole number; give the version the edit was made on, a whole number"
                + " (GET tenants/acme says it), or leave it out", error(new Exchange("PUT", "tenants/acme").json(
                        "{\"version\":1.5}").send(api)));
        assertEquals(List.of(), saved, "nothing was stored");
        Exchange whole = new Exchange("PUT", "tenants/acme").json("{\"version\":3,\"name\":\"x\"}").send(api);
        assertEquals(200, whole.status, whole.text());
    }

    private final List<Dictionary<String, Object>> saved = new ArrayList<>();

    /** Tenant acme, stored; its saves are in {@link #saved}. */
    private void editableTenant() {
        Hashtable<String, Object> props = new Hashtable<>(Map.of("id", "acme", "hosts", new String[] { "acme.test" }));
        configurations.add(Fakes.of(Configuration.class, Map.of("getProperties", a -> props,
                "getPid", a -> "serv.tenant~acme", "getChangeCount", a -> (long) saved.size(), "update", a -> {
                    @SuppressWarnings("unchecked")
                    Dictionary<String, Object> d = (Dictionary<String, Object>) a[0];
                    saved.add(d);
                    return null;
                })));
    }

    /**
     * A key a body does not take was ignored: {"dry_rn": true} (a typo) ran the migration itself, "confrim" was read
     * as no confirmation. A 400 naming the key, and the one it is close to, before anything is done.
     */
    @Test
    void aKeyABodyDoesNotTakeIsRefusedNamingTheCloseOne() throws Exception {
        Exchange migrate = post("databases/default/migrate", "{\"extension\":\"serv.blog\",\"dry_rn\":true}");
        assertEquals(400, migrate.status, migrate.text());
        assertEquals("key 'dry_rn' is not one a migration takes (it takes extension)", error(migrate));
        Exchange typo = post("databases/default/migrate", "{\"extention\":\"serv.blog\"}");
        assertEquals(400, typo.status, typo.text());
        assertEquals("key 'extention' is not one a migration takes; did you mean 'extension'? (it takes extension)",
                error(typo));
        assertEquals(List.of(), applied);
        Exchange rollback = post("databases/default/rollback", "{\"extension\":\"serv.blog\",\"version\":\"1\","
                + "\"confirm\":true,\"confrim\":true}");
        assertEquals(400, rollback.status, rollback.text());
        assertEquals("key 'confrim' is not one a rollback takes; did you mean 'confirm'? (it takes confirm, extension,"
                + " version)", error(rollback));
        assertEquals(List.of(), rolledBackTo);
        editableTenant();
        Exchange tenant = new Exchange("PUT", "tenants/acme").json("{\"hots\":[\"a.test\"]}").send(api);
        assertEquals(400, tenant.status, tenant.text());
        assertTrue(error(tenant).startsWith("key 'hots' is not a tenant setting; did you mean 'hosts'?; the keys are"),
                error(tenant));
        assertEquals(List.of(), saved);
    }

    /**
     * A test's, a start's or stop's and a removal's body was not read at all: {"tenant": "acme"} tested the shared
     * database, {"data": "drop"} kept the data, a removal's "version" (the docs' compare-and-set) was not looked at.
     */
    @Test
    void aBodyWhereNoneIsTakenIsReadAndItsKeysRefused() throws Exception {
        Exchange test = post("databases/default/test", "{\"tenant\":\"acme\"}");
        assertEquals(400, test.status, test.text());
        assertEquals("key 'tenant' is not one a connection test takes in its body: give it in the query (?tenant=...);"
                + " it takes no body", error(test));
        Exchange start = post("extensions/serv.blog/start", "{\"force\":true}");
        assertEquals(400, start.status, start.text());
        assertEquals("key 'force' is not one a start takes (it takes no body)", error(start));
        assertEquals(400, new Exchange("DELETE", "extensions/serv.blog").json("{\"x\":1}").send(api).status);
        refusedTenant();
        Exchange drop = new Exchange("DELETE", "tenants/acme").json("{\"data\":\"drop\"}").send(api);
        assertEquals(400, drop.status, drop.text());
        assertTrue(error(drop).startsWith("key 'data' is not one a removal takes in its body: give it in the query"
                + " (?data=...)"), error(drop));
        Exchange version = new Exchange("DELETE", "tenants/acme").json("{\"version\":1.5}").send(api);
        assertEquals(400, version.status, version.text());
        assertTrue(error(version).startsWith("key 'version': 1.5 is not a whole number"), error(version));
        assertFalse(deleted.get());
        assertEquals(200, new Exchange("DELETE", "tenants/acme").json("{\"version\":3}").send(api).status);
        assertTrue(deleted.get());
        Exchange empty = post("databases/default/test", "{}"); // the command line's body: taken
        assertFalse(empty.status == 400 || empty.status == 415, empty.text());
        Exchange none = new Exchange("POST", "extensions/serv.blog/stop"); // curl -X POST: no length, no body
        none.contentLength = -1L;
        assertEquals(200, none.send(api).status, none.text());
    }

    /**
     * A jar's upload took any Content-Type: text/plain, none, a form. A 415 naming the types it takes; the type
     * serv deploy and the console's page send, and the other jar types, go on to the jar's checks.
     */
    @Test
    void aJarIsTakenOnlyAsAJarsType() throws Exception {
        byte[] notAJar = "PK not really".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.util.Arrays.asList("text/plain", null, "application/x-www-form-urlencoded", "multipart/form-data; b=x",
                "application/json", "").forEach(type -> {
                    Exchange e = new Exchange("POST", "extensions");
                    e.body = notAJar;
                    e.contentType = type;
                    try {
                        e.send(api);
                        assertEquals(415, e.status, type + ": " + e.text());
                        assertTrue(error(e).startsWith("send the jar itself as the body, with Content-Type:"
                                + " application/java-archive (or application/x-java-archive, application/zip,"
                                + " application/octet-stream); it came as "), type + ": " + error(e));
                    } catch (Exception x) {
                        throw new AssertionError(x);
                    }
                });
        for (String type : List.of("application/java-archive", "application/x-java-archive", "application/zip",
                "application/octet-stream")) {
            Exchange e = new Exchange("POST", "extensions");
            e.body = notAJar;
            e.contentType = type.toUpperCase(java.util.Locale.ROOT) + "; charset=binary";
            e.send(api);
            assertEquals(400, e.status, type + ": " + e.text()); // taken, and found to be no jar
        }
        Exchange form = new Exchange("POST", "tenants");
        form.body = "id=acme".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        form.contentType = "application/x-www-form-urlencoded";
        assertEquals(415, form.send(api).status);
        assertTrue(error(form).startsWith("send the body as JSON"), error(form));
    }

    @Test
    void anEditTheRegistryRefusesAfterTheCheckIsAnErrorAndUndone() throws Exception {
        // A save elsewhere claimed the host between the API's check and the registry's apply
        List<Dictionary<String, Object>> saved = new ArrayList<>();
        Hashtable<String, Object> props = new Hashtable<>(Map.of("id", "acme", "hosts", new String[] { "acme.test" }));
        configurations.add(Fakes.of(Configuration.class, Map.of("getProperties", a -> props,
                "getPid", a -> "serv.tenant~acme", "getChangeCount", a -> (long) saved.size(), "update", a -> {
                    @SuppressWarnings("unchecked")
                    Dictionary<String, Object> d = (Dictionary<String, Object>) a[0];
                    saved.add(d);
                    if (saved.size() == 1) {
                        refused.put("serv.tenant~acme", "tenant acme: key 'hosts': host shop.test is tenant shop's;"
                                + " give each tenant its own hosts (the previous configuration goes on serving)");
                    } else {
                        refused.remove("serv.tenant~acme");
                    }
                    return null;
                })));
        Exchange e = new Exchange("PUT", "tenants/acme").json("{\"hosts\":[\"shop.test\"]}").send(api);
        assertEquals(400, e.status, e.text());
        assertTrue(error(e).startsWith("tenant acme: not changed: tenant acme: key 'hosts': host shop.test"),
                error(e));
        assertEquals(2, saved.size(), "the refused edit is undone");
        assertEquals("[shop.test]", java.util.Arrays.toString((String[]) saved.get(0).get("hosts")));
        assertEquals(props, saved.get(1));
    }

    @Test
    void aRefusedTenantIsShownWithWhy() throws Exception {
        refusedTenant();
        Exchange e = send("GET", "tenants/acme");
        assertEquals(200, e.status, e.text());
        JsonNode t = JSON.readTree(e.text());
        assertEquals("REFUSED", t.get("state").asText());
        assertEquals(refused.get("serv.tenant~acme"), t.get("reason").asText());
        assertEquals("[\"acme.test\"]", t.get("hosts").toString());
        assertEquals("ops1_data", t.get("database").get("schema").asText());
        assertEquals(Optional.of("console"), Optional.ofNullable(t.get("source")).map(JsonNode::asText));
    }

    @Test
    void aRefusedTenantsDataIsNotDroppedBlind() throws Exception {
        refusedTenant();
        Exchange drop = send("DELETE", "tenants/acme", Map.of("data", "drop"));
        assertEquals(409, drop.status, drop.text());
        assertTrue(error(drop).startsWith("tenant acme does not run (its configuration was refused: tenant acme: key"
                + " 'database_schema'"), error(drop));
        assertTrue(error(drop).contains("nothing was removed"), error(drop));
        assertFalse(deleted.get());
        Exchange keep = send("DELETE", "tenants/acme", Map.of());
        assertEquals(200, keep.status, keep.text());
        assertEquals("tenant acme removed; its data is kept (it did not run: its configuration was refused)",
                JSON.readTree(keep.text()).get("message").asText());
        assertTrue(deleted.get());
    }

    private Exchange send(String method, String path, Map<String, String> parameters) throws Exception {
        Exchange e = new Exchange(method, path);
        e.parameters.putAll(parameters);
        return e.send(api);
    }
}
