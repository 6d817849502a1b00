package serv.core.internal.health;

import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import serv.core.runtime.Traffic;
import serv.database.DatabaseState;
import serv.database.PoolStats;

/**
 * The Prometheus text of {@code GET /metrics}, for one of three views.
 *
 * <ul>
 * <li>{@link View#OPERATOR} (the server's site, with the operator's login or {@code metrics.details: always}): every
 * open database's pool labelled by database and tenant, each tenant's share that was met (waits, refusals, in
 * flight), the sums over all tenants, the request counts.
 * <li>{@link View#PUBLIC} (the server's site, without the login): the same less every series that names a tenant:
 * the server's own databases, the sums over all tenants ({@code serv_tenants_*}: their databases counted by state,
 * their connections, their requests), the request counts. A multi-tenant server's customer list is not there.
 * <li>{@link View#TENANT} (a tenant's host or path prefix): that tenant's databases and share only (the caller gives
 * only those), no sum over the others, no server request counts.
 * </ul>
 */
final class MetricsText {

    /** Whose view. */
    enum View {
        OPERATOR, PUBLIC, TENANT
    }

    /**
     * An open database.
     *
     * @param tenant its tenant's id, or "" for one of the server's own
     */
    record Pool(String database, String tenant, DatabaseState state, PoolStats stats) {
    }

    /** A tenant's share of the server (its {@code max_requests}). */
    record Share(String tenant, int inFlight, long waits, long refusals) {
    }

    private MetricsText() {
    }

    /**
     * The exposition.
     *
     * @param pools the open databases (on a tenant's view, that tenant's only)
     * @param shares the tenants' shares (on a tenant's view, that tenant's only), or null when no tenant is configured
     * @param traffic the server's request counts, or null
     * @param note a comment line for {@link View#PUBLIC} saying how to get the rest, or null
     */
    static String render(View view, List<Pool> pools, List<Share> shares, Traffic.Counts traffic, String note) {
        List<Pool> shown = pools.stream()
                .filter(p -> view != View.PUBLIC || p.tenant().isEmpty())
                .sorted(Comparator.comparing(Pool::tenant).thenComparing(Pool::database)).toList();
        StringBuilder out = new StringBuilder(1024);
        if (view == View.PUBLIC && note != null && shares != null) {
            out.append("# ").append(note).append('\n');
        }
        metric(out, shown, "serv_database_up", "gauge", "1 when the database is UP, else 0.",
                p -> p.state() == DatabaseState.UP ? 1 : 0);
        metric(out, shown, "serv_database_connections_active", "gauge", "Connections borrowed right now.",
                p -> p.stats().active());
        metric(out, shown, "serv_database_connections_idle", "gauge", "Open connections waiting in the pool.",
                p -> p.stats().idle());
        metric(out, shown, "serv_database_connections_pending", "gauge", "Threads waiting for a connection.",
                p -> p.stats().pending());
        metric(out, shown, "serv_database_connections_max", "gauge", "Most connections the pool may open.",
                p -> p.stats().max());
        header(out, "serv_database_connection_acquire_seconds", "summary",
                "Time spent waiting for a connection (count and sum).");
        samples(out, shown, "serv_database_connection_acquire_seconds_count", p -> p.stats().acquired());
        samples(out, shown, "serv_database_connection_acquire_seconds_sum", p -> p.stats().acquireNanos() / 1e9);
        metric(out, shown, "serv_database_connection_timeouts_total", "counter",
                "Borrowings that gave up after the connection timeout.", p -> p.stats().timeouts());
        if (shares != null && view != View.PUBLIC) {
            // Only the tenants that met their share (ten thousand zero lines would say nothing).
            List<Share> met = shares.stream().filter(s -> s.waits() != 0 || s.refusals() != 0 || s.inFlight() != 0)
                    .sorted(Comparator.comparing(Share::tenant)).toList();
            header(out, "serv_tenant_requests_in_flight", "gauge", "Requests of the tenant being served (of its"
                    + " max_requests).");
            met.forEach(s -> tenantSample(out, "serv_tenant_requests_in_flight", s.tenant(), s.inFlight()));
            header(out, "serv_tenant_requests_waited_total", "counter", "Requests that waited for a place among the"
                    + " tenant's max_requests.");
            met.forEach(s -> tenantSample(out, "serv_tenant_requests_waited_total", s.tenant(), s.waits()));
            header(out, "serv_tenant_requests_refused_total", "counter", "Requests answered 503 because no place"
                    + " among the tenant's max_requests freed in time.");
            met.forEach(s -> tenantSample(out, "serv_tenant_requests_refused_total", s.tenant(), s.refusals()));
        }
        if (shares != null && view != View.TENANT) {
            sums(out, pools, shares);
        }
        if (traffic != null && view != View.TENANT) {
            header(out, "serv_http_requests_total", "counter", "Requests answered, by status class.");
            out.append("serv_http_requests_total{class=\"2xx_3xx\"} ")
                    .append(traffic.requests() - traffic.clientErrors() - traffic.serverErrors()).append('\n');
            out.append("serv_http_requests_total{class=\"4xx\"} ").append(traffic.clientErrors()).append('\n');
            out.append("serv_http_requests_total{class=\"5xx\"} ").append(traffic.serverErrors()).append('\n');
        }
        return out.toString();
    }

