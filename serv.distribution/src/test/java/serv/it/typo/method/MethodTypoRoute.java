package serv.it.typo.method;

import java.util.Map;

import org.osgi.service.component.annotations.Component;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;

/** A route whose method is misspelt: it was bound for a method no client sends. */
@Component(service = Handler.class)
@Route(path = "/typo/method", methods = "GTE")
public final class MethodTypoRoute implements Handler {

    @Override
    public void handle(Request request, Response response) throws Exception {
        response.json(Map.of("method", request.method()));
    }
}
