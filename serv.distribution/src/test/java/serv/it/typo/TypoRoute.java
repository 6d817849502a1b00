package serv.it.typo;

import java.util.Map;

import org.osgi.service.component.annotations.Component;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;

/** A route whose path lacks its leading '/': an author's typo, packed at test time by {@link serv.it.DeployIT}. */
@Component(service = Handler.class)
@Route(path = "typo", methods = "GET")
public final class TypoRoute implements Handler {

    @Override
    public void handle(Request request, Response response) throws Exception {
        response.json(Map.of("typo", true));
    }
}
