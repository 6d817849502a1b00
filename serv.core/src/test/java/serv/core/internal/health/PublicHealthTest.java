package serv.core.internal.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import serv.core.security.OperatorLogin;
import serv.core.security.OperatorLogin.Outcome;

class PublicHealthTest {

    private static Map<String, Object> entry(String state, String tenant, String reason) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("state", state);
        if (tenant != null) {
            e.put("tenant", tenant);
        }
        e.put("dialect", "postgresql");
        if (reason != null) {
            e.put("reason", reason);
            e.put("rejected_change", reason);
        }
        e.put("pool", Map.of("active", 1, "idle", 2, "pending", 0, "max", 10));
        return e;
    }

    @Test
    void theServersViewHasOwnStatesAndTenantCountsOnly() throws Exception {
        Map<String, Object> dbs = new LinkedHashMap<>();
        dbs.put("default", entry("UP", null, null));
        dbs.put("analytics", entry("FAILED", null, "cannot connect to zq-db-host.internal:5432"));
        dbs.put("acme-zq/default", entry("UP", "acme-zq", null));
        dbs.put("globex-zq/default", entry("FAILED", "globex-zq", "jdbc:postgresql://zq-tenant-host/globex"));
        dbs.put("initech-zq/default", entry("UP", "initech-zq", null));
        Map<String, Object> cluster = Map.of("name", "zq-cluster", "store", "UNREACHABLE", "reason",
                "zq-store-host: connection refused");

        String json = new ObjectMapper().writeValueAsString(
                PublicHealth.body("DOWN", dbs, false, cluster, PublicHealth.ASK));

        assertEquals("{\"status\":\"DOWN\",\"databases\":{\"default\":{\"state\":\"UP\"},\"analytics\":{\"state\":"
                + "\"FAILED\"}},\"tenant_databases\":{\"FAILED\":1,\"UP\":2},\"cluster\":{\"store\":\"UNREACHABLE\"},"
                + "\"details\":\"" + PublicHealth.ASK + "\"}", json);
        assertFalse(json.contains("zq-"), json);
        assertFalse(json.contains("pool"), json);
    }

    @Test
    void aTenantsViewListsItsDatabasesByNameWithoutReasons() throws Exception {
        Map<String, Object> dbs = new LinkedHashMap<>();
        dbs.put("default", entry("FAILED", "acme-zq", "cannot connect to zq-db-host.internal:5432"));
        dbs.put("reports", Map.of("state", "NOT_CONFIGURED", "reason", "the routes of serv.zq use it"));

        String json = new ObjectMapper().writeValueAsString(
                PublicHealth.body("DOWN", dbs, true, null, PublicHealth.ASK));

        assertEquals("{\"status\":\"DOWN\",\"databases\":{\"default\":{\"state\":\"FAILED\"},\"reports\":{\"state\":"
                + "\"NOT_CONFIGURED\"}},\"details\":\"" + PublicHealth.ASK + "\"}", json);
    }

    @Test
    void detailsSaysHowToGetThem() {
        assertEquals(PublicHealth.ASK, PublicHealth.details(new OperatorLogin.Check(Outcome.NONE, 0)));
        assertEquals(PublicHealth.WRONG, PublicHealth.details(new OperatorLogin.Check(Outcome.WRONG, 0)));
        assertEquals("too many wrong console logins from this address: try again in 42 s",
                PublicHealth.details(new OperatorLogin.Check(Outcome.THROTTLED, 42)));
        assertEquals(PublicHealth.NO_LOGIN, PublicHealth.details(null));
    }

    @Test
    void anUnusedDatabaseIsListedWithItsStateOnly() throws Exception {
        Map<String, Object> dbs = new LinkedHashMap<>();
        dbs.put("default", entry("UP", null, null));
        Map<String, Object> unused = entry("RETRYING", null, "cannot connect to zq-typo-host:5432");
        unused.put("unused", true);
        dbs.put("analytics", unused);

        String json = new ObjectMapper().writeValueAsString(
                PublicHealth.body("UP", dbs, false, null, PublicHealth.ASK));

        assertEquals("{\"status\":\"UP\",\"databases\":{\"default\":{\"state\":\"UP\"},\"analytics\":{\"state\":"
                + "\"RETRYING\"}},\"details\":\"" + PublicHealth.ASK + "\"}", json);
    }
}
