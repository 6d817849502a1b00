package serv.core.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import serv.core.Middleware;

class MiddlewareChainTest {

    private final List<String> ran = new ArrayList<>();

    private Middleware named(String name) {
        return (request, response, chain) -> {
            ran.add(name);
            chain.proceed();
        };
    }

    @Test
    void aTenantRunsServsOwnMiddlewareAndOnlyItsExtensionsOnes() throws Exception {
        MiddlewareChain chain = MiddlewareChain.EMPTY.with(named("serv"), 100, 1, null)
                .with(named("audit"), 50, 2, "com.example.audit").with(named("blog"), 10, 3, "serv.blog");
        chain.run((request, response) -> ran.add("handler"), null, Set.of("serv.blog"));
        assertEquals(List.of("serv", "blog", "handler"), ran);

        ran.clear(); // a tenant with every extension (none listed), and the server's own site
        chain.run((request, response) -> ran.add("handler"), null, Set.of());
        assertEquals(List.of("serv", "audit", "blog", "handler"), ran);
    }
}
