package serv.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import serv.core.runtime.RouteInfo;
import serv.core.runtime.RouteStatus;
import serv.core.runtime.Routes;
import serv.core.tenant.Tenants;
import serv.database.Migrations;

class ExtensionsTest {

    private final Extensions extensions = new Extensions(Fakes.of(BundleContext.class), Fakes.of(Routes.class),
            Fakes.of(Tenants.class), Fakes.of(Migrations.class));
    private final Bundle memo = Fakes.of(Bundle.class, Map.of("getState", args -> Bundle.ACTIVE));

    /**
     * A route that another extension's route on its path and method shadows is the extension's problem: the
     * Extensions page, {@code serv status} ("needs attention") and {@code serv deploy} say it.
     */
    @Test
    void aShadowedRouteIsItsExtensionsProblem() {
        String why = "GET,HEAD /notes is answered by the route of extension notes 1.0.0, installed first (bundle 10),"
                + " which keeps it: give one of the two routes another path";
        RouteInfo shadowed = new RouteInfo(Set.of("GET", "HEAD"), "/notes", "", "memo", "1.0.0", 11,
                RouteStatus.SHADOWED, why);
        assertEquals("route GET,HEAD /notes is shadowed: " + why, extensions.problem(memo, List.of(shadowed)));

        RouteInfo serving = new RouteInfo(Set.of("GET", "HEAD"), "/memo", "", "memo", "1.0.0", 11,
                RouteStatus.SERVING, null);
        assertNull(extensions.problem(memo, List.of(serving)));

        // Outranked by a higher service.ranking: overridden on purpose, not a problem of the extension.
        RouteInfo overridden = new RouteInfo(Set.of("GET", "HEAD"), "/notes", "", "memo", "1.0.0", 11,
                RouteStatus.SHADOWED, "GET,HEAD /notes is answered by the route of extension plus 1.0.0, whose"
                        + " service.ranking is higher (10, this one's 0): it overrides this one on purpose", true);
        assertNull(extensions.problem(memo, List.of(overridden, serving)));
    }
}
