package serv.it.slow;

import java.sql.Statement;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;

/**
 * A route that holds its database connection for a while ({@code ?ms=}, default 300), packed at test time into a
 * bundle of its own by bnd: a tenant's requests that take time, for {@link serv.it.TenantScaleIT}.
 */
@Component(service = Handler.class)
@Route(path = "/slow", methods = "GET", database = "default")
public final class SlowRoute implements Handler {

    @Override
    public void handle(Request request, Response response) throws Exception {
        String ms = request.query("ms");
        double seconds = (ms == null ? 300 : Integer.parseInt(ms)) / 1000.0;
        try (Statement st = request.connection().createStatement()) {
            st.execute("SELECT pg_sleep(" + seconds + ")");
        }
        response.json(Map.of("slept_ms", (long) (seconds * 1000)));
    }
}
