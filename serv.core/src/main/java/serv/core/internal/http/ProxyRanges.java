package serv.core.internal.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import serv.core.security.ClientAddress.Client;

/**
 * The trusted proxies (addresses and CIDR ranges, IPv4 and IPv6) and who the client of a request is behind them.
 *
 * <p>Hand-written rather than Jetty's {@code ForwardedRequestCustomizer} (which Felix HTTP adds with
 * {@code org.apache.felix.proxy.load.balancer.connection.enable}): in Jetty 12.0 it believes the forwarded headers of
 * every connection, whoever the peer is, and takes the left-most {@code X-Forwarded-For} entry, the one the client
 * itself wrote; it cannot be limited to trusted peers, and it would rewrite the address of every request, the Web
 * Console's included, with no way back to the peer for the log.
 */
final class ProxyRanges {

    /** No trusted proxy: the peer is always the client. */
    static final ProxyRanges NONE = new ProxyRanges(List.of(), List.of());

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV4_PORT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})(?::\\d{1,5})?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*");
    private static final Pattern SEPARATORS = Pattern.compile("[,\\s]+");
    /** Entries of a forwarded chain looked at, at most (Jetty's header size limit comes first in practice). */
    private static final int MAX_HOPS = 64;

    /** A network: its address's bytes (4 or 16) of which the first {@code bits} count. */
    private record Range(byte[] network, int bits, String text) {

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int whole = bits / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[whole] & mask) == (network[whole] & mask);
        }
    }

    private final List<Range> ranges;
    private final List<String> problems;

    private ProxyRanges(List<Range> ranges, List<String> problems) {
        this.ranges = ranges;
        this.problems = problems;
    }

    /**
     * The trusted proxies of a setting: each value one entry or several separated by commas or blanks (a
     * {@code .cfg} file's or an environment variable's one line). An entry that is no address or range is left out
     * and said in {@link #problems()}.
     */
    static ProxyRanges parse(Collection<String> values) {
        List<Range> ranges = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String value : values == null ? List.<String>of() : values) {
            for (String entry : SEPARATORS.split(value == null ? "" : value.strip())) {
                if (entry.isEmpty()) {
                    continue;
                }
                String problem = add(entry, ranges);
                if (problem != null) {
                    problems.add("'" + entry + "' " + problem + " (ignored; write an IP address or a CIDR range, such"
                            + " as 10.0.0.0/8, 192.168.1.7 or fd00::/8)");
                }
            }
        }
        return new ProxyRanges(List.copyOf(ranges), List.copyOf(problems));
    }

    /** Adds {@code entry} to {@code ranges}; null, or why it is not a range. */
    private static String add(String entry, List<Range> ranges) {
        int slash = entry.indexOf('/');
        String address = slash < 0 ? entry : entry.substring(0, slash);
        if (address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        InetAddress parsed = literal(address);
        if (parsed == null) {
            return address.matches(".*[g-zG-Z].*") && !address.contains(":")
                    ? "is a name, not an address (names are not looked up: give the proxy's IP address)"
                    : "is not an IP address";
        }
        byte[] bytes = parsed.getAddress();
        int max = bytes.length * 8;
        int bits = max;
        if (slash >= 0) {
            String suffix = entry.substring(slash + 1);
            if (!suffix.matches("\\d{1,3}") || Integer.parseInt(suffix) > max) {
                return "has a prefix length that is not 0 to " + max;
            }
            bits = Integer.parseInt(suffix);
        }
        ranges.add(new Range(bytes, bits, entry));
        return null;
    }

    /** The entries that were not addresses nor ranges, each with the fix. */
    List<String> problems() {
        return problems;
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** Whether any range is 0.0.0.0/0 or ::/0: every peer is trusted, and every client chooses its address. */
    boolean trustsEveryone() {
        return ranges.stream().anyMatch(r -> r.bits() == 0);
    }

    boolean trusts(InetAddress address) {
        byte[] bytes = address.getAddress();
        for (Range r : ranges) {
            if (r.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client of a request from {@code peer} with these header values ({@link serv.core.security.ClientAddress}):
     * the peer unless it is trusted; then the right-most forwarded address that is not trusted (all trusted: the
     * left-most), or the peer when the headers cannot be read or there are none.
     */
    Client resolve(String peer, List<String> forwardedFor, List<String> forwarded) {
        Client direct = new Client(peer, null);
        if (ranges.isEmpty() || peer == null) {
            return direct;
        }
        InetAddress from = literal(unbracketed(peer));
        if (from == null || !trusts(from)) {
            return direct;
        }
        boolean xff = forwardedFor != null && !forwardedFor.isEmpty();
        boolean rfc = forwarded != null && !forwarded.isEmpty();
        if (xff == rfc) {
            // none: the proxy's own request (a health check); both: one of them was not written by the proxy, and
            // which one cannot be told
            return direct;
        }
        List<String> hops = xff ? ForwardedHeaders.forwardedFor(forwardedFor) : ForwardedHeaders.forwarded(forwarded);
        if (hops.isEmpty()) {
            return direct;
        }
        InetAddress client = null;
        int looked = 0;
        for (int i = hops.size() - 1; i >= 0 && looked < MAX_HOPS; i--, looked++) {
            InetAddress hop = hop(hops.get(i));
            if (hop == null) {
                return direct; // not an address (unknown, an obfuscated name, garbage): nobody to count by
            }
            client = hop;
            if (!trusts(hop)) {
                break;
            }
        }
        return new Client(client.getHostAddress(), from.getHostAddress());
    }

    /**
     * A forwarded entry's address, or null: {@code 192.0.2.1}, {@code 192.0.2.1:4711}, {@code 2001:db8::1},
     * {@code [2001:db8::1]:4711}.
     */
    private static InetAddress hop(String entry) {
        String e = entry.strip();
        if (e.startsWith("[")) {
            int close = e.indexOf(']');
            if (close < 0 || !(close == e.length() - 1 || e.substring(close + 1).matches(":\\d{1,5}"))) {
                return null;
            }
            InetAddress a = literal(e.substring(1, close));
            return a != null && e.substring(1, close).contains(":") ? a : null;
        }
        Matcher v4 = IPV4_PORT.matcher(e);
        if (v4.matches()) {
            return literal(v4.group(1));
        }
        return e.indexOf(':') != e.lastIndexOf(':') ? literal(e) : null; // a bare IPv6 address has two colons or more
    }

    private static String unbracketed(String address) {
        String a = address.strip();
        return a.startsWith("[") && a.endsWith("]") ? a.substring(1, a.length() - 1) : a;
    }

    /**
     * An IPv4 or IPv6 address literal, or null: never a name, so never a DNS lookup ({@link InetAddress#getByName}
     * is only given text of hexadecimal digits, colons and dots that holds a colon, which it parses or refuses
     * without looking anything up). An IPv4-mapped IPv6 address is its IPv4 address.
     */
    static InetAddress literal(String text) {
        if (text == null) {
            return null;
        }
        Matcher v4 = IPV4.matcher(text);
        if (v4.matches()) {
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(v4.group(i + 1));
                if (octet > 255) {
                    return null;
                }
                bytes[i] = (byte) octet;
            }
            try {
                return InetAddress.getByAddress(bytes);
            } catch (UnknownHostException impossible) {
                return null;
            }
        }
        if (!text.contains(":") || !IPV6.matcher(text).matches() || text.length() > 45) {
            return null;
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    /** The ranges as written, for the log. */
    @Override
    public String toString() {
        return String.join(", ", ranges.stream().map(Range::text).toList());
    }
}
