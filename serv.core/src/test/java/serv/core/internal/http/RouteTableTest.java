package serv.core.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

import serv.core.Handler;

class RouteTableTest {

    private final Handler list = (req, res) -> { };
    private final Handler detail = (req, res) -> { };
    private final Handler latest = (req, res) -> { };

    private final RouteTable table = RouteTable.EMPTY
            .with(RouteTable.Entry.of("/posts", Set.of("GET", "POST"), "default", list, 1, 0, null))
            .with(RouteTable.Entry.of("/posts/{id}", Set.of("GET", "PUT", "DELETE"), "default", detail, 2, 0, null))
            .with(RouteTable.Entry.of("/posts/latest", Set.of("GET"), "", latest, 3, 0, null));

    @Test
    void templatesMatchAndBindParameters() {
        RouteTable.Match m = table.find("GET", "/posts/42");
        assertSame(detail, m.entry().handler());
        assertEquals(Map.of("id", "42"), m.params());
        assertSame(list, table.find("POST", "/posts/").entry().handler());
    }

    @Test
    void literalSegmentsWinOverParameters() {
        assertSame(latest, table.find("GET", "/posts/latest").entry().handler());
    }

    @Test
    void unknownPathIsNullAndWrongMethodListsAllowed() {
        assertNull(table.find("GET", "/users"));
        assertNull(table.find("GET", "/posts/1/comments"));
        RouteTable.Match m = table.find("PATCH", "/posts/1");
        assertNull(m.entry());
        assertEquals(Set.of("GET", "HEAD", "PUT", "DELETE"), m.allowed());
        assertSame(detail, table.find("HEAD", "/posts/1").entry().handler());
    }

    @Test
    void removingARouteTakesItOut() {
        assertNull(table.without(1).find("GET", "/posts"));
    }

