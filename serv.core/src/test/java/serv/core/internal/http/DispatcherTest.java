package serv.core.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

import serv.core.Handler;
import serv.core.Route;

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
}
