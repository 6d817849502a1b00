package serv.console.internal;

import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Cross-site request forgery, refused: the console and its admin API log in with HTTP Basic, which a browser sends by
 * itself with every request to the console's host once an operator has logged in, so a form or a script on any other
 * site's page could POST to {@code /system/console} as the operator (stop an extension, change a configuration).
 *
 * <p>A change (any method but GET, HEAD, OPTIONS and TRACE) is taken only when its {@code Origin} header, or without
 * one its {@code Referer}, names the origin the request came to: its scheme, and the host and port of its
 * {@code Host} header. {@code Origin: null} (a sandboxed frame, a {@code data:} page) is another site's. A request
 * with neither header comes from no page (curl, scripts, the {@code serv} command line) and is taken: browsers send
 * {@code Origin} with every cross-origin POST, PUT, PATCH and DELETE.
 */
final class SameOrigin {

    private SameOrigin() {
    }

    /** Scheme, host (lower case) and port (the scheme's default when none is written). */
    private record Origin(String scheme, String host, int port) {

        /**
         * The origin of a URL ({@code scheme://host[:port][/path...]}), or null when it is none. Read by hand:
         * {@link java.net.URI} has no host for a name with an underscore ({@code serv_console:8000}).
         */
        static Origin of(String url) {
            int sep = url.indexOf("://");
            if (sep <= 0) {
                return null; // "null", a bare word
            }
            String scheme = url.substring(0, sep).toLowerCase(Locale.ROOT);
            if (!scheme.matches("[a-z][a-z0-9+.-]*")) {
                return null;
            }
            int end = sep + 3;
            while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
                end++;
            }
            return of(scheme, url.substring(sep + 3, end));
        }

        /** The origin of a scheme and an authority ({@code host[:port]}, a Host header), or null. */
        static Origin of(String scheme, String authority) {
            if (authority.isEmpty() || authority.indexOf('@') >= 0) {
                return null; // no host, or a login in it
            }
            String host;
            String port;
            if (authority.startsWith("[")) { // an IPv6 address
                int close = authority.indexOf(']');
                if (close < 0 || close + 1 < authority.length() && authority.charAt(close + 1) != ':') {
                    return null;
                }
                host = authority.substring(0, close + 1);
                port = close + 1 < authority.length() ? authority.substring(close + 2) : "";
            } else {
                int colon = authority.indexOf(':');
                if (colon >= 0 && authority.indexOf(':', colon + 1) >= 0) {
                    return null;
                }
                host = colon < 0 ? authority : authority.substring(0, colon);
                port = colon < 0 ? "" : authority.substring(colon + 1);
            }
            if (host.isEmpty() || !host.chars().allMatch(c -> c > ' ' && c < 0x7f)
                    || !port.isEmpty() && !port.matches("[0-9]{1,5}")) {
                return null;
            }
            int number = port.isEmpty() ? defaultPort(scheme) : Integer.parseInt(port);
            return number > 65535 ? null : new Origin(scheme, host.toLowerCase(Locale.ROOT), number);
        }

        @Override
        public String toString() {
            return scheme + "://" + host + (port == defaultPort(scheme) ? "" : ":" + port);
        }
    }

    /**
     * Why the request is refused, for its {@code {"error": ...}}; null when it goes on (a method that changes
     * nothing, a request of the console's own pages, or of no page).
     */
    static String refusal(HttpServletRequest request) {
        String method = request.getMethod();
        if (method == null || safe(method)) {
            return null;
        }
        String origin = request.getHeader("Origin");
        String header = "Origin";
        if (origin == null || origin.isBlank()) {
            origin = request.getHeader("Referer");
            header = "Referer";
            if (origin == null || origin.isBlank()) {
                return null; // no page sent it
            }
        }
        Origin own = own(request);
        Origin from = Origin.of(origin.strip());
        if (own != null && (own.equals(from) || behindTlsProxy(own, from))) {
            return null;
        }
        String named = from != null ? header + " " + from
                : header.equals("Origin") ? "Origin " + Echo.cut(origin.strip()) : "a Referer that is no URL";
        return "this request came from another site's page (" + named + ", not " + (own == null ? "this server"
                : own) + "): the console and its API take changes only from their own pages, or from clients that"
                + " send no Origin or Referer (curl, scripts, the serv command line)";
    }

    /**
     * Whether {@code from} is the page of the same host seen through a proxy that ends TLS: the browser's
     * {@code https://serv.example} reaches Serv as {@code http} with {@code Host: serv.example}, each on its scheme's
     * default port. Another host, or another port, is still another site.
     */
    private static boolean behindTlsProxy(Origin own, Origin from) {
        return from != null && own.host().equals(from.host()) && !own.scheme().equals(from.scheme())
                && own.port() == defaultPort(own.scheme()) && from.port() == defaultPort(from.scheme());
    }

    /** The methods that change nothing. */
    private static boolean safe(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE" -> true;
            default -> false;
        };
    }

    /** The origin the request came to: its scheme, and the host and port it was sent to; null when not known. */
    private static Origin own(HttpServletRequest request) {
        String scheme = request.getScheme() == null ? "http" : request.getScheme();
        String host = request.getHeader("Host");
        if (host == null || host.isBlank()) {
            String name = request.getServerName();
            if (name == null || name.isEmpty()) {
                return null;
            }
            host = (name.indexOf(':') >= 0 && !name.startsWith("[") ? "[" + name + "]" : name)
                    + (request.getServerPort() > 0 ? ":" + request.getServerPort() : "");
        }
        host = host.strip();
        if (host.indexOf('/') >= 0 || host.indexOf('?') >= 0 || host.indexOf('#') >= 0) {
            return null; // not a host and port
        }
        return Origin.of(scheme.toLowerCase(Locale.ROOT), host);
    }

    private static int defaultPort(String scheme) {
        return switch (scheme) {
            case "http" -> 80;
            case "https" -> 443;
            default -> -1;
        };
    }
}
