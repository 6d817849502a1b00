package serv.it.gate;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.propertytypes.ServiceRanking;

import serv.core.Middleware;
import serv.core.Request;
import serv.core.Response;

/**
 * A middleware whose component fails to activate until its configuration ({@code serv.it.gate}) has a {@code key},
 * as one that checks a login would without its secret: packed at test time into a bundle of its own by
 * {@link serv.it.DeployIT}.
 */
@Component(service = Middleware.class, configurationPid = "serv.it.gate")
@ServiceRanking(50)
public final class GateMiddleware implements Middleware {

    private final String key;

    @Activate
    public GateMiddleware(Map<String, Object> settings) {
        Object key = settings.get("key");
        if (key == null) {
            throw new IllegalStateException("setting key is missing");
        }
        this.key = key.toString();
    }

    @Override
    public void handle(Request request, Response response, Chain chain) throws Exception {
        response.header("X-Gate", key);
        chain.proceed();
    }
}
