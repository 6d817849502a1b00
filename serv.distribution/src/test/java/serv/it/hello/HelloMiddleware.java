package serv.it.hello;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.propertytypes.ServiceRanking;

import serv.core.HttpException;
import serv.core.Middleware;
import serv.core.Request;
import serv.core.Response;

/**
 * Middleware of the hot-deployed test bundle: marks every answer, and short-circuits when asked to
 * ({@code X-Hello-Block}: a 403; {@code X-Hello-Status}: an HttpException of that status).
 */
@Component(service = Middleware.class)
@ServiceRanking(100)
public final class HelloMiddleware implements Middleware {

    @Override
    public void handle(Request request, Response response, Chain chain) throws Exception {
        if (request.header("X-Hello-Block") != null) {
            throw new HttpException(403, "blocked by the hello middleware");
        }
        String status = request.header("X-Hello-Status");
        if (status != null) {
            // an author's mistake when it is no error status (99): the middleware fails, a 500 with an error id
            throw new HttpException(Integer.parseInt(status), "blocked with status " + status);
        }
        response.header("X-Hello", "seen");
        chain.proceed();
    }
}
