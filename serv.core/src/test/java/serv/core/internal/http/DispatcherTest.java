package serv.core.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;
import org.osgi.service.component.ComponentConstants;

import serv.core.Handler;
import serv.core.Route;
import serv.core.runtime.RouteInfo;
import serv.core.runtime.RouteStatus;

class DispatcherTest {

    /** A service reference of no bundle: all the dispatcher asks of it. */
    @SuppressWarnings("unchecked")
    private static final ServiceReference<Handler> REF = (ServiceReference<Handler>) Proxy.newProxyInstance(
            DispatcherTest.class.getClassLoader(), new Class<?>[] { ServiceReference.class }, (p, m, a) -> null);

    private static Map<String, Object> route(String database) {
        Map<String, Object> props = new HashMap<>();
        props.put(Constants.SERVICE_ID, 7L);
        props.put(Route.PATH, "/posts");
        props.put(Route.METHODS, new String[] { "POST" });
        props.put(Route.DATABASE, database);
        return props;
    }

    @Test
    void aRouteWhosePropertiesChangeNeverLeavesTheTable() throws Exception {
        Dispatcher dispatcher = new Dispatcher();
        Handler handler = (req, res) -> { };
        dispatcher.services = new Dispatcher.Services() {
            @Override
            @SuppressWarnings("unchecked")
            public <S> S get(ServiceReference<S> ref) {
                return (S) handler;
            }

            @Override
            public void unget(ServiceReference<?> ref) {
            }
        };
        dispatcher.bindHandler(REF, route("a"));
        AtomicBoolean moving = new AtomicBoolean(true);
        AtomicInteger missing = new AtomicInteger();
        Thread reader = new Thread(() -> {
            while (moving.get()) {
                if (dispatcher.routes().isEmpty()) {
                    missing.incrementAndGet(); // a request now would have had a 404 for a route that never went
                }
            }
        });
        reader.start();
        try {
            for (int i = 0; i < 200_000; i++) {
                dispatcher.updatedHandler(REF, route(i % 2 == 0 ? "b" : "a")); // the database moves
            }
        } finally {
            moving.set(false);
            reader.join();
        }
        assertEquals(0, missing.get(), "times the route was missing while its database moved");
        assertEquals("a", dispatcher.routes().get(0).database());
    }

    /** A route refused for a path without its '/', then given a right one (a configuration): it serves. */
    @Test
    void aRouteWhosePropertiesAreCorrectedServes() {
        Dispatcher dispatcher = new Dispatcher();
        Handler handler = (req, res) -> { };
        AtomicInteger held = new AtomicInteger();
        dispatcher.services = new Dispatcher.Services() {
            @Override
            @SuppressWarnings("unchecked")
            public <S> S get(ServiceReference<S> ref) {
                held.incrementAndGet();
                return (S) handler;
            }

            @Override
            public void unget(ServiceReference<?> ref) {
                held.decrementAndGet();
            }
        };
        Map<String, Object> wrong = route(null);
        wrong.put(Route.PATH, "posts");
        dispatcher.bindHandler(REF, wrong);
        assertEquals(serv.core.runtime.RouteStatus.NOT_STARTED, dispatcher.routes().get(0).status());
        assertEquals("its component null has wrong route properties: route path 'posts' must start with '/' (fix its"
                + " @Route)", dispatcher.routes().get(0).reason());
        assertEquals(0, held.get(), "the handler of a refused route is given back");

        dispatcher.updatedHandler(REF, route(null));
        assertEquals(1, dispatcher.routes().size());
        assertEquals(serv.core.runtime.RouteStatus.SERVING, dispatcher.routes().get(0).status());
        assertEquals(1, held.get());
        dispatcher.unbindHandler(REF, route(null));
        assertEquals(0, held.get());
        assertEquals(0, dispatcher.routes().size());
    }

    @Test
    void aComponentsFailureIsTheExceptionItsCodeThrew() {
        assertEquals("java.lang.IllegalStateException: setting colour is missing", Dispatcher.cause(
                "java.lang.reflect.InvocationTargetException\n\tat java.base/jdk.internal.reflect.X.newInstance(X.java:1)\n"
                        + "Caused by: java.lang.IllegalStateException: setting colour is missing\n"
                        + "\tat serv.it.picky.PickyRoute.<init>(PickyRoute.java:28)\n"));
        assertEquals("java.lang.IllegalStateException: the todo list needs setting colour", Dispatcher.cause(
                "java.lang.IllegalStateException: the todo list needs setting colour\n\tat a.B.activate(B.java:21)\n"));
    }

    // ---- two routes on one path and method --------------------------------------------------------------------

    /** A bundle of that id and name whose state the test sets. */
    private static Bundle bundle(long id, String name, AtomicInteger state) {
        return (Bundle) Proxy.newProxyInstance(DispatcherTest.class.getClassLoader(), new Class<?>[] { Bundle.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "getBundleId" -> id;
                    case "getSymbolicName" -> name;
                    case "getVersion" -> new Version(1, 0, 0);
                    case "getState" -> state.get();
                    case "getLastModified" -> 0L;
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> (int) id;
                    default -> null;
                });
    }

