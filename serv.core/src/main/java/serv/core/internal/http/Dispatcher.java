package serv.core.internal.http;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentConstants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletAsyncSupported;
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
import serv.core.internal.server.FrameworkStart;
import serv.core.internal.server.StoppedExtensions;
import serv.core.internal.tenant.TenantRegistry;
import serv.core.internal.tenant.TenantGate;
import serv.core.internal.tenant.TenantTable;
import serv.core.runtime.RouteInfo;
import serv.core.runtime.RouteStatus;
import serv.core.runtime.Routes;
import serv.core.security.ClientAddress;
import serv.core.tenant.Tenant;
import serv.database.Database;
import serv.database.DatabaseState;

/**
 * The one servlet of the Servlet Whiteboard that serves every route. Routes are {@link Handler} services (Serv's own
 * whiteboard), so that a route whose database is down answers 503 instead of disappearing into a 404, path
 * templates with {@code {params}} work, and a 405 lists the methods of every route on the path.
 *
 * <p>A request: its tenant (by host or path prefix), its route ({@link RouteTable}), its database
 * ({@link DatabaseDirectory}: 503 unless up and migrated for the route's extension), then the
 * {@link MiddlewareChain} and the handler on a {@link RequestContext}, and the answer ({@link ErrorAnswers} for
 * errors).
 */
@Component(service = { Servlet.class, Routes.class })
@HttpWhiteboardServletPattern("/*")
@HttpWhiteboardServletName("serv.dispatcher")
@HttpWhiteboardServletAsyncSupported
public final class Dispatcher extends HttpServlet implements Routes {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final long MAX_BODY = 1 << 20;

    /** Longest wait for in-flight requests when the dispatcher goes away (server stopping, bundle updated). */
    private static final long DRAIN_MS = 10_000;
    /** Longest wait of a tenant's first request for its pool to start (and migrate). */
    private static final long WAKE_MS = 15_000;
    /** Longest wait of a request for a place among its tenant's requests served at once (max_requests). */
    private static final long GATE_WAIT_MS = 5_000;

