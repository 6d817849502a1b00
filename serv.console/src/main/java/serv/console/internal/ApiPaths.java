package serv.console.internal;

import java.util.List;

/**
 * The paths of the admin API and the HTTP methods each answers, in one place: the router asks it before it routes
 * (an unknown path is a 404, a method the path does not answer a 405 with {@code Allow}), and {@code OPTIONS} and
 * {@code Allow} list exactly what it says. Every path that answers GET answers HEAD (as GET, without the body), and
 * every path answers OPTIONS.
 */
final class ApiPaths {

    private static final List<String> GET = List.of("GET", "HEAD", "OPTIONS");
    private static final List<String> POST = List.of("POST", "OPTIONS");
    private static final List<String> GET_POST = List.of("GET", "HEAD", "POST", "OPTIONS");
    private static final List<String> ONE_TENANT = List.of("GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS");
    private static final List<String> ONE_EXTENSION = List.of("GET", "HEAD", "DELETE", "OPTIONS");

    private ApiPaths() {
    }

    /** The methods the path answers (its segments after {@code /api/}); null when there is no such path. */
    static List<String> methods(String[] p) {
        if (p.length == 0 || List.of(p).contains("")) {
            return null;
        }
        return switch (p[0]) {
            case "overview", "cluster", "routes" -> p.length == 1 ? GET : null;
            case "databases" -> switch (p.length) {
                case 1, 2 -> GET;
                case 3 -> List.of("test", "rollback", "migrate").contains(p[2]) ? POST : null;
                default -> null;
            };
            case "tenants" -> p.length == 1 ? GET_POST : p.length == 2 ? ONE_TENANT : null;
            case "extensions" -> switch (p.length) {
                case 1 -> GET_POST;
                case 2 -> ONE_EXTENSION;
                case 3 -> List.of("start", "stop").contains(p[2]) ? POST : null;
                default -> null;
            };
            default -> null;
        };
    }

    /** The value of an {@code Allow} header. */
    static String allow(List<String> methods) {
        return String.join(", ", methods);
    }
}