    @SuppressWarnings("unchecked")
    private static ServiceReference<Handler> ref(Bundle bundle) {
        return (ServiceReference<Handler>) Proxy.newProxyInstance(DispatcherTest.class.getClassLoader(),
                new Class<?>[] { ServiceReference.class }, (p, m, a) -> m.getName().equals("getBundle") ? bundle : null);
    }

    private static Map<String, Object> route(long serviceId, String component, String path, String... methods) {
        Map<String, Object> props = new HashMap<>();
        props.put(Constants.SERVICE_ID, serviceId);
        props.put(Route.PATH, path);
        props.put(Route.METHODS, methods);
        props.put(ComponentConstants.COMPONENT_NAME, component);
        return props;
    }

    private static Dispatcher dispatcher() {
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.services = new Dispatcher.Services() {
            @Override
            @SuppressWarnings("unchecked")
            public <S> S get(ServiceReference<S> ref) {
                return (S) (Handler) (req, res) -> { };
            }

            @Override
            public void unget(ServiceReference<?> ref) {
            }
        };
        return dispatcher;
    }

    private static RouteInfo of(Dispatcher dispatcher, String extension) {
        return dispatcher.routes().stream().filter(r -> r.extension().equals(extension)).findFirst().orElseThrow();
    }

    /**
     * notes serves GET /notes; memo, deployed after it, has GET /notes too: it is listed SHADOWED, naming notes and the
     * fix, and stays so while notes is updated (its route out of the table for a moment, and back with a new service
     * id) and after.
     */
    @Test
    void aRouteOnAnotherExtensionsPathAndMethodIsShadowedAndSaysWhy() {
        Dispatcher dispatcher = dispatcher();
        AtomicInteger notesState = new AtomicInteger(Bundle.ACTIVE);
        Bundle notes = bundle(10, "notes", notesState);
        Bundle memo = bundle(11, "memo", new AtomicInteger(Bundle.ACTIVE));
        dispatcher.bindHandler(ref(notes), route(20, "notes.List", "/notes", "GET"));
        dispatcher.bindHandler(ref(memo), route(21, "memo.List", "/notes", "GET", "POST"));

        assertEquals(RouteStatus.SERVING, of(dispatcher, "notes").status());
        RouteInfo shadowed = of(dispatcher, "memo");
        assertEquals(RouteStatus.SHADOWED, shadowed.status());
        assertTrue(!shadowed.overridden(), "installed later: a clash, not an override");
        assertEquals("GET,HEAD /notes is answered by the route of extension notes 1.0.0, installed first (bundle 10),"
                + " which keeps it: give one of the two routes another path (its @Route path, or serv.route.path in"
                + " its component's configuration); this route still answers POST (it serves them)",
                shadowed.reason());

        notesState.set(Bundle.STOPPING); // notes is updated: its route goes, and comes back with a new service id
        dispatcher.unbindHandler(ref(notes), route(20, "notes.List", "/notes", "GET"));
        assertEquals(RouteStatus.EXTENSION_STOPPED, of(dispatcher, "notes").status());
        assertEquals(RouteStatus.SHADOWED, of(dispatcher, "memo").status());
        assertTrue(of(dispatcher, "memo").reason().contains("(stopped or being updated: it answers 503 naming its"
                + " extension until it runs again or is uninstalled)"), of(dispatcher, "memo").reason());
        notesState.set(Bundle.ACTIVE);
        dispatcher.bindHandler(ref(notes), route(22, "notes.List", "/notes", "GET"));
        assertEquals(2, dispatcher.routes().size(), dispatcher.routes().toString());
        assertEquals(RouteStatus.SERVING, of(dispatcher, "notes").status());
        assertEquals(RouteStatus.SHADOWED, of(dispatcher, "memo").status());

        notesState.set(Bundle.STOPPING); // uninstalled: stopped first, then gone
        dispatcher.unbindHandler(ref(notes), route(22, "notes.List", "/notes", "GET"));
        assertEquals(RouteStatus.SHADOWED, of(dispatcher, "memo").status());
        notesState.set(Bundle.UNINSTALLED);
        dispatcher.extensionEvent(new BundleEvent(BundleEvent.UNINSTALLED, notes));
        assertEquals(List.of(RouteStatus.SERVING), dispatcher.routes().stream().map(RouteInfo::status).toList(),
                "notes uninstalled: memo has the path");
    }

    /** One extension, two components on one path and method: the same, deterministically (by component name). */
    @Test
    void twoRoutesOfOneExtensionOnOnePathAreReportedToo() {
        Dispatcher dispatcher = dispatcher();
        Bundle notes = bundle(10, "notes", new AtomicInteger(Bundle.ACTIVE));
        dispatcher.bindHandler(ref(notes), route(30, "notes.Old", "/notes/{id}", "GET"));
        dispatcher.bindHandler(ref(notes), route(31, "notes.New", "/notes/{noteId}", "GET"));
        List<RouteInfo> routes = dispatcher.routes();
        assertEquals(2, routes.size());
        RouteInfo shadowed = routes.stream().filter(r -> r.status() == RouteStatus.SHADOWED).findFirst().orElseThrow();
        assertEquals("/notes/{id}", shadowed.path());
        assertEquals("GET,HEAD /notes/{id} is answered by the route (/notes/{noteId}) of component notes.New of the"
                + " same extension, whose name sorts first: give one of the two routes another path (its @Route path,"
                + " or serv.route.path in its component's configuration)", shadowed.reason());
    }

