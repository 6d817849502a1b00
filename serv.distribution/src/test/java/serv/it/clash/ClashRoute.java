package serv.it.clash;

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
 * {@code GET /clash}, answering the name and version of the extension that answers it: packed at test time by
 * {@link serv.it.DeployIT} into two extensions of different names, whose routes are then on one path and method.
 */
@Component(service = Handler.class)
@Route(path = "/clash", methods = "GET")
public final class ClashRoute implements Handler {

    @Override
    public void handle(Request request, Response response) throws Exception {
        Bundle own = FrameworkUtil.getBundle(ClashRoute.class);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("extension", own.getSymbolicName());
        body.put("version", own.getVersion().toString());
        response.json(body);
    }
}
