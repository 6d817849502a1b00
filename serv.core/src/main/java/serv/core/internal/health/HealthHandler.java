package serv.core.internal.health;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;
import serv.database.Database;
import serv.database.DatabaseState;
import serv.database.PoolStats;

/** {@code GET /health}: the overall status and one entry per database; 200 when all are up, else 503. */
@Component(service = Handler.class)
@Route(path = "/health")
public final class HealthHandler implements Handler {

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<Database> databases = new CopyOnWriteArrayList<>();

    @Override
    public void handle(Request request, Response response) {
        boolean up = true;
        Map<String, Object> entries = new LinkedHashMap<>();
        List<Database> sorted = databases.stream()
                .sorted(Comparator.comparing((Database d) -> d.tenant().orElse("")).thenComparing(Database::name))
                .toList();
        for (Database db : sorted) {
            DatabaseState state = db.state();
            up &= state == DatabaseState.UP;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("state", state.name());
            db.tenant().ifPresent(t -> entry.put("tenant", t));
            db.dialect().ifPresent(d -> entry.put("dialect", d.id()));
            db.reason().ifPresent(r -> entry.put("reason", r));
            PoolStats stats = db.stats();
            Map<String, Object> pool = new LinkedHashMap<>();
            pool.put("active", stats.active());
            pool.put("idle", stats.idle());
            pool.put("pending", stats.pending());
            pool.put("max", stats.max());
            entry.put("pool", pool);
            entries.put(db.tenant().map(t -> t + "/").orElse("") + db.name(), entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("databases", entries);
        response.status(up ? 200 : 503).header("Cache-Control", "no-store").json(body);
    }
}
