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
        dispatcher.bindHandler(REF, handler, route("a"));
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
                dispatcher.updatedHandler(REF, handler, route(i % 2 == 0 ? "b" : "a")); // the database moves
            }
        } finally {
            moving.set(false);
            reader.join();
        }
        assertEquals(0, missing.get(), "times the route was missing while its database moved");
        assertEquals("a", dispatcher.routes().get(0).database());
    }
}
