package serv.cli.admin;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The address of the server a command talks to: {@code --url}, else {@code $SERV_URL}, else
 * {@code http://127.0.0.1:$SERV_PORT} (port 8000 when unset). It is checked before any request: an http or https
 * address with a host and nothing after the port, since the admin API's path is added to it. A wrong one is a
 * usage error that names where it came from and what to give instead.
 */
final class ServerAddress {

    private ServerAddress() {
    }

    /**
     * The server's address as {@code scheme://host[:port]}, from {@code option} (--url, or null) and the
     * environment.
     *
     * @throws AdminClient.Failure with {@link AdminClient#USAGE} when the address cannot be a server's
     */
    static String of(String option, UnaryOperator<String> env) throws AdminClient.Failure {
        if (option != null) {
            return check("--url", option);
        }
        String url = env.apply("SERV_URL");
        if (url != null && !url.isBlank()) {
            return check("SERV_URL", url);
        }
        String port = env.apply("SERV_PORT");
        port = port == null || port.isBlank() ? "8000" : port.strip();
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw usage("SERV_PORT='" + port + "' is not a port number (1-65535); set SERV_PORT to the server's port,"
                    + " or give --url=http://HOST:PORT");
        }
        return "http://127.0.0.1:" + port;
    }

    /** {@code value} as a server's address, or a usage error naming {@code source} (--url or SERV_URL). */
    static String check(String source, String value) throws AdminClient.Failure {
        String given = value.strip();
        String wanted = source + " must be http://HOST:PORT or https://HOST:PORT, got '" + given + "'";
        URI uri;
        try {
            uri = new URI(given);
        } catch (URISyntaxException e) {
            throw usage(wanted + hint(given));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.isOpaque() || !(scheme.equals("http") || scheme.equals("https"))) {
            throw usage(wanted + hint(given));
        }
        if (uri.getRawUserInfo() != null) {
            // never echoed: it may hold a password
            throw usage(source + " must not hold a login (USER@ or USER:PASSWORD@ before the host); give --user,"
                    + " and the password in SERV_CONSOLE_PASSWORD or --password-file");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw usage(wanted + " (no host name)");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw usage(wanted + " (the port is not 1-65535)");
        }
        String address = scheme + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!path.isEmpty() && !path.equals("/") || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw usage(source + " is the server's address (http://HOST:PORT), without a "
                    + (!path.isEmpty() && !path.equals("/") ? "path" : "query") + ": got '" + given
                    + "'; give " + (source.equals("--url") ? "--url=" : "SERV_URL=") + address);
        }
        return address;
    }

    /** A way out when the scheme was left out (localhost:8000): the same with http:// before it. */
    private static String hint(String given) {
        if (given.contains("://") || given.isEmpty()) {
            return "";
        }
        try {
            URI guess = new URI("http://" + given);
            return guess.getHost() != null ? "; give http://" + given + ", say" : "";
        } catch (URISyntaxException e) {
            return "";
        }
    }

    private static AdminClient.Failure usage(String message) {
        return new AdminClient.Failure(AdminClient.USAGE, message);
    }
}
