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

    /** {@code extension}: the symbolic name of the extension that brings it; null for Serv's own. */
    private record Ranked(Middleware middleware, int ranking, long id, String extension) {
    }

    private final List<Ranked> ranked;

    private MiddlewareChain(List<Ranked> ranked) {
        this.ranked = ranked;
    }

    /** With {@code m} of extension {@code extension} (null: Serv's own, run for every request). */
    MiddlewareChain with(Middleware m, int ranking, long serviceId, String extension) {
        List<Ranked> next = new ArrayList<>(ranked);
        next.add(new Ranked(m, ranking, serviceId, extension));
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

    /** The extension that brings that service's middleware (null: Serv's own, or none). */
    String extension(long serviceId) {
        for (Ranked r : ranked) {
            if (r.id() == serviceId) {
                return r.extension();
            }
        }
        return null;
    }

    /**
     * Runs the request through the middleware and then the handler; {@code extensions}, when not empty, are the only
     * extensions whose middleware runs (a tenant's: another extension's is not the tenant's, as its routes are not).
     */
    void run(Handler handler, RequestContext ctx, java.util.Set<String> extensions) throws Exception {
        new Link(ranked, 0, handler, ctx, extensions.isEmpty() ? null : extensions).proceed();
    }

    /** One step of the chain; the last step calls the route's handler. */
    private record Link(List<Ranked> middleware, int index, Handler handler, RequestContext ctx,
            java.util.Set<String> only) implements Middleware.Chain {
        @Override
        public void proceed() throws Exception {
            int i = index;
            while (i < middleware.size() && only != null && middleware.get(i).extension() != null
                    && !only.contains(middleware.get(i).extension())) {
                i++; // not the tenant's
            }
            if (i < middleware.size()) {
                middleware.get(i).middleware().handle(ctx, ctx, new Link(middleware, i + 1, handler, ctx, only));
            } else {
                handler.handle(ctx, ctx);
            }
        }
    }
}
