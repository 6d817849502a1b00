package serv.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

class ApiPathsTest {

    private static List<String> methods(String path) {
        return ApiPaths.methods(path.isEmpty() ? new String[0] : path.split("/"));
    }

    @Test
    void everyPathThatAnswersGetAnswersHeadAndEveryPathOptions() {
        for (String path : List.of("overview", "databases", "databases/default", "tenants", "tenants/acme",
                "cluster", "routes", "extensions", "extensions/serv.blog")) {
            List<String> m = methods(path);
            assertEquals(m.contains("GET"), m.contains("HEAD"), path);
            assertEquals(true, m.contains("OPTIONS"), path);
        }
        assertEquals("GET, HEAD, POST, OPTIONS", ApiPaths.allow(methods("tenants")));
        assertEquals("GET, HEAD, POST, OPTIONS", ApiPaths.allow(methods("extensions")));
    }

    @Test
    void aTenantIsEditedWithPutOrPatch() {
        assertEquals("GET, HEAD, PUT, PATCH, DELETE, OPTIONS", ApiPaths.allow(methods("tenants/acme")));
    }

    @Test
    void actionsArePostOnly() {
        for (String path : List.of("databases/default/test", "databases/default/rollback", "databases/default/migrate",
                "extensions/serv.blog/start", "extensions/serv.blog/stop")) {
            assertEquals(List.of("POST", "OPTIONS"), methods(path), path);
        }
    }

    @Test
    void anUnknownPathIsNoneNotAMethodThatIsNotAllowed() {
        for (String path : List.of("", "tenants/acme/x", "nothing-here", "overview/x", "databases/default/x",
                "databases/a/b/c", "extensions/serv.blog/restart", "extensions/a/b/c", "tenants//x", "/tenants",
                "routes/x")) {
            assertNull(methods(path), path);
        }
    }
}