    /** The tenants as a whole, naming none: their open databases by state, connections and requests summed. */
    private static void sums(StringBuilder out, List<Pool> pools, List<Share> shares) {
        Map<DatabaseState, Integer> byState = new EnumMap<>(DatabaseState.class);
        for (DatabaseState s : DatabaseState.values()) {
            byState.put(s, 0); // every state, so that a series does not vanish when it reaches 0
        }
        long active = 0;
        long idle = 0;
        long pending = 0;
        for (Pool p : pools) {
            if (!p.tenant().isEmpty()) {
                byState.merge(p.state(), 1, Integer::sum);
                active += p.stats().active();
                idle += p.stats().idle();
                pending += p.stats().pending();
            }
        }
        header(out, "serv_tenants_databases", "gauge", "The tenants' open databases, by state (a tenant's database"
                + " opens at its first request and closes after idle_timeout).");
        byState.forEach((state, n) -> out.append("serv_tenants_databases{state=\"").append(state.name())
                .append("\"} ").append(n).append('\n'));
        header(out, "serv_tenants_database_connections_active", "gauge", "Connections borrowed right now, summed over"
                + " the tenants' open databases.");
        out.append("serv_tenants_database_connections_active ").append(active).append('\n');
        header(out, "serv_tenants_database_connections_idle", "gauge", "Open connections waiting in the pools,"
                + " summed over the tenants' open databases.");
        out.append("serv_tenants_database_connections_idle ").append(idle).append('\n');
        header(out, "serv_tenants_database_connections_pending", "gauge", "Threads waiting for a connection, summed"
                + " over the tenants' open databases.");
        out.append("serv_tenants_database_connections_pending ").append(pending).append('\n');
        long inFlight = 0;
        long waits = 0;
        long refusals = 0;
        for (Share s : shares) {
            inFlight += s.inFlight();
            waits += s.waits();
            refusals += s.refusals();
        }
        header(out, "serv_tenants_requests_in_flight", "gauge", "Requests of tenants being served, summed over all"
                + " tenants.");
        out.append("serv_tenants_requests_in_flight ").append(inFlight).append('\n');
        header(out, "serv_tenants_requests_waited_total", "counter", "Requests that waited for a place among their"
                + " tenant's max_requests, summed over all tenants.");
        out.append("serv_tenants_requests_waited_total ").append(waits).append('\n');
        header(out, "serv_tenants_requests_refused_total", "counter", "Requests answered 503 because no place among"
                + " their tenant's max_requests freed in time, summed over all tenants.");
        out.append("serv_tenants_requests_refused_total ").append(refusals).append('\n');
    }

    private static void metric(StringBuilder out, List<Pool> pools, String name, String type, String help,
            ToDoubleFunction<Pool> value) {
        header(out, name, type, help);
        samples(out, pools, name, value);
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void tenantSample(StringBuilder out, String name, String tenant, long value) {
        out.append(name).append("{tenant=\"").append(escape(tenant)).append("\"} ").append(value).append('\n');
    }

    private static void samples(StringBuilder out, List<Pool> pools, String name, ToDoubleFunction<Pool> value) {
        for (Pool p : pools) {
            out.append(name).append("{database=\"").append(escape(p.database())).append("\",tenant=\"")
                    .append(escape(p.tenant())).append("\"} ");
            double v = value.applyAsDouble(p);
            if (v == Math.rint(v) && !Double.isInfinite(v)) {
                out.append((long) v);
            } else {
                out.append(v);
            }
            out.append('\n');
        }
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