    /**
     * plus, installed after notes, registers GET /notes with service.ranking 10: the whiteboard's override. The table
     * gives plus's route the requests, and the listing agrees: plus SERVING, notes SHADOWED saying it is outranked (not
     * installed later) and flagged a deliberate override, which the console, serv status and serv deploy do not report
     * as a problem. Ranked the same again, it is a clash once more, decided by the order of installation.
     */
    @Test
    void aRouteOfHigherServiceRankingOverridesAndTheListingSaysSo() throws Exception {
        Dispatcher dispatcher = dispatcher();
        Bundle notes = bundle(10, "notes", new AtomicInteger(Bundle.ACTIVE));
        Bundle plus = bundle(11, "plus", new AtomicInteger(Bundle.ACTIVE));
        dispatcher.bindHandler(ref(notes), route(40, "notes.List", "/notes", "GET", "POST"));
        Map<String, Object> ranked = route(41, "plus.List", "/notes", "GET");
        ranked.put(Constants.SERVICE_RANKING, 10);
        dispatcher.bindHandler(ref(plus), ranked);

        java.lang.reflect.Field table = Dispatcher.class.getDeclaredField("routes");
        table.setAccessible(true);
        RouteTable serving = (RouteTable) table.get(dispatcher);
        assertEquals(plus, serving.find("GET", "/notes").entry().bundle(), "plus answers GET /notes");
        assertEquals(notes, serving.find("POST", "/notes").entry().bundle(), "notes still answers POST /notes");

        assertEquals(RouteStatus.SERVING, of(dispatcher, "plus").status());
        assertEquals(false, of(dispatcher, "plus").overridden());
        RouteInfo overridden = of(dispatcher, "notes");
        assertEquals(RouteStatus.SHADOWED, overridden.status());
        assertTrue(overridden.overridden(), "a deliberate override");
        assertEquals("GET,HEAD /notes is answered by the route of extension plus 1.0.0, whose service.ranking is higher"
                + " (10, this one's 0): it overrides this one on purpose, which is not an error; for this one to"
                + " answer, give it a service.ranking above 10 or remove the other; this route still answers POST (it"
                + " serves them)", overridden.reason());

        ranked.put(Constants.SERVICE_RANKING, 0); // plus's configuration drops its ranking: a clash, notes keeps it
        dispatcher.updatedHandler(ref(plus), ranked);
        serving = (RouteTable) table.get(dispatcher);
        assertEquals(notes, serving.find("GET", "/notes").entry().bundle());
        assertEquals(RouteStatus.SERVING, of(dispatcher, "notes").status());
        RouteInfo clash = of(dispatcher, "plus");
        assertEquals(RouteStatus.SHADOWED, clash.status());
        assertEquals(false, clash.overridden(), "installed later is a clash to fix");
        assertTrue(clash.reason().startsWith("GET,HEAD /notes is answered by the route of extension notes 1.0.0,"
                + " installed first (bundle 10), which keeps it: give one of the two routes another path"),
                clash.reason());
    }

    /**
     * plus overrode GET /notes (service.ranking 10) and the operator stopped it: its path answers 503 naming it, and
     * after a restart too, where its routes come back from data/stopped-extensions.json. They came back with ranking 0,
     * and notes, installed first, took the path it had not had before the restart.
     */
    @Test
    void aStoppedRouteThatOverrodeAPathKeepsItAcrossARestart() throws Exception {
        Dispatcher dispatcher = dispatcher();
        Bundle notes = bundle(10, "notes", new AtomicInteger(Bundle.ACTIVE));
        Bundle plus = bundle(11, "plus", new AtomicInteger(Bundle.RESOLVED)); // held stopped since the start
        java.lang.reflect.Field memory = Dispatcher.class.getDeclaredField("routeMemory");
        memory.setAccessible(true);
        ((serv.core.internal.server.StoppedExtensions.RouteMemory) memory.get(dispatcher)).restore(plus, List.of(
                new serv.core.internal.server.StoppedExtensions.StoppedRoute("/notes", java.util.Set.of("GET",
                        "HEAD"), "", 10)));
        dispatcher.bindHandler(ref(notes), route(50, "notes.List", "/notes", "GET"));

        assertEquals(RouteStatus.EXTENSION_STOPPED, of(dispatcher, "plus").status());
        RouteInfo held = of(dispatcher, "notes");
        assertEquals(RouteStatus.SHADOWED, held.status(), dispatcher.routes().toString());
        assertTrue(held.overridden());
        assertTrue(held.reason().contains("whose service.ranking is higher (10, this one's 0) (stopped or being"
                + " updated: it answers 503 naming its extension"), held.reason());
    }
}
