package serv.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ManagedService;

import serv.core.security.OperatorLogin.Check;
import serv.core.security.OperatorLogin.Outcome;

/** The console's login as {@link serv.core.security.OperatorLogin}: what /health asks. */
class ConsoleSecurityTest {

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The console's security with the login op / right-password, its peers taken as the clients. */
    private static ConsoleSecurity security(Path home) throws Exception {
        AtomicReference<ManagedService> configuration = new AtomicReference<>();
        BundleContext context = Fakes.of(BundleContext.class, Map.of(
                "getProperty", a -> "serv.home".equals(a[0]) ? home.toString() : null,
                "registerService", a -> {
                    configuration.set((ManagedService) a[1]);
                    return null;
                }));
        ConsoleSecurity security = new ConsoleSecurity(context,
                (peer, xff, fwd) -> new serv.core.security.ClientAddress.Client(peer, null));
        configuration.get().updated(new Hashtable<>(Map.of("username", "op", "password", "right-password")));
        return security;
    }

    @Test
    void wrongLoginsCountTowardsTheConsolesLimitPerAddress(@TempDir Path home) throws Exception {
        ConsoleSecurity security = security(home);

        assertEquals(new Check(Outcome.NONE, 0), security.check(null, "10.0.0.1"));
        assertEquals(new Check(Outcome.NONE, 0), security.check("Bearer abc", "10.0.0.1"));
        assertEquals(new Check(Outcome.WRONG, 0), security.check("Basic %%%", "10.0.0.9")); // not Base64

        for (int i = 0; i < LoginThrottle.LIMIT; i++) {
            assertEquals(new Check(Outcome.WRONG, 0), security.check(basic("op", "guess-" + i), "10.0.0.1"));
        }
        Check refused = security.check(basic("op", "right-password"), "10.0.0.1");
        assertEquals(Outcome.THROTTLED, refused.outcome(), "a right guess is not looked at either");
        assertTrue(refused.retryAfterSeconds() > 0 && refused.retryAfterSeconds() <= 60, refused.toString());

        assertTrue(security.check(basic("op", "right-password"), "10.0.0.2").operator(), "another address");
        assertTrue(security.check(basic("op", "right-password"), "10.0.0.1").operator(),
                "a login already accepted stays accepted");
        assertEquals(Outcome.THROTTLED, security.check(basic("op", "wrong"), "10.0.0.1").outcome());
        assertEquals(Outcome.WRONG, security.check(basic("someone", "right-password"), "10.0.0.2").outcome());
    }

    /** Behind a trusted proxy, wrong logins count by the client it forwarded, not by the proxy. */
    @Test
    void wrongLoginsCountByTheForwardedClient(@TempDir Path home) throws Exception {
        ConsoleSecurity security = security(home);
        var a = new serv.core.security.ClientAddress.Client("203.0.113.7", "10.0.0.5");
        var b = new serv.core.security.ClientAddress.Client("198.51.100.1", "10.0.0.5");
        for (int i = 0; i < LoginThrottle.LIMIT; i++) {
            assertEquals(Outcome.WRONG, security.check(basic("op", "guess-" + i), a).outcome());
        }
        assertEquals(Outcome.THROTTLED, security.check(basic("op", "guess"), a).outcome());
        assertTrue(security.check(basic("op", "right-password"), b).operator(), "another client of the same proxy");
        assertEquals(Outcome.WRONG, security.check(basic("op", "guess"), "10.0.0.5").outcome(), "nor the proxy");
    }
}
