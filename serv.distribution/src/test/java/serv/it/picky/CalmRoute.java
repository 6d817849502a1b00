package serv.it.picky;

import java.util.Map;

import org.osgi.service.component.annotations.Component;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;

/** The picky bundle's other route, which starts whatever the configuration says. */
@Component(service = Handler.class)
@Route(path = "/picky/calm", methods = "GET")
public final class CalmRoute implements Handler {

    @Override
    public void handle(Request request, Response response) throws Exception {
        response.json(Map.of("calm", true));
    }
}
