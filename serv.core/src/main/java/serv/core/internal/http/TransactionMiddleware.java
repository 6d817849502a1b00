package serv.core.internal.http;

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Component;

import serv.core.Middleware;
import serv.core.Request;
import serv.core.Response;

/**
 * The seed's transaction middleware: a writing request (POST, PUT, PATCH, DELETE) runs in one transaction on one
 * connection, committed when the rest of the chain succeeds with a status below 400 and rolled back otherwise;
 * reading requests get their connection in auto-commit mode. The connection is borrowed lazily by
 * {@link Request#connection()} and always returned: the dispatcher closes it again in any case.
 */
@Component(property = Constants.SERVICE_RANKING + ":Integer=" + Middleware.TRANSACTION_RANKING)
public final class TransactionMiddleware implements Middleware {

    @Override
    public void handle(Request request, Response response, Chain chain) throws Exception {
        RequestContext ctx = (RequestContext) request;
        try {
            chain.proceed();
        } catch (Exception | Error e) {
            ctx.close(false);
            throw e;
        }
        ctx.close(true);
    }
}
