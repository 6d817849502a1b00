package serv.it.override;

import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.annotations.Component;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;

/**
 * {@code GET /clash} with {@code service.ranking} 10: packed at test time by {@link serv.it.DeployIT} into an
 * extension that overrides, on purpose, the route of {@code serv.it.clash} installed before it.
 */
@Component(service = Handler.class, property = "service.ranking:Integer=10")
@Route(path = "/clash", methods = "GET")
public final class OverrideRoute implements Handler {

    @Override
    public void handle(Request request, Response response) throws Exception {
        Bundle own = FrameworkUtil.getBundle(OverrideRoute.class);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("extension", own.getSymbolicName());
        body.put("version", own.getVersion().toString());
        response.json(body);
    }
}
