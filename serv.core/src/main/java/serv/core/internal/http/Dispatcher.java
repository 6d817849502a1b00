package serv.core.internal;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import serv.core.Handler;
import serv.core.HttpException;
import serv.core.Middleware;
import serv.core.Route;
import serv.core.internal.jpa.PersistenceUnits;
import serv.core.internal.tenant.TenantTable;
import serv.core.internal.tenant.Tenants;
import serv.database.Database;
import serv.database.DatabaseState;
import serv.database.SqlError;

/**
 * The one servlet of the Servlet Whiteboard that serves every route. Routes are {@link Handler} services (Serv's own
 * whiteboard), so that a route whose database is down answers 503 instead of disappearing into a 404, path
 * templates with {@code {params}} work, and a 405 lists the methods of every route on the path.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/*")
@HttpWhiteboardServletName("serv.dispatcher")
public final class Dispatcher extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final long MAX_BODY = 1 << 20;
    private static final int RETRY_AFTER_SECONDS = 5;

    /** Longest wait for in-flight requests when the dispatcher goes away (server stopping, bundle updated). */
    private static final long DRAIN_MS = 10_000;

    private volatile RouteTable routes = RouteTable.EMPTY;
    /** Middleware, highest ranking first; replaced whole when one comes or goes. */
    private volatile List<Ranked> middleware = List.of();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final Map<String, Database> databases = new ConcurrentHashMap<>();

    /** Tenants: which one a request belongs to (empty: single-tenant). */
    private volatile TenantTable tenants = TenantTable.EMPTY;
    /** The tenants' components by id: a request wakes its tenant's pool and keeps it from idling. */
    private final Map<String, Tenants> tenantComponents = new ConcurrentHashMap<>();
    /** Longest wait of a tenant's first request for its pool to start (and migrate). */
    private static final long WAKE_MS = 15_000;

    /** JPA: the extensions' persistence units, opened per request. */
    @Reference
    private PersistenceUnits persistenceUnits;

    // ---- routes and databases, bound dynamically ------------------------------------------------------------

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(" + Route.PATH + "=*)")
    synchronized void bindHandler(org.osgi.framework.ServiceReference<Handler> ref, Handler handler,
            Map<String, Object> props) {
        long id = (Long) props.get(Constants.SERVICE_ID);
        try {
            RouteTable.Entry entry = RouteTable.Entry.of((String) props.get(Route.PATH), methods(props),
                    (String) props.get(Route.DATABASE), handler, id, ranking(props), ref.getBundle());
            routes = routes.with(entry);
            LOG.debug("Route {} {} bound", entry.methods(), entry.template());
        } catch (IllegalArgumentException | ClassCastException e) {
            LOG.error("Route service {} ignored: {}; fix the component's serv.route.* properties", id, e.getMessage());
        }
    }

    synchronized void unbindHandler(org.osgi.framework.ServiceReference<Handler> ref, Handler handler,
            Map<String, Object> props) {
        routes = routes.without((Long) props.get(Constants.SERVICE_ID));
    }

    synchronized void updatedHandler(org.osgi.framework.ServiceReference<Handler> ref, Handler handler,
            Map<String, Object> props) {
        unbindHandler(ref, handler, props);
        bindHandler(ref, handler, props);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    synchronized void bindTenant(Tenants tenant) {
        Tenants.Tenant now = tenant.tenant();
        TenantTable next = tenants;
        for (Map.Entry<String, Tenants> e : tenantComponents.entrySet()) {
            if (e.getValue() == tenant && !e.getKey().equals(now.id())) {
                next = next.without(e.getKey()); // its id changed: the old one selects nothing any more
            }
        }
        tenantComponents.values().remove(tenant);
        tenantComponents.put(now.id(), tenant);
        tenants = next.with(now);
    }

    synchronized void updatedTenant(Tenants tenant) {
        bindTenant(tenant);
    }

    synchronized void unbindTenant(Tenants tenant) {
        tenantComponents.values().remove(tenant);
        tenants = tenants.without(tenant.tenant().id());
    }

    private record Ranked(Middleware middleware, int ranking, long id) {
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    synchronized void bindMiddleware(Middleware m, Map<String, Object> props) {
        List<Ranked> next = new java.util.ArrayList<>(middleware);
        next.add(new Ranked(m, ranking(props), (Long) props.get(Constants.SERVICE_ID)));
        next.sort(java.util.Comparator.comparingInt(Ranked::ranking).reversed().thenComparingLong(Ranked::id));
        middleware = List.copyOf(next);
    }

    synchronized void unbindMiddleware(Middleware m, Map<String, Object> props) {
        long id = (Long) props.get(Constants.SERVICE_ID);
        middleware = middleware.stream().filter(r -> r.id() != id).toList();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindDatabase(Database database, Map<String, Object> props) {
        databases.put(key(props), database);
    }

    void unbindDatabase(Database database, Map<String, Object> props) {
        databases.remove(key(props), database);
    }

    void updatedDatabase(Database database, Map<String, Object> props) {
        databases.values().remove(database);
        databases.put(key(props), database);
    }

    private static String key(Map<String, Object> props) {
        Object tenant = props.get(Database.TENANT);
        return (tenant == null ? "" : tenant + "/") + props.get(Database.NAME);
    }

    // ---- requests -------------------------------------------------------------------------------------------

    /** Lets the requests being answered finish (bounded) before the component goes. */
    @org.osgi.service.component.annotations.Deactivate
    void drain() throws InterruptedException {
        long end = System.nanoTime() + DRAIN_MS * 1_000_000;
        while (inFlight.get() > 0 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        if (inFlight.get() > 0) {
            LOG.warn("{} requests still running after {} ms; stopping anyway", inFlight.get(), DRAIN_MS);
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        inFlight.incrementAndGet();
        try {
            dispatch(req, new Settling(req, resp));
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void dispatch(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String method = req.getMethod();
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        TenantTable tenantTable = tenants;
        Tenants.Tenant tenant = null;
        if (!tenantTable.isEmpty()) {
            TenantTable.Resolved resolved = tenantTable.resolve(req.getHeader("Host"), path);
            if (resolved != null) {
                tenant = resolved.tenant();
                path = resolved.path();
            }
        }
        RouteTable.Match match = routes.find(method, path);
        if (match == null) {
            send(resp, 404, Json.error("not found"), Map.of());
            return;
        }
        if (match.entry() == null) {
            if (method.equals("OPTIONS")) {
                send(resp, 204, null, Map.of("Allow", allow(match.allowed())));
            } else {
                HttpException e = HttpException.methodNotAllowed(match.allowed());
                send(resp, e.status(), Json.error(e.getMessage()), e.headers());
            }
            return;
        }
        RouteTable.Entry route = match.entry();
        org.osgi.framework.Bundle extension = route.bundle();
        if (tenant != null && !tenant.extensions().isEmpty()
                && (extension == null || !tenant.extensions().contains(extension.getSymbolicName()))) {
            send(resp, 404, Json.error("not found"), Map.of()); // an extension the tenant does not have
            return;
        }
        Database database = null;
        if (!route.database().isEmpty()) {
            if (!tenantTable.isEmpty() && tenant == null) {
                // Tenants are configured and no rule chose one: never another tenant's (or the shared) data.
                send(resp, 404, Json.error("unknown tenant"), Map.of());
                return;
            }
            database = tenant == null ? databases.get(route.database()) : tenantDatabase(tenant, route.database());
            if (database == null) {
                unavailable(resp, "database " + route.database() + " is not configured");
                return;
            }
            if (database.state() != DatabaseState.UP) {
                // The reason (hosts, migrations) is for operators, in /health; clients get the state.
                unavailable(resp, "database " + route.database() + " is " + database.state());
                return;
            }
            if (extension != null && !database.readyFor(extension.getBundleId())) {
                // Deployed a moment ago: its migrations are being applied while the others' routes are served.
                unavailable(resp, "database " + route.database() + " is applying this extension's migrations");
                return;
            }
        }
        RequestContext ctx = new RequestContext(req, method, path, match.params(), database,
                tenant == null ? null : tenant.id(), MAX_BODY,
                persistenceUnits);
        try {
            try {
                new Link(middleware, 0, route.handler(), ctx).proceed();
            } finally {
                ctx.close(false); // a no-op when the transaction middleware has ended it; otherwise roll back
            }
        } catch (HttpException e) {
            send(resp, e.status(), Json.error(e.getMessage()), e.headers());
            return;
        } catch (Exception e) {
            failed(resp, route, tenant == null ? null : tenant.id(), e);
            return;
        }
        byte[] body = method.equals("HEAD") ? null : ctx.output();
        if (ctx.output() != null) {
            resp.setContentType(ctx.contentType());
            resp.setContentLength(ctx.output().length);
        }
        send(resp, ctx.status(), body, ctx.headers());
    }

    /**
     * The tenant's database for a request, waking the tenant's pool when it sleeps (the first request, or the first
     * after the idle timeout) and waiting, bounded, until it is up; null when it is not configured.
     */
    private Database tenantDatabase(Tenants.Tenant tenant, String name) {
        String key = tenant.id() + "/" + name;
        Tenants component = tenantComponents.get(tenant.id());
        if (component == null || !name.equals("default")) {
            return databases.get(key); // a tenant's pool is its database "default"
        }
        try {
            component.wake();
        } catch (Exception e) {
            LOG.error("Tenant {}: its pool could not be started: {}", tenant.id(), e.toString());
            return databases.get(key);
        }
        long end = System.nanoTime() + WAKE_MS * 1_000_000;
        Database database = databases.get(key);
        // Null or STARTING: waking up; STOPPED: closed as idle a moment ago, its successor is on the way.
        while ((database == null || database.state() == DatabaseState.STARTING
                || database.state() == DatabaseState.STOPPED) && System.nanoTime() < end) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            database = databases.get(key);
        }
        return database;
    }

    /** The seed's "handle database errors gracefully", the same on PostgreSQL and SQLite. */
    private void failed(HttpServletResponse resp, RouteTable.Entry route, String tenant, Exception e)
            throws IOException {
        SqlError sql = SqlError.of(e).orElse(null);
        if (sql != null) {
            switch (sql.kind()) {
                case UNIQUE -> {
                    send(resp, 409, Json.error(sql.clientMessage()), Map.of());
                    return;
                }
                case FOREIGN_KEY, NOT_NULL, CHECK -> {
                    send(resp, 400, Json.error(sql.clientMessage()), Map.of());
                    return;
                }
                case UNAVAILABLE -> {
                    LOG.warn("Route {}{}: database {} unavailable: {}", route.template(),
                            tenant == null ? "" : " of tenant " + tenant, route.database(), e.getMessage());
                    unavailable(resp, "database " + route.database() + " is unavailable");
                    return;
                }
                case OTHER -> {
                    // a 500 below
                }
            }
        }
        String id = UUID.randomUUID().toString().substring(0, 8);
        if (tenant == null) {
            LOG.error("Route {} failed, error id {}", route.template(), id, e);
        } else {
            LOG.error("Route {} of tenant {} failed, error id {}", route.template(), tenant, id, e);
        }
        send(resp, 500, Json.error("internal server error", "id", id), Map.of());
    }

    /** One step of the middleware chain; the last step calls the route's handler. */
    private record Link(List<Ranked> middleware, int index, Handler handler, RequestContext ctx)
            implements Middleware.Chain {
        @Override
        public void proceed() throws Exception {
            if (index < middleware.size()) {
                middleware.get(index).middleware().handle(ctx, ctx, new Link(middleware, index + 1, handler, ctx));
            } else {
                handler.handle(ctx, ctx);
            }
        }
    }

    private static void unavailable(HttpServletResponse resp, String message) throws IOException {
        send(resp, 503, Json.error(message), Map.of("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)));
    }

    private static void send(HttpServletResponse resp, int status, byte[] body, Map<String, String> headers)
            throws IOException {
        resp.setStatus(status);
        headers.forEach(resp::setHeader);
        if (body != null) {
            if (resp.getContentType() == null) {
                resp.setContentType("application/json");
            }
            resp.setContentLength(body.length);
            resp.getOutputStream().write(body);
        }
    }

    /**
     * An answer that first settles the request's body: one the route did not read (a 404, 405 or 503 answered
     * before reading, a handler that ignored it) is read and dropped, so that the connection can carry the next
     * request; past {@link #MAX_BODY} the answer says {@code Connection: close} instead. Without this a client
     * that reuses the connection finds it closed under its next request.
     */
    private static final class Settling extends jakarta.servlet.http.HttpServletResponseWrapper {
        private final HttpServletRequest request;

        Settling(HttpServletRequest request, HttpServletResponse response) {
            super(response);
            this.request = request;
        }

        @Override
        public void setStatus(int status) {
            settle();
            super.setStatus(status);
        }

        private void settle() {
            try {
                if (request.getContentLengthLong() < 0 && request.getHeader("Transfer-Encoding") == null
                        && request.getProtocol().startsWith("HTTP/1.")) {
                    return; // HTTP/1: a request with neither header has no body (most GETs: nothing to allocate)
                }
                jakarta.servlet.ServletInputStream in = request.getInputStream();
                if (in.isFinished()) {
                    return;
                }
                byte[] buffer = new byte[8192];
                long dropped = 0;
                int n;
                while (dropped <= MAX_BODY && (n = in.read(buffer)) >= 0) {
                    dropped += n;
                }
                if (!in.isFinished()) {
                    setHeader("Connection", "close");
                }
            } catch (IOException | IllegalStateException e) {
                setHeader("Connection", "close");
            }
        }
    }

    static boolean isWrite(String method) {
        return switch (method) {
            case "POST", "PUT", "PATCH", "DELETE" -> true;
            default -> false;
        };
    }

    private static String allow(Set<String> methods) {
        return String.join(", ", new java.util.TreeSet<>(methods));
    }

    private static Set<String> methods(Map<String, Object> props) {
        Object m = props.get(Route.METHODS);
        if (m == null) {
            return Set.of("GET");
        }
        if (m instanceof String[] array) {
            return Set.copyOf(Arrays.asList(array));
        }
        if (m instanceof List<?> list) {
            return Set.copyOf(list.stream().map(Object::toString).toList());
        }
        return Set.of(m.toString().split("\\s*,\\s*"));
    }

    private static int ranking(Map<String, Object> props) {
        return props.get(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0;
    }
}
