package serv.it.byhand;

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
 * {@code GET /byhand}, answering the name and version of the extension that answers it: packed at test time by
 * {@link serv.it.ClusterIT} into versions of an extension that an operator replaces by hand in one node's deploy/.
 */
@Component(service = Handler.class)
@Route(path = "/byhand", methods = "GET")
public final class ByHandRoute implements Handler {

    @Override
    public void handle(Request request, Response response) throws Exception {
        Bundle own = FrameworkUtil.getBundle(ByHandRoute.class);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("extension", own.getSymbolicName());
        body.put("version", own.getVersion().toString());
        response.json(body);
    }
}