    @Test
    void badTemplatesAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> RouteTable.Entry.of("posts", Set.of("GET"), "", list, 9, 0, null));
        assertThrows(IllegalArgumentException.class,
                () -> RouteTable.Entry.of("/a/{}", Set.of("GET"), "", list, 9, 0, null));
    }

    /**
     * An author's typos in {@code @Route} were bound and answered nothing: an unclosed brace made the segment literal
     * text, {@code GTE} a method no client sends. Each is refused with what to write instead.
     */
    @Test
    void typosInARouteAreRefusedWithTheFix() {
        assertEquals("route path '/notes/{id' has '{id', which is not a parameter: a parameter is a whole segment,"
                + " {name}", refused("/notes/{id", Set.of("GET")));
        assertEquals("route path '/notes/id}' has 'id}', which is not a parameter: a parameter is a whole segment,"
                + " {name}", refused("/notes/id}", Set.of("GET")));
        assertEquals("route path '/notes/x{id}' has 'x{id}', which is not a parameter: a parameter is a whole"
                + " segment, {name}", refused("/notes/x{id}", Set.of("GET")));
        assertEquals("route path '/a/{id}/b/{id}' has {id} twice: give each parameter its own name",
                refused("/a/{id}/b/{id}", Set.of("GET")));
        assertEquals("route /notes has method 'GTE', which Serv does not answer: use GET, HEAD, POST, PUT, PATCH,"
                + " DELETE, OPTIONS", refused("/notes", Set.of("GTE")));
        assertEquals("route /notes has no method: name one or more of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
                refused("/notes", Set.of()));
        // what was right stays right: lower case, PATCH, two parameters
        assertEquals(Set.of("GET", "HEAD", "PATCH"),
                RouteTable.Entry.of("/a/{x}/{y}", Set.of("get", "PATCH"), "", list, 9, 0, null).methods());
    }

    private String refused(String path, Set<String> methods) {
        return assertThrows(IllegalArgumentException.class,
                () -> RouteTable.Entry.of(path, methods, "", list, 9, 0, null)).getMessage();
    }

    // ---- two routes on one path template and method ---------------------------------------------------------

    private final Bundle notes = bundle(10, "notes");
    private final Bundle memo = bundle(11, "memo");
    private final Handler notesList = (req, res) -> { };
    private final Handler memoList = (req, res) -> { };

    /** A bundle as the route table sees it: its id (an update keeps it) and its name. */
    private static Bundle bundle(long id, String name) {
        return (Bundle) Proxy.newProxyInstance(RouteTableTest.class.getClassLoader(), new Class<?>[] { Bundle.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "getBundleId" -> id;
                    case "getSymbolicName" -> name;
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> (int) id;
                    case "toString" -> name;
                    default -> null;
                });
    }

    private static RouteTable.Entry route(String path, Handler handler, long serviceId, Bundle bundle,
            String... methods) {
        return RouteTable.Entry.of(path, Set.of(methods), "", handler, serviceId, 0, bundle, bundle + ".List");
    }

    /**
     * notes serves GET /notes; memo, deployed after it, has GET /notes too. notes is then updated: its route comes
     * back with a new service id, higher than memo's, and it took the path from notes for good.
     */
    @Test
    void ofTwoExtensionsTheOneInstalledFirstKeepsItsPathAcrossItsUpdates() {
        RouteTable both = RouteTable.EMPTY.with(route("/notes", notesList, 20, notes, "GET"))
                .with(route("/notes", memoList, 21, memo, "GET"));
        assertSame(notesList, both.find("GET", "/notes").entry().handler());

        RouteTable updating = both.without(20);
        RouteTable.Entry held = route("/notes", notesList, 20, notes, "GET");
        assertSame(held, RouteTable.EMPTY.with(held).before(updating.find("GET", "/notes").entry(), "GET",
                "/notes", e -> true), "while notes is updated, its route out of the table still comes first");

        RouteTable updated = updating.with(route("/notes", notesList, 22, notes, "GET"));
        assertSame(notesList, updated.find("GET", "/notes").entry().handler());
        assertSame(notesList, updated.find("HEAD", "/notes").entry().handler());

        // Whichever order the services come in.
        RouteTable reversed = RouteTable.EMPTY.with(route("/notes", memoList, 1, memo, "GET"))
                .with(route("/notes", notesList, 2, notes, "GET"));
        assertSame(notesList, reversed.find("GET", "/notes").entry().handler());
    }

    @Test
    void theShadowedRouteIsFoundWithTheMethodsItLosesAndWhoTakesThem() {
        RouteTable both = RouteTable.EMPTY.with(route("/notes/{id}", notesList, 30, notes, "GET"))
                .with(route("/notes/{noteId}", memoList, 20, memo, "GET", "DELETE"))
                .with(route("/posts", list, 21, memo, "GET"));
        List<RouteTable.Shadow> shadows = both.shadows(List.of());
        assertEquals(1, shadows.size(), shadows.toString());
        RouteTable.Shadow s = shadows.get(0);
        assertSame(memoList, s.route().handler());
        assertSame(notesList, s.by().handler());
        assertEquals(List.of("GET", "HEAD"), List.copyOf(s.methods()));
        assertSame(memoList, both.find("DELETE", "/notes/7").entry().handler(), "its other methods are its own");

        // notes is being updated: its route, out of the table, still holds the path.
        RouteTable updating = both.without(30);
        assertEquals(List.of(), updating.shadows(List.of()));
        List<RouteTable.Shadow> held = updating.shadows(List.of(route("/notes/{id}", notesList, 30, notes, "GET")));
        assertEquals(1, held.size());
        assertSame(memoList, held.get(0).route().handler());
        assertEquals(30, held.get(0).by().serviceId());
    }

    @Test
    void ofOneExtensionTheComponentWhoseNameSortsFirstKeepsIt() {
        RouteTable.Entry b = RouteTable.Entry.of("/notes", Set.of("GET"), "", memoList, 5, 0, notes, "notes.B");
        RouteTable.Entry a = RouteTable.Entry.of("/notes", Set.of("GET"), "", notesList, 6, 0, notes, "notes.A");
        RouteTable table = RouteTable.EMPTY.with(b).with(a);
        assertSame(notesList, table.find("GET", "/notes").entry().handler());
        List<RouteTable.Shadow> shadows = table.shadows(List.of());
        assertEquals(1, shadows.size());
        assertSame(b, shadows.get(0).route());
        assertSame(a, shadows.get(0).by());
    }

    @Test
    void literalSegmentsAndRankingStillComeBeforeTheOrderOfInstallation() {
        RouteTable table = RouteTable.EMPTY.with(route("/notes/{id}", notesList, 1, notes, "GET"))
                .with(route("/notes/latest", memoList, 2, memo, "GET"));
        assertSame(memoList, table.find("GET", "/notes/latest").entry().handler(), "the more specific template");
        assertSame(notesList, table.find("GET", "/notes/1").entry().handler());
        assertEquals(List.of(), table.shadows(List.of()), "two templates: nothing shadowed");

        RouteTable.Entry override = RouteTable.Entry.of("/notes/{id}", Set.of("GET"), "", memoList, 3, 10, memo,
                "memo.List");
        RouteTable ranked = RouteTable.EMPTY.with(route("/notes/{id}", notesList, 1, notes, "GET")).with(override);
        assertSame(memoList, ranked.find("GET", "/notes/1").entry().handler(), "a higher service.ranking");
        assertSame(notesList, ranked.shadows(List.of()).get(0).route().handler());
    }

    /**
     * A tenant that has only memo: memo's route answers it, though for the site notes's route overrides it (a higher
     * service.ranking); the tenant got a 404 ("an extension the tenant does not have") for a route of its own. A path
     * only another extension has is still none of the tenant's.
     */
    @Test
    void aRouteOfAnExtensionATenantDoesNotHaveHidesNoneOfItsOwn() {
        RouteTable.Entry override = RouteTable.Entry.of("/notes", Set.of("GET"), "", notesList, 2, 10, notes,
                "notes.List");
        RouteTable.Entry own = RouteTable.Entry.of("/notes", Set.of("GET", "POST"), "", memoList, 1, 0, memo,
                "memo.List");
        RouteTable.Entry other = RouteTable.Entry.of("/only-notes", Set.of("GET"), "", notesList, 3, 0, notes,
                "notes.Only");
        RouteTable table = RouteTable.EMPTY.with(own).with(override).with(other);
        assertSame(notesList, table.find("GET", "/notes").entry().handler(), "the site: the higher ranking");
        java.util.function.Predicate<RouteTable.Entry> memos = e -> e.bundle() == memo;
        assertSame(memoList, table.find("GET", "/notes", memos).entry().handler(), "the tenant: its own extension's");
        assertNull(table.find("GET", "/only-notes", memos), "none of the tenant's");
        assertEquals(Set.of("GET", "HEAD", "POST"), table.find("PUT", "/notes", memos).allowed());
    }
}
