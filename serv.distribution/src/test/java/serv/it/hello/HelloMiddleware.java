package serv.it.hello;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.propertytypes.ServiceRanking;

import serv.core.HttpException;
import serv.core.Middleware;
import serv.core.Request;
import serv.core.Response;

/** Middleware of the hot-deployed test bundle: marks every answer, and short-circuits when asked to. */
@Component(service = Middleware.class)
@ServiceRanking(100)
public final class HelloMiddleware implements Middleware {

    @Override
    public void handle(Request request, Response response, Chain chain) throws Exception {
        if (request.header("X-Hello-Block") != null) {
            throw new HttpException(403, "blocked by the hello middleware");
        }
        response.header("X-Hello", "seen");
        chain.proceed();
    }
}
