package serv.core.internal.tenant;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a database URL's data is, whatever way the URL is written: two tenants whose URLs differ only in the user, the
 * password, {@code jdbc:} or not, {@code localhost} or {@code 127.0.0.1}, the default port or other parameters read
 * and write the same tables. PostgreSQL: host (the loopback names as one, case-insensitive), port (5432 when none),
 * database name; SQLite: the file's absolute, normalized path. A {@code currentSchema}, {@code search_path} or
 * {@code options=-c search_path=} parameter naming a schema other than {@code public} makes (database, schema) the
 * identity: the tables a connection reads and writes without a schema in their name are there.
 *
 * @param database {@code postgresql://host:port/name} or {@code sqlite:/absolute/path}
 * @param schema the schema the URL names, or null for {@code public} (or none: the same tables)
 */
record DatabaseIdentity(String database, String schema) {

    private static final int DEFAULT_PORT = 5432;
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1",
            "localhost.localdomain", "ip6-localhost");
    private static final Pattern SEARCH_PATH = Pattern.compile("search_path\\s*=\\s*([^\\s]+)",
            Pattern.CASE_INSENSITIVE);

    /** What {@code key} of {@link TenantRegistry}'s claims this is: one text per identity. */
    String key() {
        return schema == null ? database : database + "#" + schema;
    }

    /** The same database, its {@code public} schema. */
    DatabaseIdentity withoutSchema() {
        return schema == null ? this : new DatabaseIdentity(database, null);
    }

    /** This one in {@code otherSchema} (null or {@code public}: the database's own tables). */
    DatabaseIdentity inSchema(String otherSchema) {
        return new DatabaseIdentity(database, schemaName(otherSchema));
    }

    boolean sameDatabase(DatabaseIdentity other) {
        return other != null && database.equals(other.database);
    }

    /** For messages: the database and schema, never a user or password. */
    String describe() {
        if (database.startsWith("sqlite:")) {
            return "its SQLite file"; // the absolute path is the server's, not for an API's answer
        }
        return schema == null ? database : database + " (schema " + schema + ")";
    }

    /**
     * The identity of a database URL ({@code postgresql://}, {@code postgres://}, {@code jdbc:postgresql:},
     * {@code sqlite:///}, {@code jdbc:sqlite:}); relative SQLite paths resolve against {@code home}. Null when the URL
     * is not one of these or cannot be read (the database layer says why when it opens it).
     */
    static DatabaseIdentity of(String url, Path home) {
        if (url == null || url.isBlank()) {
            return null;
        }
        String u = url.strip();
        String lower = u.toLowerCase(Locale.ROOT);
        try {
            if (lower.startsWith("jdbc:postgresql:")) {
                return jdbcPostgres(u.substring("jdbc:postgresql:".length()));
            }
            if (lower.startsWith("postgresql://") || lower.startsWith("postgres://")) {
                return postgres(u.substring(u.indexOf("://") + 3));
            }
            if (lower.startsWith("jdbc:sqlite:")) {
                return sqlite(u.substring("jdbc:sqlite:".length()), home);
            }
            if (lower.startsWith("sqlite://")) {
                String rest = u.substring("sqlite://".length());
                return rest.startsWith("/") && rest.length() > 1 ? sqlite(rest.substring(1), home) : null;
            }
        } catch (URISyntaxException | IllegalArgumentException e) { // NumberFormatException, InvalidPathException
            return null;
        }
        return null;
    }

    /** After {@code jdbc:postgresql:}: {@code //host:port/db?params}, {@code db?params} or {@code /?params}. */
    private static DatabaseIdentity jdbcPostgres(String rest) throws URISyntaxException {
        if (rest.startsWith("//")) {
            return postgres(rest.substring(2));
        }
        int q = rest.indexOf('?');
        Map<String, String> params = params(q < 0 ? "" : rest.substring(q + 1));
        String db = decode((q < 0 ? rest : rest.substring(0, q)).replaceFirst("^/", ""));
        return postgres("localhost", DEFAULT_PORT, db, params);
    }

    /** After {@code scheme://}: {@code [user[:password]@]host[:port][,host2...]/db[?params]}. */
    private static DatabaseIdentity postgres(String rest) throws URISyntaxException {
        int slash = rest.indexOf('/');
        int q = rest.indexOf('?');
        int end = slash >= 0 && (q < 0 || slash < q) ? slash : q >= 0 ? q : rest.length();
        String authority = rest.substring(0, end);
        String path = slash >= 0 && (q < 0 || slash < q) ? rest.substring(slash + 1, q < 0 ? rest.length() : q) : "";
        Map<String, String> params = params(q < 0 ? "" : rest.substring(q + 1));
        int at = authority.lastIndexOf('@');
        String hostPort = at >= 0 ? authority.substring(at + 1) : authority;
        int comma = hostPort.indexOf(',');
        if (comma >= 0) {
            hostPort = hostPort.substring(0, comma); // several hosts: the first one's data (a cluster is one)
        }
        String host = hostPort;
        int port = DEFAULT_PORT;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new URISyntaxException(hostPort, "no ']'");
            }
            host = hostPort.substring(1, close);
            String after = hostPort.substring(close + 1);
            if (after.startsWith(":") && after.length() > 1) {
                port = Integer.parseInt(after.substring(1));
            }
        } else if (hostPort.indexOf(':') >= 0 && hostPort.indexOf(':') == hostPort.lastIndexOf(':')) {
            int colon = hostPort.indexOf(':');
            host = hostPort.substring(0, colon);
            if (colon + 1 < hostPort.length()) {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            }
        }
        return postgres(decode(host), port, decode(path), params);
    }

    private static DatabaseIdentity postgres(String host, int port, String db, Map<String, String> params) {
        String h = first(params, host, "host", "pghost");
        String p = first(params, null, "port", "pgport");
        String name = first(params, db, "dbname", "pgdbname");
        if (p != null && !p.isBlank()) {
            port = Integer.parseInt(p.split(",")[0].strip());
        }
        h = h == null ? "" : h.split(",")[0].strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.isEmpty() || LOOPBACK.contains(h) || h.startsWith("127.")) {
            h = "localhost";
        }
        if (name == null || name.isBlank()) {
            name = first(params, "", "user"); // PostgreSQL's default: the database named after the user
        }
        String schema = null;
        String current = first(params, null, "currentschema", "search_path");
        if (current != null) {
            schema = schemaName(current);
        } else if (params.containsKey("options")) {
            Matcher m = SEARCH_PATH.matcher(params.get("options"));
            if (m.find()) {
                schema = schemaName(m.group(1));
            }
        }
        return new DatabaseIdentity("postgresql://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port + "/"
                + name.toLowerCase(Locale.ROOT), schema);
    }

    /**
     * The schema a search path puts unqualified tables in: its first entry ({@code "$user"} skipped, quotes removed,
     * unquoted names folded to lower case as PostgreSQL does); null for {@code public}.
     */
    static String schemaName(String searchPath) {
        if (searchPath == null) {
            return null;
        }
        for (String part : searchPath.split(",")) {
            String s = part.strip();
            if (s.isEmpty() || s.equals("$user") || s.equals("\"$user\"")) {
                continue;
            }
            s = s.startsWith("\"") && s.endsWith("\"") && s.length() > 1 ? s.substring(1, s.length() - 1)
                    : s.toLowerCase(Locale.ROOT);
            return s.equals("public") ? null : s;
        }
        return null;
    }

    private static DatabaseIdentity sqlite(String path, Path home) {
        String p = path;
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        if (p.startsWith("file:")) {
            p = p.substring("file:".length());
        }
        if (p.isBlank() || p.startsWith(":memory:")) {
            return null;
        }
        Path file = (home == null ? Path.of("").toAbsolutePath() : home).resolve(p).toAbsolutePath().normalize();
        try {
            if (Files.exists(file)) {
                file = file.toRealPath(); // a link to another tenant's file is that file
            } else if (file.getParent() != null && Files.exists(file.getParent())) {
                file = file.getParent().toRealPath().resolve(file.getFileName());
            }
        } catch (java.io.IOException e) {
            // the path as written, normalized
        }
        return new DatabaseIdentity("sqlite:" + file, null);
    }

    /** Query parameters, keys in lower case, values decoded. */
    private static Map<String, String> params(String query) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String p : query.split("&")) {
            if (p.isEmpty()) {
                continue;
            }
            String[] kv = p.split("=", 2);
            out.put(decode(kv[0]).toLowerCase(Locale.ROOT), kv.length > 1 ? decode(kv[1]) : "");
        }
        return out;
    }

    private static String first(Map<String, String> params, String fallback, String... keys) {
        for (String k : keys) {
            String v = params.get(k);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return fallback;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
