package serv.core;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs around every request that reaches a route: a component providing this service, ordered by
 * {@code service.ranking} (the highest runs outermost). It can act before and after the rest of the chain,
 * short-circuit by answering without calling {@link Chain#proceed()}, and see (and translate or rethrow) what the
 * rest of the chain throws. The transaction middleware of the runtime is one of them (ranking
 * {@value #TRANSACTION_RANKING}).
 */
@ConsumerType
@FunctionalInterface
public interface Middleware {

    /** The ranking of the runtime's transaction middleware: rank yours above to run outside the transaction. */
    int TRANSACTION_RANKING = 0;

    /** Handles one request; call {@code chain.proceed()} to pass it on. */
    void handle(Request request, Response response, Chain chain) throws Exception;

    /** The rest of the chain: the next middleware, and at the end the route's handler. */
    @FunctionalInterface
    interface Chain {
        /** Passes the request on. */
        void proceed() throws Exception;
    }
}
