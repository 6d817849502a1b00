package serv.core.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import serv.core.security.ClientAddress.Client;

/** Who a request's client is behind trusted proxies: {@link ProxyRanges} and {@link ForwardedHeaders}. */
class ProxyRangesTest {

    private static final ProxyRanges PROXIES = ProxyRanges.parse(List.of("10.0.0.0/8", "192.168.1.7",
            "2001:db8:cafe::/48", "::1"));

    private static Client xff(ProxyRanges ranges, String peer, String... values) {
        return ranges.resolve(peer, List.of(values), List.of());
    }

    private static Client forwarded(ProxyRanges ranges, String peer, String... values) {
        return ranges.resolve(peer, List.of(), List.of(values));
    }

    @Test
    void withoutTrustedProxiesTheHeadersAreIgnored() {
        assertEquals(new Client("10.1.2.3", null), xff(ProxyRanges.NONE, "10.1.2.3", "203.0.113.7"));
        assertEquals(new Client("10.1.2.3", null), xff(ProxyRanges.parse(List.of()), "10.1.2.3", "203.0.113.7"));
        assertEquals(new Client("10.1.2.3", null), forwarded(ProxyRanges.NONE, "10.1.2.3", "for=203.0.113.7"));
    }

    @Test
    void aPeerThatIsNotTrustedIsTheClientWhateverItSends() {
        assertEquals(new Client("203.0.113.9", null), xff(PROXIES, "203.0.113.9", "198.51.100.1"));
        assertEquals(new Client("203.0.113.9", null), forwarded(PROXIES, "203.0.113.9", "for=198.51.100.1"));
        assertEquals(new Client("11.0.0.1", null), xff(PROXIES, "11.0.0.1", "198.51.100.1")); // just outside /8
        assertEquals(new Client("192.168.1.8", null), xff(PROXIES, "192.168.1.8", "198.51.100.1")); // a /32's neighbour
    }

    @Test
    void aTrustedPeersClientIsTheRightMostAddressThatIsNotTrusted() {
        assertEquals(new Client("203.0.113.7", "10.0.0.5"), xff(PROXIES, "10.0.0.5", "203.0.113.7"));
        assertEquals(new Client("203.0.113.7", "192.168.1.7"), xff(PROXIES, "192.168.1.7", "203.0.113.7"));
        // what the client wrote itself, to the left, is not believed
        assertEquals(new Client("203.0.113.7", "10.0.0.5"), xff(PROXIES, "10.0.0.5", "1.2.3.4, 203.0.113.7"));
        // a chain of trusted proxies is walked through; lines are in order and joined
        assertEquals(new Client("203.0.113.7", "10.0.0.5"),
                xff(PROXIES, "10.0.0.5", "1.2.3.4, 203.0.113.7, 10.9.9.9", "192.168.1.7"));
        // every hop trusted: the farthest one is the client
        assertEquals(new Client("10.9.9.9", "10.0.0.5"), xff(PROXIES, "10.0.0.5", "10.9.9.9, 10.1.1.1"));
        // with a port, as some load balancers write it
        assertEquals(new Client("203.0.113.7", "10.0.0.5"), xff(PROXIES, "10.0.0.5", "203.0.113.7:51234"));
    }

    @Test
    void rfc7239ForwardedForIsReadTheSameWay() {
        assertEquals(new Client("203.0.113.7", "10.0.0.5"),
                forwarded(PROXIES, "10.0.0.5", "for=1.2.3.4, for=203.0.113.7;proto=https;by=10.0.0.5"));
        assertEquals(new Client("203.0.113.7", "10.0.0.5"), forwarded(PROXIES, "10.0.0.5", "For=\"203.0.113.7:80\""));
        assertEquals(new Client("2001:db8:0:0:0:0:0:17", "10.0.0.5"),
                forwarded(PROXIES, "10.0.0.5", "for=\"[2001:db8::17]:4711\", for=10.1.1.1"));
        // a quoted comma or semicolon does not split
        assertEquals(new Client("203.0.113.7", "10.0.0.5"),
                forwarded(PROXIES, "10.0.0.5", "for=198.51.100.1;ext=\"a,b;c\", for=203.0.113.7"));
    }

    @Test
    void ipv6PeersRangesAndClients() {
        assertEquals(new Client("2001:db8:0:0:0:0:0:1", "2001:db8:cafe:0:0:0:0:9"),
                xff(PROXIES, "2001:db8:cafe::9", "2001:db8::1"));
        assertEquals(new Client("2001:db8:0:0:0:0:0:1", "0:0:0:0:0:0:0:1"), xff(PROXIES, "[::1]", "[2001:db8::1]"));
        assertEquals(new Client("2001:db8:0:0:0:0:0:1", "0:0:0:0:0:0:0:1"),
                xff(PROXIES, "0:0:0:0:0:0:0:1", "[2001:db8::1]:443"));
        assertEquals(new Client("203.0.113.7", "2001:db8:cafe:ffff:0:0:0:1"),
                xff(PROXIES, "2001:db8:cafe:ffff::1", "203.0.113.7"));
        // /48 is 2001:db8:cafe only
        assertEquals(new Client("2001:db8:caff::9", null), xff(PROXIES, "2001:db8:caff::9", "203.0.113.7"));
        assertEquals(new Client("2001:db8:cafd::9", null), xff(PROXIES, "2001:db8:cafd::9", "203.0.113.7"));
        // an IPv4-mapped address is its IPv4 address
        assertEquals(new Client("203.0.113.7", "10.0.0.5"), xff(PROXIES, "::ffff:10.0.0.5", "::ffff:203.0.113.7"));
    }