    /** Dispatches again the requests that wait for a tenant's pool (they hold no thread meanwhile). */
    private final java.util.concurrent.ScheduledExecutorService waits =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "serv-request-waits");
                t.setDaemon(true);
                return t;
            });

    private volatile RouteTable routes = RouteTable.EMPTY;
    /** Service ids of the routes and middleware whose component did not activate: there, answering 503. */
    private final Set<Long> notStarted = ConcurrentHashMap.newKeySet();
    /** Route services whose serv.route.* properties are wrong (a path without its '/'): out of the table. */
    private final Map<Long, RouteInfo> refused = new ConcurrentHashMap<>();
    /** SCR's view of the components, for why a route did not start. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ServiceComponentRuntime scr;
    private volatile MiddlewareChain middleware = MiddlewareChain.EMPTY;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The requests answered, by status class (for /metrics, the console and the command line). */
    @Reference
    private TrafficCounter traffic;
    /** Who a request's client is (the trusted proxies of serv.http): Request.remoteAddress(). */
    @Reference
    private ClientAddress clients;
    private final DatabaseDirectory databases = new DatabaseDirectory();

    /** Tenants: which one a request belongs to (none configured: single-tenant). */
    @Reference
    private TenantRegistry tenants;

    // ---- routes, middleware and databases, bound dynamically ------------------------------------------------

    /**
     * The routes of extensions that are installed but stopped (or being updated): they answer 503 with the extension
     * named, never 404, until the extension runs again or is uninstalled.
     */
    private volatile RouteTable stopped = RouteTable.EMPTY;
    private BundleContext context;
    private volatile FrameworkStart start;
    private final BundleListener extensions = this::extensionEvent;
    /** The extensions the operator stopped: their routes are remembered across restarts. */
    @Reference
    private StoppedExtensions stoppedExtensions;
    /** Ids of the remembered routes of held extensions (no service has them): counted down from -1. */
    private long heldRouteIds = -1;
    private final StoppedExtensions.RouteMemory routeMemory = new StoppedExtensions.RouteMemory() {
        @Override
        public List<StoppedExtensions.StoppedRoute> routesOf(Bundle bundle) {
            List<StoppedExtensions.StoppedRoute> out = new ArrayList<>();
            for (RouteTable.Entry e : stopped.entries()) {
                if (e.bundle() != null && e.bundle().getBundleId() == bundle.getBundleId()) {
                    out.add(new StoppedExtensions.StoppedRoute(e.template(), new TreeSet<>(e.methods()),
                            e.database(), e.ranking()));
                }
            }
            return out;
        }

        @Override
        public void restore(Bundle bundle, List<StoppedExtensions.StoppedRoute> held) {
            synchronized (Dispatcher.this) {
                for (StoppedExtensions.StoppedRoute r : held) {
                    try {
                        stopped = stopped.with(RouteTable.Entry.of(r.path(), r.methods(), r.database(), null,
                                heldRouteIds--, r.ranking(), bundle));
                    } catch (IllegalArgumentException e) {
                        LOG.debug("Remembered route {} of {} ignored: {}", r.path(), name(bundle), e.getMessage());
                    }
                }
            }
        }
    };

    @Activate
    void activate(BundleContext bundleContext) {
        this.context = bundleContext;
        this.start = new FrameworkStart(bundleContext);
        bundleContext.addBundleListener(extensions);
        stoppedExtensions.attach(routeMemory);
    }

    /** Whether the framework is still starting bundles (whose routes may be on their way). */
    private boolean frameworkStopping() {
        try {
            return context != null && context.getBundle(0).getState() == Bundle.STOPPING;
        } catch (IllegalStateException gone) {
            return true; // this bundle's context is no longer valid: it is stopping
        }
    }

    private boolean frameworkStarting() {
        FrameworkStart s = start;
        return s != null && s.starting();
    }

    /**
     * A route service. The dispatcher gets the handler itself rather than letting SCR hand it over: when the
     * extension's component fails to activate (its constructor or {@code @Activate} method throws), SCR would leave
     * the route out without a word, so its path answered 404 or 405 and nothing but a stack trace in the log said
     * why. Such a route stays in the table and answers 503 naming it, and {@link #routes()} says it did not start
     * and why (SCR's failure), until its configuration changes or its extension is restarted or updated.
     */
    @Reference(name = "handler", service = Handler.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, target = "(" + Route.PATH + "=*)")
    void bindHandler(ServiceReference<Handler> ref, Map<String, Object> props) {
        Handler handler = handlerOf(ref); // outside the lock: it activates the extension's component
        synchronized (this) {
            Bundle bundle = ref.getBundle();
            RouteTable.Entry entry = entry(bundle, handler == null ? notStarted(ref, props) : handler, props);
            if (entry == null) {
                release(ref, handler);
                return;
            }
            routes = routes.with(entry);
            if (bundle != null) {
                stopped = stopped.withoutTemplate(bundle.getBundleId(), entry);
            }
            String route = String.join(",", new TreeSet<>(entry.methods())) + " " + entry.template();
            if (handler == null) {
                notStarted.add(entry.serviceId());
                LOG.error("Route {} of {} did not start: its component {} failed to activate (SCR's error above);"
                        + " it answers 503 until its configuration changes or the extension is restarted", route,
                        name(bundle), props.get(ComponentConstants.COMPONENT_NAME));
            } else {
                LOG.info("Route {} of {} bound{}", route, name(bundle),
                        entry.database().isEmpty() ? "" : " (database " + entry.database() + ")");
            }
            warnShadows(entry);
        }
    }

    /**
     * Says, at WARN, which routes {@code entry} (just bound, or with a new path or methods) shadows or is shadowed by:
     * two routes on one path template and method, of two extensions or of one. Only one of them answers (see
     * {@link RouteTable#ORDER}); the other is listed {@code SHADOWED} by {@link #routes()} until one of them moves.
     * One outranked by a higher {@code service.ranking} is overridden on purpose: said at INFO.
     */
    private void warnShadows(RouteTable.Entry entry) {
        List<RouteTable.Shadow> shadows = routes.shadows(holders());
        Set<String> standing = new java.util.HashSet<>();
        for (RouteTable.Shadow s : shadows) {
            standing.add(clash(s));
        }
        warned.retainAll(standing);
        for (RouteTable.Shadow s : shadows) {
            if ((s.route() == entry || s.by() == entry) && warned.add(clash(s))) {
                String route = String.join(",", new TreeSet<>(s.route().methods()));
                if (byRanking(s)) {
                    // The whiteboard's way to replace a route: meant, so said, not warned about.
                    LOG.info("Route {} {} of {} is overridden: {}", route, s.route().template(),
                            name(s.route().bundle()), shadowReason(s));
                } else {
                    LOG.warn("Route {} {} of {} is shadowed: {}", route, s.route().template(),
                            name(s.route().bundle()), shadowReason(s));
                }
            }
        }
    }

    /**
     * Whether the route that answers instead was chosen by its higher {@code service.ranking} (the first rule of
     * {@link RouteTable#ORDER} between routes of one template): a deliberate override, not a clash.
     */
    private static boolean byRanking(RouteTable.Shadow s) {
        return s.by().ranking() != s.route().ranking();
    }

    /**
     * The clashes said already, while they stand: an update or refresh of the extension that keeps the path binds
     * its route again (twice: FileInstall updates, then refreshes), with new service ids, and the clash is the same.
     */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /** A clash as it stays across updates: the two extensions and components, the path template, the methods. */
    private static String clash(RouteTable.Shadow s) {
        return who(s.route()) + " " + s.route().shape() + " " + s.methods() + " " + who(s.by());
    }

    private static String who(RouteTable.Entry e) {
        return e.bundleId() + "/" + (e.component() == null ? "#" + e.serviceId() : e.component());
    }

    /** The routes that answer no method now (of their path template), by service id. */
    private Set<Long> shadowedIds() {
        Set<Long> out = new java.util.HashSet<>();
        for (RouteTable.Shadow s : routes.shadows(holders())) {
            out.add(s.route().serviceId());
        }
        return out;
    }

    /** Says which routes that were shadowed ({@code before}) answer their methods now that the other route went. */
    private void sayHandedOver(Set<Long> before, String why) {
        if (before.isEmpty()) {
            return;
        }
        Set<Long> still = shadowedIds();
        for (long id : before) {
            RouteTable.Entry e = routes.entry(id);
            if (e != null && !still.contains(id)) {
                LOG.info("Route {} {} of {} answers its path now: {}", String.join(",", new TreeSet<>(e.methods())),
                        e.template(), name(e.bundle()), why);
            }
        }
    }

    /**
     * The routes out of the table that keep their paths: those of extensions that are stopped or being updated, and
     * of running ones whose routes are being bound again, which answer 503 naming their extension (see
     * {@link #holdsPath}).
     */
    private List<RouteTable.Entry> holders() {
        RouteTable ghosts = stopped;
        if (ghosts.isEmpty()) {
            return List.of();
        }
        List<RouteTable.Entry> out = new ArrayList<>();
        for (RouteTable.Entry e : ghosts.entries()) {
            if (holdsPath(e)) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Whether a route out of the table (its extension stops, is updated, or rebinds it) still holds its path: it
     * answers 503 naming its extension rather than let the request go to another route that it comes before. So an
     * update or refresh of the extension installed first never hands its path to another one, not even for a
     * moment; one whose route went for good lets the other serve after {@link #REBIND_GRACE_NS}.
     */
    private boolean holdsPath(RouteTable.Entry ghost) {
        Bundle b = ghost.bundle();
        return b != null && (b.getState() != Bundle.ACTIVE || justStarted(b) || justGone(ghost));
    }

    /**
     * Why a route does not answer some of its methods: the route that does, the rule that chose it (see
     * {@link RouteTable#ORDER}) and the fix.
     */
    private String shadowReason(RouteTable.Shadow s) {
        RouteTable.Entry e = s.route();
        RouteTable.Entry by = s.by();
        String methods = String.join(",", s.methods());
        String other = by.template().equals(e.template()) ? "" : " (" + by.template() + ")";
        String held = routes.entry(by.serviceId()) != null ? ""
                : " (stopped or being updated: it answers 503 naming its extension until it runs again or is"
                        + " uninstalled)";
        if (byRanking(s)) {
            return methods + " " + e.template() + " is answered by the route" + other + " of " + extension(by)
                    + ", whose service.ranking is higher (" + by.ranking() + ", this one's " + e.ranking() + ")"
                    + held + ": it overrides this one on purpose, which is not an error; for this one to answer,"
                    + " give it a service.ranking above " + by.ranking() + " or remove the other";
        }
        String whose;
        if (by.bundle() != null && e.bundle() != null && by.bundleId() == e.bundleId()) {
            whose = "the route" + other + " of component " + by.component() + " of the same extension, whose name"
                    + " sorts first";
        } else {
            whose = "the route" + other + " of " + extension(by) + ", installed first (bundle " + by.bundleId()
                    + "), which keeps it";
        }
        return methods + " " + e.template() + " is answered by " + whose + held + ": give one of the two routes"
                + " another path (its @Route path, or serv.route.path in its component's configuration)";
    }

    private static String extension(RouteTable.Entry e) {
        return e.bundle() == null ? "an unknown bundle" : "extension " + name(e.bundle());
    }

    synchronized void unbindHandler(ServiceReference<Handler> ref, Map<String, Object> props) {
        long id = (Long) props.get(Constants.SERVICE_ID);
        refused.remove(id);
        RouteTable.Entry gone = routes.entry(id);
        Set<Long> shadowed = gone == null ? Set.of() : shadowedIds();
        Bundle b = gone == null ? null : gone.bundle();
        // Into the routes that hold their paths before it leaves the table: a request in between would find neither,
        // and go to another extension's route on its path (or be a 404).
        int state = b == null ? 0 : b.getState();
        if (b != null && (state & (Bundle.ACTIVE | Bundle.UNINSTALLED)) == 0) {
            stopped = stopped.with(gone); // its extension stops or is updated: 503, not 404
        } else if (b != null && state == Bundle.ACTIVE) {
            // Its component is replaced while the extension runs (a dependency came back, a refresh after an
            // update): 503 until it is bound again, for a moment; a route that went for good is a 404 after that.
            goneAt.put(gone.serviceId(), System.nanoTime());
            stopped = stopped.with(gone);
        }
        routes = routes.without(id);
        if (!notStarted.remove(id)) {
            services.unget(ref); // released at most once more than got (its properties were wrong): harmless
        }
        if (gone == null) {
            return;
        }
        LOG.info("Route {} {} of {} gone", String.join(",", new TreeSet<>(gone.methods())), gone.template(),
                name(b));
        sayHandedOver(shadowed, "route " + String.join(",", new TreeSet<>(gone.methods())) + " " + gone.template()
                + " of " + name(b) + " went");
    }

    /**
     * New properties (a moved database, a changed path): the route is replaced in one step, so that no request sees
     * the table without it (a 404 or a 405 for a route that never went away). A route that did not start tries again:
     * a new configuration may be what its component lacked.
     */
    void updatedHandler(ServiceReference<Handler> ref, Map<String, Object> props) {
        long id = (Long) props.get(Constants.SERVICE_ID);
        // One that did not start, or was out of the table for wrong properties, gets its handler again.
        Handler fresh = notStarted.contains(id) || routes.entry(id) == null ? handlerOf(ref) : null;
        synchronized (this) {
            RouteTable.Entry old = routes.entry(id);
            Handler handler;
            if (old != null && !notStarted.contains(id)) {
                handler = old.handler(); // it serves: it keeps its handler
                release(ref, fresh);
            } else if (fresh != null) {
                handler = fresh;
                if (notStarted.remove(id)) {
                    LOG.info("Route {} of {} started after its configuration changed", props.get(Route.PATH),
                            name(ref.getBundle()));
                }
            } else {
                handler = notStarted(ref, props);
                notStarted.add(id);
            }
            RouteTable.Entry entry = entry(ref.getBundle(), handler, props);
            if (entry == null && handler == fresh) {
                release(ref, fresh); // its properties are still wrong
            }
            RouteTable without = routes.without(id);
            Set<Long> shadowed = old == null ? Set.of() : shadowedIds();
            routes = entry == null ? without : without.with(entry);
            if (entry != null && (old == null || !old.shape().equals(entry.shape())
                    || !old.methods().equals(entry.methods()) || old.ranking() != entry.ranking())) {
                warnShadows(entry);
                sayHandedOver(shadowed, "route " + props.get(Route.PATH) + " of " + name(ref.getBundle())
                        + " changed");
            }
        }
    }

    /** The route's handler, or null when its component did not activate. */
    private Handler handlerOf(ServiceReference<Handler> ref) {
        return services.get(ref);
    }

    private void release(ServiceReference<Handler> ref, Handler handler) {
        if (handler != null) {
            services.unget(ref);
        }
    }

    /** Where route handlers and middleware come from: serv.core's bundle context (a test gives its own). */
    interface Services {
        <S> S get(ServiceReference<S> ref);

        void unget(ServiceReference<?> ref);
    }

    Services services = new Services() {
        @Override
        public <S> S get(ServiceReference<S> ref) {
            BundleContext own = FrameworkUtil.getBundle(Dispatcher.class).getBundleContext();
            try {
                return own == null ? null : own.getService(ref);
            } catch (IllegalStateException | IllegalArgumentException e) {
                return null; // serv.core stops, or the service went meanwhile
            }
        }

        @Override
        public void unget(ServiceReference<?> ref) {
            BundleContext own = FrameworkUtil.getBundle(Dispatcher.class).getBundleContext();
            try {
                if (own != null) {
                    own.ungetService(ref);
                }
            } catch (IllegalStateException | IllegalArgumentException e) {
                // serv.core stops: the framework releases it
            }
        }
    };

    /** What a route whose component did not activate answers: 503, naming the route but not the failure. */
    private static Handler notStarted(ServiceReference<Handler> ref, Map<String, Object> props) {
        Bundle b = ref.getBundle();
        String message = "route " + props.get(Route.PATH) + " of " + (b == null ? "an extension" : b.getSymbolicName())
                + " did not start (its component failed to activate; the server's log and console say why)";
        return (request, response) -> {
            throw HttpException.unavailable(message, 30);
        };
    }

    /** The table entry of a route service; {@code null} (and an error naming the fix) when its properties are wrong. */
    private RouteTable.Entry entry(Bundle bundle, Handler handler, Map<String, Object> props) {
        long id = (Long) props.get(Constants.SERVICE_ID);
        refused.remove(id);
        Object ranking = props.get(Constants.SERVICE_RANKING);
        if (ranking != null && !(ranking instanceof Integer)) {
            // The framework ignores it too (OSGi core: an Integer or nothing): the route would not override anything.
            LOG.warn("Route {} of {}: service.ranking '{}' is a {}, not an Integer, so it counts as 0 and overrides"
                    + " nothing; give it as an Integer (@Component(property = \"service.ranking:Integer={}\"))",
                    props.get(Route.PATH), name(bundle), ranking, ranking.getClass().getSimpleName(), ranking);
        }
        try {
            Object component = props.get(ComponentConstants.COMPONENT_NAME);
            return RouteTable.Entry.of((String) props.get(Route.PATH), methods(props),
                    (String) props.get(Route.DATABASE), handler, id, ranking(props), bundle,
                    component == null ? null : component.toString());
        } catch (IllegalArgumentException | ClassCastException e) {
            LOG.error("Route service {} of {} ignored: {}; fix the component's serv.route.* properties", id,
                    name(bundle), e.getMessage());
            Object path = props.get(Route.PATH);
            Set<String> methods;
            try {
                methods = methods(props);
            } catch (RuntimeException wrong) {
                methods = Set.of();
            }
            refused.put(id, new RouteInfo(methods, String.valueOf(path), String.valueOf(props.getOrDefault(
                    Route.DATABASE, "")), bundle == null ? "" : bundle.getSymbolicName(),
                    bundle == null ? "" : bundle.getVersion().toString(), bundle == null ? -1 : bundle.getBundleId(),
                    RouteStatus.NOT_STARTED, "its component " + props.get(ComponentConstants.COMPONENT_NAME)
                            + " has wrong route properties: " + e.getMessage() + " (fix its @Route)"));
            return null;
        }
    }

    /**
     * When each bundle last started (nanoTime), by id: its components, routes among them, are bound a moment after its
     * start, so a route it had before answers 503 for {@link #REBIND_GRACE_NS} after it, not 404.
     */
    private final Map<Long, Long> startedAt = new java.util.concurrent.ConcurrentHashMap<>();
    private static final long REBIND_GRACE_NS = 10_000_000_000L;

    /** When routes of running extensions went, by service id: see {@link #unbindHandler}. */
    private final Map<Long, Long> goneAt = new java.util.concurrent.ConcurrentHashMap<>();

    private boolean justGone(RouteTable.Entry e) {
        Long at = goneAt.get(e.serviceId());
        if (at != null && System.nanoTime() - at >= REBIND_GRACE_NS) {
            goneAt.remove(e.serviceId(), at);
            return false;
        }
        return at != null;
    }

    private boolean justStarted(Bundle b) {
        Long at = startedAt.get(b.getBundleId()); // told asynchronously: an update is seen by its time as well
        return at != null && System.nanoTime() - at < REBIND_GRACE_NS
                || System.currentTimeMillis() - b.getLastModified() < REBIND_GRACE_NS / 1_000_000;
    }

    /** An extension (a bundle that imports the route API) started, stopped or went: one log line, and its 503s. */
    void extensionEvent(BundleEvent event) {
        Bundle b = event.getBundle();
        switch (event.getType()) {
            case BundleEvent.UNINSTALLED -> {
                Json.forgetClasses();
                synchronized (this) {
                    Set<Long> shadowed = shadowedIds();
                    stopped = stopped.withoutBundle(b.getBundleId());
                    sayHandedOver(shadowed, "extension " + name(b) + ", whose route it was, is uninstalled");
                }
                startedAt.remove(b.getBundleId());
            }
            case BundleEvent.STARTED -> {
                startedAt.put(b.getBundleId(), System.nanoTime());
                if (isExtension(b)) {
                    LOG.info("Extension {} started", name(b));
                }
            }
            case BundleEvent.STOPPED -> {
                if (isExtension(b)) {
                    LOG.info("Extension {} stopped: its routes answer 503 until it starts again", name(b));
                }
            }
            case BundleEvent.UPDATED, BundleEvent.UNRESOLVED -> Json.forgetClasses(); // its old classes go
            default -> {
                // nothing to say
            }
        }
    }

    /**
     * Why an extension that is not running does not: "stopped", or, for one installed but not resolved (a new
     * version whose import nothing provides, say), that it does not resolve, which "stopped" had hidden: its author
     * looked for who stopped it. One the operator stopped (held, and resolved a moment later) is stopped.
     */
    private static String notRunning(Bundle b) {
        return b != null && b.getState() == Bundle.INSTALLED && !StoppedExtensions.held(b)
                ? "not resolved: something it requires is missing (the log, the console's Extensions page and `serv"
                        + " extension list` say what)"
                : "stopped";
    }

    /** Whether a bundle is an extension of Serv: it is wired to the route API. */
    private static boolean isExtension(Bundle b) {
        org.osgi.framework.wiring.BundleWiring wiring = b.adapt(org.osgi.framework.wiring.BundleWiring.class);
        if (wiring == null) {
            return false;
        }
        for (org.osgi.framework.wiring.BundleWire w : wiring.getRequiredWires("osgi.wiring.package")) {
            if ("serv.core".equals(w.getCapability().getAttributes().get("osgi.wiring.package"))) {
                return true;
            }
        }
        return false;
    }

    private static String name(Bundle b) {
        return b == null ? "an unknown bundle" : b.getSymbolicName() + " " + b.getVersion();
    }

    /**
     * A middleware service, got by the dispatcher itself as a route's handler is. One whose component fails to
     * activate is not left out, as SCR's own binding did without a word: it runs around every request that reaches
     * a route, answering 503 naming it. Left out, routes would serve what it should have refused (a middleware that
     * checks a login, a tenant's plan); it tries again when its service properties change (a new configuration).
     */
    @Reference(name = "middleware", service = Middleware.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void bindMiddleware(ServiceReference<Middleware> ref, Map<String, Object> props) {
        Middleware m = services.get(ref); // outside the lock: it activates the extension's component
        long id = (Long) props.get(Constants.SERVICE_ID);
        synchronized (this) {
            if (m == null) {
                notStarted.add(id);
                LOG.error("Middleware {} of {} did not start: its component failed to activate (SCR's error above);"
                        + " every route answers 503 until its configuration changes or the extension is restarted",
                        props.get(ComponentConstants.COMPONENT_NAME), name(ref.getBundle()));
            }
            middleware = middleware.with(m == null ? failedMiddleware(ref, props) : m, ranking(props), id,
                    extensionOf(ref));
        }
    }

    synchronized void unbindMiddleware(ServiceReference<Middleware> ref, Map<String, Object> props) {
        long id = (Long) props.get(Constants.SERVICE_ID);
        middleware = middleware.without(id);
        if (!notStarted.remove(id)) {
            services.unget(ref);
        }
    }

    /** New properties: a new ranking takes effect, and a middleware that did not start tries again. */
    void updatedMiddleware(ServiceReference<Middleware> ref, Map<String, Object> props) {
        long id = (Long) props.get(Constants.SERVICE_ID);
        Middleware retried = notStarted.contains(id) ? services.get(ref) : null;
        synchronized (this) {
            Middleware m = middleware.middleware(id);
            if (retried != null) {
                if (!notStarted.remove(id)) {
                    services.unget(ref); // unbound meanwhile
                    return;
                }
                LOG.info("Middleware {} of {} started after its configuration changed",
                        props.get(ComponentConstants.COMPONENT_NAME), name(ref.getBundle()));
                m = retried;
            }
            if (m != null) {
                middleware = middleware.without(id).with(m, ranking(props), id, extensionOf(ref));
            }
        }
    }

    /** The extension a middleware comes from: its bundle's symbolic name; null for Serv's own (serv.core's). */
    private static String extensionOf(ServiceReference<?> ref) {
        Bundle b = ref.getBundle();
        Bundle own = org.osgi.framework.FrameworkUtil.getBundle(Dispatcher.class); // bound before activate too
        return b == null || own != null && b.getBundleId() == own.getBundleId() ? null : b.getSymbolicName();
    }

    /** What a middleware whose component did not activate does: answers 503, naming it but not the failure. */
    private static Middleware failedMiddleware(ServiceReference<Middleware> ref, Map<String, Object> props) {
        Bundle b = ref.getBundle();
        String message = "middleware " + props.get(ComponentConstants.COMPONENT_NAME) + " of "
                + (b == null ? "an extension" : b.getSymbolicName()) + " did not start (its component failed to"
                + " activate; the server's log and console say why)";
        return (request, response, chain) -> {
            throw HttpException.unavailable(message, 30);
        };
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindDatabase(Database database, Map<String, Object> props) {
        databases.bind(database, props);
    }

    void unbindDatabase(Database database, Map<String, Object> props) {
        databases.unbind(database, props);
    }

    void updatedDatabase(Database database, Map<String, Object> props) {
        databases.updated(database, props);
    }

    // ---- requests -------------------------------------------------------------------------------------------

    /** Lets the requests being answered finish (bounded) before the component goes. */
    @Deactivate
    void drain() throws InterruptedException {
        stoppedExtensions.detach(routeMemory);
        if (context != null) {
            try {
                context.removeBundleListener(extensions);
            } catch (IllegalStateException stopping) {
                // the bundle's context is no longer valid
            }
        }
        long end = System.nanoTime() + DRAIN_MS * 1_000_000;
        while (inFlight.get() > 0 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        if (inFlight.get() > 0) {
            LOG.warn("{} requests still running after {} ms; stopping anyway", inFlight.get(), DRAIN_MS);
        }
        waits.shutdownNow();
    }

    /**
     * A request without a body is answered on this thread. One with a body first has it read without a thread
     * ({@link AsyncBody}), and is answered once it is all in: a slow client never holds a thread. Either may then wait
     * for a sleeping tenant's pool, again without a thread ({@link Exchange}).
     */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        inFlight.incrementAndGet();
        long declared = req.getContentLengthLong();
        if (declared > 0 || (declared < 0 && req.getHeader("Transfer-Encoding") != null)) {
            try {
                AsyncBody.read(req, resp, MAX_BODY, body -> {
                    Exchange exchange = new Exchange(req, resp, body, () -> answered(resp));
                    boolean done = dispatch(exchange);
                    if (done) {
                        exchange.releaseGate(); // answered here: AsyncBody completes it
                    }
                    return done;
                }, () -> answered(resp));
            } catch (IOException | RuntimeException e) {
                inFlight.decrementAndGet();
                throw e;
            }
            return;
        }
        Exchange exchange = new Exchange(req, new SettlingResponse(req, resp, MAX_BODY), null, () -> answered(resp));
        boolean answered = true;
        try {
            answered = dispatch(exchange);
        } finally {
            if (answered) {
                exchange.finish();
            }
        }
    }

    /** A request is over: it is counted out of the in-flight ones, and into the traffic by its status. */
    private void answered(HttpServletResponse resp) {
        inFlight.decrementAndGet();
        traffic.count(resp.getStatus());
    }

    @Override
    public List<RouteInfo> routes() {
        List<RouteInfo> out = new ArrayList<>();
        String blocked = notStarted.isEmpty() ? null : middlewareNotStarted();
        RouteTable table = routes;
        Map<Long, List<RouteTable.Shadow>> shadows = new java.util.HashMap<>();
        for (RouteTable.Shadow s : table.shadows(holders())) {
            shadows.computeIfAbsent(s.route().serviceId(), k -> new ArrayList<>()).add(s);
        }
        for (RouteTable.Entry e : table.entries()) {
            RouteInfo info = info(e, false);
            List<RouteTable.Shadow> shadowed = shadows.get(e.serviceId());
            if (shadowed != null) {
                info = shadowed(info, e, shadowed, blocked);
            } else if (blocked != null && info.status() == RouteStatus.SERVING) {
                info = new RouteInfo(info.methods(), info.path(), info.database(), info.extension(),
                        info.extensionVersion(), info.bundleId(), RouteStatus.NOT_STARTED, blocked);
            }
            out.add(info);
        }
        for (RouteTable.Entry e : stopped.entries()) {
            if (e.bundle() == null || e.bundle().getState() != Bundle.ACTIVE) {
                out.add(info(e, true));
            }
        }
        out.addAll(refused.values());
        out.sort(Comparator.comparing(RouteInfo::path).thenComparing(r -> new TreeSet<>(r.methods()).toString()));
        return out;
    }

    /**
     * A route that another one of its path template answers for some of its methods: {@code SHADOWED}, why and the
     * fix, and what it is for the methods it still answers ({@code info}, as it would be otherwise).
     */
    private RouteInfo shadowed(RouteInfo info, RouteTable.Entry e, List<RouteTable.Shadow> shadows, String blocked) {
        List<String> reasons = new ArrayList<>();
        Set<String> own = new TreeSet<>(e.methods());
        boolean overridden = true; // every method it lost, it lost to a higher service.ranking
        for (RouteTable.Shadow s : shadows) {
            reasons.add(shadowReason(s));
            own.removeAll(s.methods());
            overridden &= byRanking(s);
        }
        String reason = String.join("; ", reasons);
        if (!own.isEmpty()) {
            String rest = info.status() != RouteStatus.SERVING ? info.status() + ": " + info.reason()
                    : blocked != null ? RouteStatus.NOT_STARTED + ": " + blocked : "it serves them";
            reason += "; this route still answers " + String.join(",", own) + " (" + rest + ")";
        }
        return new RouteInfo(info.methods(), info.path(), info.database(), info.extension(), info.extensionVersion(),
                info.bundleId(), RouteStatus.SHADOWED, reason, overridden);
    }

    /** SCR's failure of the route's component: its first line (the exception and its message). */
    private String whyNotStarted(long serviceId, String service) {
        String component = "its component";
        ServiceComponentRuntime runtime = scr;
        ServiceReference<?> ref = serviceReference(serviceId, service);
        if (ref != null) {
            Object name = ref.getProperty(ComponentConstants.COMPONENT_NAME);
            component = "its component " + name;
            if (runtime != null && name != null && ref.getBundle() != null) {
                ComponentDescriptionDTO d = runtime.getComponentDescriptionDTO(ref.getBundle(), name.toString());
                for (ComponentConfigurationDTO c : d == null ? List.<ComponentConfigurationDTO>of()
                        : runtime.getComponentConfigurationDTOs(d)) {
                    if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION && c.failure != null) {
                        return component + " failed to activate: " + cause(c.failure);
                    }
                }
            }
        }
        return component + " failed to activate (the server's log says why)";
    }

    /** Why every route answers 503: a middleware that did not start; null when all did. */
    private String middlewareNotStarted() {
        for (long id : notStarted) {
            ServiceReference<?> ref = serviceReference(id, Middleware.class.getName());
            if (ref != null) {
                Bundle b = ref.getBundle();
                return "middleware " + ref.getProperty(ComponentConstants.COMPONENT_NAME) + " of "
                        + (b == null ? "an extension" : b.getSymbolicName()) + " did not start: "
                        + whyNotStarted(id, Middleware.class.getName());
            }
        }
        return null;
    }

    /**
     * The exception that made the activation fail, from SCR's stack trace: its last "Caused by" (a constructor's
     * exception comes wrapped in an InvocationTargetException), else its first line.
     */
    static String cause(String failure) {
        String cause = failure.lines().findFirst().orElse("");
        for (String line : (Iterable<String>) failure.lines()::iterator) {
            if (line.startsWith("Caused by: ")) {
                cause = line.substring("Caused by: ".length());
            }
        }
        return cause;
    }

    private ServiceReference<?> serviceReference(long serviceId, String service) {
        BundleContext own = context;
        if (own == null) {
            return null;
        }
        try {
            ServiceReference<?>[] refs = own.getServiceReferences(service,
                    "(" + Constants.SERVICE_ID + "=" + serviceId + ")");
            return refs == null ? null : refs[0];
        } catch (org.osgi.framework.InvalidSyntaxException | IllegalStateException ex) {
            return null;
        }
    }

    /** A route and whether it serves now, as the dispatcher would decide for a request of the server's site. */
    private RouteInfo info(RouteTable.Entry e, boolean stoppedExtension) {
        Bundle b = e.bundle();
        RouteStatus status = RouteStatus.SERVING;
        String reason = null;
        if (stoppedExtension) {
            status = RouteStatus.EXTENSION_STOPPED;
            reason = "extension " + (b == null ? "?" : b.getSymbolicName()) + " is " + notRunning(b);
        } else if (notStarted.contains(e.serviceId())) {
            status = RouteStatus.NOT_STARTED;
            reason = whyNotStarted(e.serviceId(), Handler.class.getName());
        } else if (!e.database().isEmpty()) {
            Database db = databases.get(e.database());
            if (db == null) {
                status = RouteStatus.DATABASE_NOT_CONFIGURED;
                reason = "database " + e.database() + " is not configured";
            } else if (db.state() != DatabaseState.UP) {
                status = RouteStatus.DATABASE_DOWN;
                reason = "database " + e.database() + " is " + db.state() + db.reason().map(r -> ": " + r).orElse("");
            } else if (b != null && !db.readyFor(b.getBundleId())) {
                boolean failed = db.failedExtensions().containsKey(b.getSymbolicName());
                status = failed ? RouteStatus.MIGRATION_FAILED : RouteStatus.WAITING_FOR_MIGRATIONS;
                reason = db.reasonFor(b.getBundleId()).orElse(null);
            }
        }
        return new RouteInfo(new TreeSet<>(e.methods()), e.template(), e.database(),
                b == null ? "" : b.getSymbolicName(), b == null ? "" : b.getVersion().toString(),
                b == null ? -1 : b.getBundleId(), status, reason);
    }

    /**
     * Answers a request (its body, when it has one, was read already); false when it waits for its tenant's pool and
     * will be dispatched again.
     */
    private boolean dispatch(Exchange exchange) throws IOException {
        HttpServletRequest req = exchange.request;
        HttpServletResponse resp = exchange.response;
        String method = req.getMethod();
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        TenantTable tenantTable = tenants.table();
        Tenant tenant = null;
        if (!tenantTable.isEmpty()) {
            TenantTable.Resolved resolved = tenantTable.resolve(req.getHeader("Host"), path);
            if (resolved != null && resolved.held() != null) {
                // A tenant whose configuration was refused: not the site's, not another tenant's, until it is fixed.
                ErrorAnswers.unavailable(resp, "tenant " + resolved.held() + " is not available: its configuration"
                        + " was refused (the server's /health says why)");
                return true;
            }
            if (resolved != null) {
                tenant = resolved.tenant();
                path = resolved.path();
            }
        }
        // The routes and those that hold their paths, as one: a route goes into the second before it leaves the
        // first, and leaves the second once it is back in the first; read in between, a route would be in neither.
        RouteTable table;
        RouteTable ghosts;
        do {
            table = routes;
            ghosts = stopped;
        } while (table != routes);
        // A tenant with a list of extensions has their routes only: another extension's route on the same path and
        // method (one it outranks, or one installed first) hides none of them from the tenant.
        Set<String> own = tenant == null ? Set.of() : tenant.extensions();
        java.util.function.Predicate<RouteTable.Entry> visible = own.isEmpty() ? e -> true
                : e -> e.bundle() != null && own.contains(e.bundle().getSymbolicName());
        RouteTable.Match match = table.find(method, path, visible);
        if (match != null && match.entry() != null && !ghosts.isEmpty()) {
            // A route that comes before the one found (of the extension installed first, say) is out of the table
            // for a moment: its extension is being updated, or its routes bound again. Its path stays its own.
            RouteTable.Entry holder = ghosts.before(match.entry(), method, path, g -> holdsPath(g) && visible.test(g));
            if (holder != null) {
                Bundle b = holder.bundle();
                ErrorAnswers.unavailable(resp, "extension " + b.getSymbolicName() + " is "
                        + ((b.getState() & (Bundle.ACTIVE | Bundle.STARTING | Bundle.STOPPING)) != 0
                                ? "starting or stopping" : notRunning(b)));
                return true;
            }
        }
        if (match == null || match.entry() == null) {
            // A route of an extension that stops, is updated or has just started again (its components are bound a
            // moment after its start): 503, not a 404, nor a 405 while its other methods are back already.
            RouteTable.Match ghost = ghosts.isEmpty() ? null : ghosts.find(method, path);
            Bundle b = ghost == null || ghost.entry() == null ? null : ghost.entry().bundle();
            boolean justStarted = b != null && b.getState() == Bundle.ACTIVE
                    && (justStarted(b) || justGone(ghost.entry()));
            if (b != null && (b.getState() != Bundle.ACTIVE || justStarted)) {
                ErrorAnswers.unavailable(resp, "extension " + b.getSymbolicName() + " is "
                        + (justStarted || (b.getState() & (Bundle.STARTING | Bundle.STOPPING)) != 0
                                ? "starting or stopping" : notRunning(b)));
                return true;
            }
            if (frameworkStarting()) {
                // Extensions are still starting: the route (or its method) may be on its way: "not yet", not "never".
                ErrorAnswers.unavailable(resp, "Serv is starting: its extensions are not all started yet");
                return true;
            }
            if (frameworkStopping()) {
                // The extensions' routes go one by one as the server stops: a POST whose route went answered 405
                // (its GET still there), then 404, where the client should retry elsewhere or later.
                ErrorAnswers.unavailable(resp, "Serv is stopping");
                return true;
            }
            if (tenant == null && tenants.loading()) {
                // The tenant of this path prefix may be on its way.
                ErrorAnswers.unavailable(resp, tenants.loadingReason());
                return true;
            }
            if (match == null) {
                ErrorAnswers.error(resp, 404, "not found");
            } else if (method.equals("OPTIONS")) {
                ErrorAnswers.send(resp, 204, null, Map.of("Allow", String.join(", ", new TreeSet<>(match.allowed()))));
            } else {
                ErrorAnswers.error(resp, HttpException.methodNotAllowed(match.allowed()));
            }
            return true;
        }
        RouteTable.Entry route = match.entry();
        Bundle extension = route.bundle();
        if (!route.database().isEmpty() && tenants.loading()) {
            // Which tenant this request is for is not known yet (its configuration may be on its way): answered
            // now, it could go to the server's own databases, or to a tenant with a wider host or prefix.
            ErrorAnswers.unavailable(resp, tenants.loadingReason());
            return true;
        }
        if (tenant != null && !tenant.extensions().isEmpty()
                && (extension == null || !tenant.extensions().contains(extension.getSymbolicName()))) {
            ErrorAnswers.error(resp, 404, "not found"); // an extension the tenant does not have
            return true;
        }
        if (tenant != null && !route.database().isEmpty() && !exchange.holdsGate()) {
            // The tenant's share of the server: at most max_requests of its requests at once; the others wait in
            // line without a thread, and get 503 when no place frees in time.
            TenantGate gate = tenants.gate(tenant.id());
            if (gate != null) {
                if (!gate.tryEnter()) {
                    if (exchange.mayWait(GATE_WAIT_MS) && exchange.waitLeftMs() > 0) {
                        exchange.park(waits, exchange.waitLeftMs(), gate::await, this::dispatch);
                        return false;
                    }
                    gate.refused();
                    ErrorAnswers.unavailable(resp, "tenant " + tenant.id() + " has " + gate.cap()
                            + " requests running (max_requests); try again");
                    return true;
                }
                exchange.hold(gate);
            }
        }
        Database database = null;
        if (!route.database().isEmpty()) {
            if (!tenantTable.isEmpty() && tenant == null && !tenants.servesUnmatched()) {
                // Tenants are configured, no rule chose one, and the site is told to refuse such requests.
                ErrorAnswers.error(resp, 404, "unknown tenant");
                return true;
            }
            try {
                database = tenant == null ? databases.get(route.database())
                        : databases.forTenant(tenant, route.database(), tenants);
            } catch (HttpException cannotOpen) {
                ErrorAnswers.error(resp, cannotOpen);
                return true;
            }
            if (tenant != null && DatabaseDirectory.waking(database) && exchange.mayWait(WAKE_MS)) {
                // The tenant's pool is starting (its first request): this request waits for it, without a thread.
                exchange.retryLater(waits, this::dispatch);
                return false;
            }
            if (database == null) {
                ErrorAnswers.unavailable(resp, "database " + route.database() + " is not configured");
                return true;
            }
            if (database.state() != DatabaseState.UP) {
                // The reason (hosts, migrations) is for operators, in /health; clients get the state.
                ErrorAnswers.unavailable(resp, "database " + route.database() + " is " + database.state());
                return true;
            }
            if (extension != null && !database.readyFor(extension.getBundleId())) {
                // Deployed a moment ago (its migrations are being applied while the others' routes are served), or
                // its migration failed (it waits, named, while the others serve).
                ErrorAnswers.unavailable(resp, database.reasonFor(extension.getBundleId())
                        .orElse("database " + route.database() + " is applying this extension's migrations"));
                return true;
            }
        }
        RequestContext ctx = new RequestContext(req, method, path, match.params(), database,
                tenant == null ? null : tenant.id(), MAX_BODY, exchange.body, clients);
        try {
            try {
                middleware.run(route.handler(), ctx, tenant == null ? java.util.Set.of() : tenant.extensions());
            } catch (Exception | Error e) {
                try {
                    ctx.close(false);
                } catch (Exception closing) {
                    e.addSuppressed(closing); // what made the request fail is its answer, not its clean-up
                }
                throw e;
            }
            ctx.close(false); // a no-op when the transaction middleware has ended it; otherwise roll back
        } catch (Exception e) {
            ErrorAnswers.thrown(resp, route, tenant == null ? null : tenant.id(), e);
            return true;
        }
        BufferedResponse answer = ctx.answer();
        byte[] output = method.equals("HEAD") ? null : answer.output();
        if (answer.output() != null) {
            resp.setContentType(answer.contentType());
            if (output == null) {
                resp.setContentLength(answer.output().length); // HEAD: what GET would send
            }
        }
        ErrorAnswers.send(resp, answer.status(), output, answer.headers());
        return true;
    }

    static boolean isWrite(String method) {
        return switch (method) {
            case "POST", "PUT", "PATCH", "DELETE" -> true;
            default -> false;
        };
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
