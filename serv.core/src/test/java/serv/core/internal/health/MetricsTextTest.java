package serv.core.internal.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import serv.core.internal.health.MetricsText.Pool;
import serv.core.internal.health.MetricsText.Share;
import serv.core.internal.health.MetricsText.View;
import serv.core.runtime.Traffic;
import serv.database.DatabaseState;
import serv.database.PoolStats;

class MetricsTextTest {

    private static final Traffic.Counts TRAFFIC = new Traffic.Counts(100, 7, 2);

    /** The server's default and analytics, three tenants (all named zq...), one of them FAILED. */
    private static List<Pool> pools() {
        return List.of(
                new Pool("default", "", DatabaseState.UP, new PoolStats(1, 2, 0, 5, 10, 2_000_000_000L, 0)),
                new Pool("analytics", "", DatabaseState.FAILED, PoolStats.EMPTY),
                new Pool("default", "zqinitech", DatabaseState.UP, new PoolStats(1, 0, 2, 3, 4, 0, 1)),
                new Pool("default", "zqacme", DatabaseState.UP, new PoolStats(2, 1, 1, 3, 4, 0, 0)),
                new Pool("default", "zqglobex", DatabaseState.FAILED, PoolStats.EMPTY));
    }

    private static List<Share> shares() {
        return List.of(new Share("zqacme", 1, 3, 1), new Share("zqglobex", 0, 0, 0), new Share("zqinitech", 0, 2, 0));
    }

    @Test
    void thePublicViewNamesNoTenantAndSumsThem() {
        String text = MetricsText.render(View.PUBLIC, pools(), shares(), TRAFFIC, MetricsHandler.ASK);
        assertFalse(text.contains("zq"), text);
        assertTrue(text.startsWith("# " + MetricsHandler.ASK + "\n"), text);
        assertTrue(text.contains("serv_database_up{database=\"analytics\",tenant=\"\"} 0\n"
                + "serv_database_up{database=\"default\",tenant=\"\"} 1\n# HELP"), text);
        assertTrue(text.contains("serv_database_connection_acquire_seconds_sum{database=\"default\",tenant=\"\"} 2\n"),
                text);
        assertTrue(text.contains("serv_tenants_databases{state=\"STARTING\"} 0\nserv_tenants_databases{state=\"UP\"} 2\n"
                + "serv_tenants_databases{state=\"RETRYING\"} 0\nserv_tenants_databases{state=\"FAILED\"} 1\n"
                + "serv_tenants_databases{state=\"STOPPED\"} 0\n"), text);
        assertTrue(text.contains("serv_tenants_database_connections_active 3\n"), text);
        assertTrue(text.contains("serv_tenants_database_connections_idle 1\n"), text);
        assertTrue(text.contains("serv_tenants_database_connections_pending 3\n"), text);
        assertTrue(text.contains("serv_tenants_requests_in_flight 1\n"), text);
        assertTrue(text.contains("serv_tenants_requests_waited_total 5\n"), text);
        assertTrue(text.contains("serv_tenants_requests_refused_total 1\n"), text);
        assertTrue(text.contains("serv_http_requests_total{class=\"2xx_3xx\"} 91\n"), text);
        assertFalse(text.contains("serv_tenant_requests"), text);
        for (String line : text.split("\n")) {
            assertTrue(line.startsWith("#") || !line.contains("tenant=\"") || line.contains("tenant=\"\""), line);
        }
    }

    @Test
    void theOperatorsViewIsThePublicOnePlusTheSeriesThatNameATenant() {
        String operator = MetricsText.render(View.OPERATOR, pools(), shares(), TRAFFIC, MetricsHandler.ASK);
        assertTrue(operator.contains("serv_database_up{database=\"default\",tenant=\"zqacme\"} 1\n"
                + "serv_database_up{database=\"default\",tenant=\"zqglobex\"} 0\n"
                + "serv_database_up{database=\"default\",tenant=\"zqinitech\"} 1\n"), operator);
        // the tenants that met their share only
        assertTrue(operator.contains("serv_tenant_requests_waited_total{tenant=\"zqacme\"} 3\n"
                + "serv_tenant_requests_waited_total{tenant=\"zqinitech\"} 2\n# HELP"), operator);
        assertTrue(operator.contains("serv_tenant_requests_refused_total{tenant=\"zqacme\"} 1\n"), operator);
        assertFalse(operator.contains("tenant=\"zqglobex\"} 0\nserv_tenant"), operator);
        assertFalse(operator.startsWith("#  "), operator);

        String open = MetricsText.render(View.PUBLIC, pools(), shares(), TRAFFIC, MetricsHandler.ASK);
        List<String> expected = new ArrayList<>(Arrays.asList(operator.split("\n")));
        expected.removeIf(l -> l.matches("[^#].*tenant=\"[^\"]+\".*") || l.matches("# (HELP|TYPE) serv_tenant_requests_.*"));
        List<String> publicLines = new ArrayList<>(Arrays.asList(open.split("\n")));
        publicLines.remove(0); // the note
        assertEquals(expected, publicLines);
    }

    @Test
    void aTenantsViewHasItsOwnSeriesOnly() {
        List<Pool> own = pools().stream().filter(p -> p.tenant().equals("zqacme")).toList();
        String text = MetricsText.render(View.TENANT, own, List.of(new Share("zqacme", 1, 3, 1)), TRAFFIC,
                MetricsHandler.ASK);
        assertTrue(text.contains("serv_database_up{database=\"default\",tenant=\"zqacme\"} 1\n"), text);
        assertTrue(text.contains("serv_tenant_requests_waited_total{tenant=\"zqacme\"} 3\n"), text);
        assertFalse(text.contains("serv_tenants_"), text); // no sum over the others
        assertFalse(text.contains("serv_http_requests_total"), text); // the server's, not the tenant's
        assertFalse(text.contains(MetricsHandler.ASK), text);
    }

    @Test
    void withoutTenantsThePublicViewIsTheOperatorsAsBefore() {
        List<Pool> own = pools().stream().filter(p -> p.tenant().isEmpty()).toList();
        String open = MetricsText.render(View.PUBLIC, own, null, TRAFFIC, MetricsHandler.ASK);
        assertEquals(MetricsText.render(View.OPERATOR, own, null, TRAFFIC, MetricsHandler.ASK), open);
        assertFalse(open.contains("serv_tenant"), open);
        assertFalse(open.contains(MetricsHandler.ASK), open);
    }
}
