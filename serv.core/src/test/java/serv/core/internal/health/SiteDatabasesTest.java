package serv.core.internal.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import serv.core.runtime.RouteInfo;
import serv.core.runtime.RouteStatus;
import serv.database.DatabaseState;

class SiteDatabasesTest {

    private static RouteInfo route(String path, String database, String extension, RouteStatus status) {
        return new RouteInfo(Set.of("GET"), path, database, extension, "1.0.0", 7, status,
                status == RouteStatus.SERVING ? null : "why");
    }

    private static Map<String, DatabaseState> shared(Object... nameState) {
        Map<String, DatabaseState> out = new LinkedHashMap<>();
        for (int i = 0; i < nameState.length; i += 2) {
            out.put((String) nameState[i], (DatabaseState) nameState[i + 1]);
        }
        return out;
    }

    private static final List<RouteInfo> BLOG_ON_DEFAULT = List.of(
            route("/posts", "default", "serv.blog", RouteStatus.SERVING),
            route("/health", "", "serv.core", RouteStatus.SERVING));

    @Test
    void aDatabaseNoRouteUsesThatIsDownDoesNotTakeTheNodeOut() {
        SiteDatabases.Verdict v = SiteDatabases.judge(
                shared("default", DatabaseState.UP, "analytics", DatabaseState.RETRYING), BLOG_ON_DEFAULT);
        assertTrue(v.up());
        assertEquals(Map.of("analytics", DatabaseState.RETRYING), v.unused());
    }

    @Test
    void aDatabaseARouteUsesThatIsDownTakesTheNodeOut() {
        List<RouteInfo> routes = List.of(route("/posts", "default", "serv.blog", RouteStatus.SERVING),
                route("/reports", "analytics", "serv.reports", RouteStatus.DATABASE_DOWN));
        SiteDatabases.Verdict v = SiteDatabases.judge(
                shared("default", DatabaseState.UP, "analytics", DatabaseState.FAILED), routes);
        assertFalse(v.up());
        assertEquals(Map.of(), v.unused());
    }

    @Test
    void defaultCountsLikeAnyOtherByTheRoutesThatUseIt() {
        assertFalse(SiteDatabases.judge(shared("default", DatabaseState.FAILED), BLOG_ON_DEFAULT).up());
        // the blog moved to analytics: default serves no route of the site
        List<RouteInfo> moved = List.of(route("/posts", "analytics", "serv.blog", RouteStatus.SERVING));
        SiteDatabases.Verdict v = SiteDatabases.judge(
                shared("default", DatabaseState.FAILED, "analytics", DatabaseState.UP), moved);
        assertTrue(v.up());
        assertEquals(Map.of("default", DatabaseState.FAILED), v.unused());
        // and analytics down now takes it out
        assertFalse(SiteDatabases.judge(shared("default", DatabaseState.UP, "analytics", DatabaseState.STARTING),
                moved).up());
    }

    @Test
    void aStoppedExtensionsRoutesDoNotCountTheOthersDo() {
        List<RouteInfo> stopped = List.of(route("/reports", "analytics", "serv.reports",
                RouteStatus.EXTENSION_STOPPED));
        assertTrue(SiteDatabases.judge(shared("analytics", DatabaseState.RETRYING), stopped).up());
        for (RouteStatus s : new RouteStatus[] { RouteStatus.SHADOWED, RouteStatus.NOT_STARTED,
                RouteStatus.MIGRATION_FAILED, RouteStatus.WAITING_FOR_MIGRATIONS }) {
            assertFalse(SiteDatabases.judge(shared("analytics", DatabaseState.RETRYING),
                    List.of(route("/reports", "analytics", "serv.reports", s))).up(), s.name());
        }
    }

    @Test
    void noDatabaseDownNoVerdictAgainstTheNode() {
        SiteDatabases.Verdict v = SiteDatabases.judge(shared("default", DatabaseState.UP), BLOG_ON_DEFAULT);
        assertTrue(v.up());
        assertTrue(v.unused().isEmpty());
        assertTrue(SiteDatabases.judge(Map.of(), List.of()).up());
    }

    @Test
    void theWarningNamesTheDatabaseItsStateAndTheFix() {
        assertEquals("database analytics is RETRYING and no route uses it, so this node stays UP (its reason is under"
                + " databases.analytics); once a route uses it, /health answers 503 DOWN while it is not UP: fix its"
                + " settings (databases.analytics in serv.config.yaml, or its serv.database configuration), or remove"
                + " it while nothing needs it", SiteDatabases.warning("analytics", DatabaseState.RETRYING));
    }

    @Test
    void databasesInUseNamesTheExtensionsOfEachSorted() {
        List<RouteInfo> routes = List.of(route("/b", "analytics", "serv.zeta", RouteStatus.SERVING),
                route("/a", "analytics", "serv.alpha", RouteStatus.DATABASE_DOWN),
                route("/c", "default", "serv.blog", RouteStatus.SERVING),
                route("/d", "", "serv.blog", RouteStatus.SERVING),
                route("/e", "old", "serv.gone", RouteStatus.EXTENSION_STOPPED));
        Map<String, Set<String>> inUse = RouteInfo.databasesInUse(routes);
        assertEquals("{analytics=[serv.alpha, serv.zeta], default=[serv.blog]}", inUse.toString());
    }
}
