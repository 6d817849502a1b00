package serv.it.leak;

import org.osgi.service.component.annotations.Component;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;

/**
 * A route that answers a record of its own, as the generated project's routes do: the runtime's JSON mapper
 * remembers a serializer made for its class, which held the extension's class loader once it was uninstalled.
 */
@Component(service = Handler.class)
@Route(path = "/leak", methods = "GET")
public final class LeakRoute implements Handler {

    /** What the route answers. */
    public record Greeting(String text) {
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        response.json(new Greeting("hi"));
    }
}
