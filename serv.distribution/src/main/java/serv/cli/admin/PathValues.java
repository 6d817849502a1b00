package serv.cli.admin;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The values a command puts into an admin API path ({@code tenants/{id}}, {@code databases/{name}},
 * {@code extensions/{id or name}}): checked by the server's own rule for them before anything is sent, then encoded
 * as one path segment. A value such as {@code ..} or {@code a/b} would otherwise name another API path, and the
 * server's answer would be about that path, not about the value.
 */
public final class PathValues {

    /** serv.core's TenantSettings: a tenant id is a slug. */
    static final Pattern TENANT_ID = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    /** serv.database's DatabaseSettings: a database name. */
    static final Pattern DATABASE_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    /** A bundle id, or a bundle symbolic name (OSGi Core: tokens of letters, digits, '_' and '-', joined by '.'). */
    static final Pattern EXTENSION = Pattern.compile("\\d{1,19}|[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*");

    private PathValues() {
    }

    /** A tenant id, checked and encoded. */
    static String tenant(String id) throws AdminClient.Failure {
        return checked(id, TENANT_ID, "is not a tenant id: a tenant id is lower-case letters, digits and '-',"
                + " starting with a letter (serv tenant list shows them)");
    }

    /** The id of a tenant to add, checked. */
    static void newTenant(String id) throws AdminClient.Failure {
        checked(id, TENANT_ID, "cannot be a tenant id: a tenant id is lower-case letters, digits and '-', starting"
                + " with a letter (acme, say)");
    }

    /** A database name, checked and encoded. */
    static String database(String name) throws AdminClient.Failure {
        return checked(name, DATABASE_NAME, "is not a database name: a database name is lower-case letters, digits,"
                + " '_' and '-', starting with a letter (serv database list shows them)");
    }

    /** An extension's bundle id or symbolic name, checked and encoded. */
    public static String extension(String idOrName) throws AdminClient.Failure {
        return checked(idOrName, EXTENSION, "is not an extension: give its bundle id or its symbolic name, such as"
                + " serv.blog (serv extension list shows them)");
    }

    /** {@code value} encoded as one path segment (or a query value): nothing in it is read as a '/', '?' or '%'. */
    public static String segment(String value) {
        String s = URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
        // '.' is left as it is by the encoder, and "." or ".." as a whole segment is a step in the path
        return s.chars().allMatch(c -> c == '.') ? s.replace(".", "%2E") : s;
    }

    private static String checked(String value, Pattern rule, String otherwise) throws AdminClient.Failure {
        if (value == null || !rule.matcher(value).matches()) {
            throw new AdminClient.Failure(AdminClient.USAGE, "'" + printable(value) + "' " + otherwise);
        }
        return segment(value);
    }

    /** A value as it can be shown on one line: control characters as \\uXXXX, long ones cut. */
    static String printable(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        value.codePoints().limit(80).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04X", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return value.codePointCount(0, value.length()) > 80 ? out + "…" : out.toString();
    }
}
