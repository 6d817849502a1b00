package serv.core.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.annotation.Annotation;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import serv.core.security.ClientAddress.Client;

/** The component: its configuration, the environment's list when the configuration names none, live changes. */
class TrustedProxiesTest {

    private static HttpConfiguration config(String... proxies) {
        return new HttpConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return HttpConfiguration.class;
            }

            @Override
            public String[] trusted__proxies() {
                return proxies;
            }
        };
    }

    private static Client from(TrustedProxies proxies, String peer) {
        return proxies.resolve(peer, List.of("203.0.113.7"), List.of());
    }

    @Test
    void theConfigurationAppliesLiveAndTheEnvironmentIsItsDefault() {
        TrustedProxies proxies = new TrustedProxies(Map.of(TrustedProxies.ENV, "192.168.0.0/16, 10.9.9.9")::get);
        proxies.configure(config("10.0.0.0/8"));
        assertEquals(new Client("203.0.113.7", "10.1.1.1"), from(proxies, "10.1.1.1"));
        assertEquals(new Client("192.168.1.1", null), from(proxies, "192.168.1.1")); // the configuration wins

        proxies.configure(config()); // removed from the configuration: the environment's list
        assertEquals(new Client("10.1.1.1", null), from(proxies, "10.1.1.1"));
        assertEquals(new Client("203.0.113.7", "192.168.1.1"), from(proxies, "192.168.1.1"));
        assertEquals(new Client("203.0.113.7", "10.9.9.9"), from(proxies, "10.9.9.9"));

        proxies.configure(config("127.0.0.1, bogus.example")); // one text from a .cfg file; the bad entry left out
        assertEquals(new Client("203.0.113.7", "127.0.0.1"), from(proxies, "127.0.0.1"));
        assertEquals(new Client("192.168.1.1", null), from(proxies, "192.168.1.1"));
    }

    @Test
    void withNeitherTheHeadersAreIgnored() {
        TrustedProxies proxies = new TrustedProxies(name -> null);
        proxies.configure(config());
        assertEquals(new Client("10.1.1.1", null), from(proxies, "10.1.1.1"));
        assertEquals(new Client("127.0.0.1", null), from(proxies, "127.0.0.1"));
    }
}
