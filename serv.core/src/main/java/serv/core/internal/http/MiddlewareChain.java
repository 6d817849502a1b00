package serv.core.internal.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import serv.core.Handler;
import serv.core.Middleware;

/**
 * The middleware services in the order they run, highest {@code service.ranking} first (then the oldest service):
 * an immutable list, replaced whole when a middleware comes or goes, so requests take no lock.
 */
final class MiddlewareChain {

    static final MiddlewareChain EMPTY = new MiddlewareChain(List.of());

    private record Ranked(Middleware middleware, int ranking, long id) {
    }

    private final List<Ranked> ranked;

    private MiddlewareChain(List<Ranked> ranked) {
        this.ranked = ranked;
    }

    MiddlewareChain with(Middleware m, int ranking, long serviceId) {
        List<Ranked> next = new ArrayList<>(ranked);
        next.add(new Ranked(m, ranking, serviceId));
        next.sort(Comparator.comparingInt(Ranked::ranking).reversed().thenComparingLong(Ranked::id));
        return new MiddlewareChain(List.copyOf(next));
    }

    /** The middleware of that service, or null. */
    Middleware middleware(long serviceId) {
        for (Ranked r : ranked) {
            if (r.id() == serviceId) {
                return r.middleware();
            }
        }
        return null;
    }

    MiddlewareChain without(long serviceId) {
        return new MiddlewareChain(ranked.stream().filter(r -> r.id() != serviceId).toList());
    }

    /** Runs the request through every middleware and then the handler. */
    void run(Handler handler, RequestContext ctx) throws Exception {
        new Link(ranked, 0, handler, ctx).proceed();
    }

    /** One step of the chain; the last step calls the route's handler. */
    private record Link(List<Ranked> middleware, int index, Handler handler, RequestContext ctx)
            implements Middleware.Chain {
        @Override
        public void proceed() throws Exception {
            if (index < middleware.size()) {
                middleware.get(index).middleware().handle(ctx, ctx, new Link(middleware, index + 1, handler, ctx));
            } else {
                handler.handle(ctx, ctx);
            }
        }
    }
}
