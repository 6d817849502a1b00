package serv.it.typo.unclosed;

import java.util.Map;

import org.osgi.service.component.annotations.Component;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;

/** A route whose parameter lacks its closing brace: it was bound as literal text and answered no request. */
@Component(service = Handler.class)
@Route(path = "/typo/{id", methods = "GET")
public final class UnclosedRoute implements Handler {

    @Override
    public void handle(Request request, Response response) throws Exception {
        response.json(Map.of("id", request.pathParam("id")));
    }
}
