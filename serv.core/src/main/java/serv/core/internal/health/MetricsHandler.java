package serv.core.internal.health;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;
import serv.core.internal.tenant.TenantGate;
import serv.core.internal.tenant.TenantRegistry;
import serv.core.runtime.Traffic;
import serv.database.Database;
import serv.database.DatabaseState;
import serv.database.PoolStats;

/**
 * {@code GET /metrics}: Prometheus text exposition of every database's pool, labelled by database and tenant; on a
 * tenant's host, that tenant's only.
 */
@Component(service = Handler.class)
@Route(path = "/metrics")
public final class MetricsHandler implements Handler {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<Database> databases = new CopyOnWriteArrayList<>();

    /** The tenants' shares of the server (requests waiting and refused), when tenants are configured. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile TenantRegistry tenants;

    /** The server's request counts (on the server's own site only: they are not a tenant's). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Traffic traffic;

    private record Sample(Database db, PoolStats stats) {
    }

    @Override
    public void handle(Request request, Response response) {
        String tenant = request.tenant().orElse(null);
        List<Sample> samples = databases.stream()
                .filter(d -> tenant == null || tenant.equals(d.tenant().orElse(null))) // a tenant sees its own
                .sorted(Comparator.comparing((Database d) -> d.tenant().orElse("")).thenComparing(Database::name))
                .map(d -> new Sample(d, d.stats())).toList();
        StringBuilder out = new StringBuilder(1024);
        metric(out, samples, "serv_database_up", "gauge", "1 when the database is UP, else 0.",
                s -> s.db().state() == DatabaseState.UP ? 1 : 0);
        metric(out, samples, "serv_database_connections_active", "gauge", "Connections borrowed right now.",
                s -> s.stats().active());
        metric(out, samples, "serv_database_connections_idle", "gauge", "Open connections waiting in the pool.",
                s -> s.stats().idle());
        metric(out, samples, "serv_database_connections_pending", "gauge", "Threads waiting for a connection.",
                s -> s.stats().pending());
        metric(out, samples, "serv_database_connections_max", "gauge", "Most connections the pool may open.",
                s -> s.stats().max());
        header(out, "serv_database_connection_acquire_seconds", "summary",
                "Time spent waiting for a connection (count and sum).");
        samples(out, samples, "serv_database_connection_acquire_seconds_count", s -> s.stats().acquired());
        samples(out, samples, "serv_database_connection_acquire_seconds_sum", s -> s.stats().acquireNanos() / 1e9);
        metric(out, samples, "serv_database_connection_timeouts_total", "counter",
                "Borrowings that gave up after the connection timeout.", s -> s.stats().timeouts());
        TenantRegistry registry = tenants;
        if (registry != null && !registry.table().isEmpty()) {
            // Only the tenants that met their share (ten thousand zero lines would say nothing).
            Map<String, TenantGate> gates = new java.util.TreeMap<>(registry.gates());
            gates.entrySet().removeIf(e -> (tenant != null && !e.getKey().equals(tenant))
                    || (e.getValue().waits() == 0 && e.getValue().refusals() == 0 && e.getValue().inFlight() == 0));
            header(out, "serv_tenant_requests_in_flight", "gauge", "Requests of the tenant being served (of its"
                    + " max_requests).");
            gates.forEach((id, g) -> out.append("serv_tenant_requests_in_flight{tenant=\"").append(escape(id))
                    .append("\"} ").append(g.inFlight()).append('\n'));
            header(out, "serv_tenant_requests_waited_total", "counter", "Requests that waited for a place among the"
                    + " tenant's max_requests.");
            gates.forEach((id, g) -> out.append("serv_tenant_requests_waited_total{tenant=\"").append(escape(id))
                    .append("\"} ").append(g.waits()).append('\n'));
            header(out, "serv_tenant_requests_refused_total", "counter", "Requests answered 503 because no place"
                    + " among the tenant's max_requests freed in time.");
            gates.forEach((id, g) -> out.append("serv_tenant_requests_refused_total{tenant=\"").append(escape(id))
                    .append("\"} ").append(g.refusals()).append('\n'));
        }
        Traffic t = traffic;
        if (tenant == null && t != null) {
            Traffic.Counts c = t.counts();
            header(out, "serv_http_requests_total", "counter", "Requests answered, by status class.");
            out.append("serv_http_requests_total{class=\"2xx_3xx\"} ")
                    .append(c.requests() - c.clientErrors() - c.serverErrors()).append('\n');
            out.append("serv_http_requests_total{class=\"4xx\"} ").append(c.clientErrors()).append('\n');
            out.append("serv_http_requests_total{class=\"5xx\"} ").append(c.serverErrors()).append('\n');
        }
        response.header("Cache-Control", "no-store").body(out.toString().getBytes(StandardCharsets.UTF_8), CONTENT_TYPE);
    }

    private static void metric(StringBuilder out, List<Sample> samples, String name, String type, String help,
            ToDoubleFunction<Sample> value) {
        header(out, name, type, help);
        samples(out, samples, name, value);
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void samples(StringBuilder out, List<Sample> samples, String name, ToDoubleFunction<Sample> value) {
        for (Sample s : samples) {
            out.append(name).append("{database=\"").append(escape(s.db().name())).append("\",tenant=\"")
                    .append(escape(s.db().tenant().orElse(""))).append("\"} ");
            double v = value.applyAsDouble(s);
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
