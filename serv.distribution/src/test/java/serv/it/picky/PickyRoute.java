package serv.it.picky;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;

/**
 * A route whose component fails to activate until its configuration ({@code serv.it.picky}) has a {@code colour}:
 * packed at test time into a bundle of its own by {@link serv.it.DeployIT}, as an author's mistake would be.
 */
@Component(service = Handler.class, configurationPid = "serv.it.picky")
@Route(path = "/picky", methods = "GET")
public final class PickyRoute implements Handler {

    private final String colour;

    @Activate
    public PickyRoute(Map<String, Object> settings) {
        Object colour = settings.get("colour");
        if (colour == null) {
            throw new IllegalStateException("setting colour is missing");
        }
        this.colour = colour.toString();
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        response.json(Map.of("colour", colour));
    }
}