    @Test
    void cidrRangesAreMaskedToTheirPrefix() {
        ProxyRanges odd = ProxyRanges.parse(List.of("172.16.0.0/12", "100.64.0.0/10", "fd00::/7"));
        assertEquals("10.0.0.5", xff(odd, "172.31.255.255", "10.0.0.5").address());
        assertEquals("172.32.0.1", xff(odd, "172.32.0.1", "10.0.0.5").address());
        assertEquals("10.0.0.5", xff(odd, "100.127.0.1", "10.0.0.5").address());
        assertEquals("100.128.0.1", xff(odd, "100.128.0.1", "10.0.0.5").address());
        assertEquals("10.0.0.5", xff(odd, "fdff::1", "10.0.0.5").address());
        assertEquals("fe00::1", xff(odd, "fe00::1", "10.0.0.5").address());
        assertTrue(ProxyRanges.parse(List.of("0.0.0.0/0")).trustsEveryone());
        assertFalse(PROXIES.trustsEveryone());
    }

    @Test
    void unreadableHeadersFromATrustedProxyGiveThePeer() {
        Client peer = new Client("10.0.0.5", null);
        for (String value : new String[] { "", " ", "203.0.113.7, ", "not-an-address", "example.com", "unknown",
                "203.0.113.256", "1.2.3", "203.0.113.7:port", "[2001:db8::1", "2001:db8::1%eth0", "1::2::3",
                "203.0.113.7 198.51.100.1" }) {
            assertEquals(peer, xff(PROXIES, "10.0.0.5", value), value);
        }
        for (String value : new String[] { "for=unknown", "for=_hidden", "for=", "for=\"203.0.113.7",
                "proto=https", "for=1.2.3.4;for=203.0.113.7", "for=203.0.113.7;", "203.0.113.7", "for=\"\"",
                "for=203.0.113.7\"" }) {
            assertEquals(peer, forwarded(PROXIES, "10.0.0.5", value), value);
        }
        // both headers: one of them was not written by the proxy, and which cannot be told
        assertEquals(peer, PROXIES.resolve("10.0.0.5", List.of("203.0.113.7"), List.of("for=198.51.100.1")));
        // none: the proxy's own request
        assertEquals(peer, PROXIES.resolve("10.0.0.5", List.of(), List.of()));
        // garbage to the left of the proxy's own entry is never looked at
        assertEquals(new Client("203.0.113.7", "10.0.0.5"), xff(PROXIES, "10.0.0.5", "garbage, , 203.0.113.7"));
        assertEquals(new Client("203.0.113.7", "10.0.0.5"),
                forwarded(PROXIES, "10.0.0.5", "for=unknown, proto=x", "for=203.0.113.7"));
        // a peer that is no address at all (a Unix socket) is the client
        assertEquals(new Client("unix:/run/serv.sock", null), xff(PROXIES, "unix:/run/serv.sock", "203.0.113.7"));
    }

    @Test
    void badEntriesAreLeftOutAndNamedTheRestApplies() {
        ProxyRanges ranges = ProxyRanges.parse(List.of("10.0.0.0/8, 10.0.0", "proxy.internal 192.168.1.7",
                "10.0.0.0/33", "::1/129", "300.1.1.1", "10.0.0.0/x", "", "fd00::/8"));
        assertEquals("10.0.0.0/8, 192.168.1.7, fd00::/8", ranges.toString());
        assertEquals(List.of(
                "'10.0.0' is not an IP address (ignored; write an IP address or a CIDR range, such as 10.0.0.0/8,"
                        + " 192.168.1.7 or fd00::/8)",
                "'proxy.internal' is a name, not an address (names are not looked up: give the proxy's IP address)"
                        + " (ignored; write an IP address or a CIDR range, such as 10.0.0.0/8, 192.168.1.7 or"
                        + " fd00::/8)",
                "'10.0.0.0/33' has a prefix length that is not 0 to 32 (ignored; write an IP address or a CIDR"
                        + " range, such as 10.0.0.0/8, 192.168.1.7 or fd00::/8)",
                "'::1/129' has a prefix length that is not 0 to 128 (ignored; write an IP address or a CIDR range,"
                        + " such as 10.0.0.0/8, 192.168.1.7 or fd00::/8)",
                "'300.1.1.1' is not an IP address (ignored; write an IP address or a CIDR range, such as"
                        + " 10.0.0.0/8, 192.168.1.7 or fd00::/8)",
                "'10.0.0.0/x' has a prefix length that is not 0 to 32 (ignored; write an IP address or a CIDR"
                        + " range, such as 10.0.0.0/8, 192.168.1.7 or fd00::/8)"), ranges.problems());
        assertEquals(new Client("203.0.113.7", "10.0.0.5"), xff(ranges, "10.0.0.5", "203.0.113.7"));
        assertEquals(new Client("203.0.113.7", "192.168.1.7"), xff(ranges, "192.168.1.7", "203.0.113.7"));
    }

    @Test
    void namesAreNeverLookedUp() {
        assertNull(ProxyRanges.literal("localhost"));
        assertNull(ProxyRanges.literal("example.com"));
        assertNull(ProxyRanges.literal("abc"));
        assertNull(ProxyRanges.literal(".1:2"));
        assertEquals("127.0.0.1", ProxyRanges.literal("127.0.0.1").getHostAddress());
    }

    @Test
    void theClientNamesItsProxyForTheLog() {
        assertEquals("203.0.113.7 (through proxy 10.0.0.5)", new Client("203.0.113.7", "10.0.0.5").toString());
        assertEquals("203.0.113.7", new Client("203.0.113.7", null).toString());
    }
}
