package serv.core.internal.tenant;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import serv.core.tenant.Tenant;

/**
 * The checked settings of one tenant configuration. Every problem names the key and says how to fix it; a value
 * left empty (a form writes every field) is the same as no value.
 *
 * @param tenant who the tenant is and which requests are its
 * @param ownDatabase the tenant's own database ({@code url}, {@code user}, {@code password} as a database
 *            configuration has them), or empty for a schema of the shared default
 * @param schema the schema in the shared default database (schema per tenant), or null for a database of its own
 * @param poolSize connections kept open
 * @param maxSize most connections
 * @param idleSeconds seconds without a request before the pool closes; 0: always open
 * @param minConnections connections the server's connection budget keeps for the tenant while its pool is open
 * @param maxRequests requests of the tenant served at once (the others wait, then 503)
 */
record TenantSettings(Tenant tenant, Map<String, Object> ownDatabase, String schema, int poolSize, int maxSize,
        long idleSeconds, int minConnections, int maxRequests) {

    static final String FACTORY_PID = "serv.tenant";

    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern HOST = Pattern.compile(
            "(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    private static final Pattern PREFIX = Pattern.compile("(/[A-Za-z0-9._~-]+)+");
    private static final Pattern SCHEMA = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final Pattern DOT_SEGMENT = Pattern.compile("/\\.{1,2}(/|$)");

    String id() {
        return tenant.id();
    }

    /** Whether a host name is as long as DNS allows at most: 253 characters, 63 in each label. */
    private static boolean dnsLength(String host) {
        if (host.length() > 253) {
            return false;
        }
        for (String label : host.split("\\.")) {
            if (label.length() > 63) {
                return false;
            }
        }
        return true;
    }

    /** A value as an error message repeats it: a 100 KB host name is not echoed whole. */
    private static String cut(String value) {
        return value.length() <= 80 ? value : value.substring(0, 60) + "... (" + value.length() + " characters)";
    }

    /**
     * Why a path prefix cannot be a tenant's, or null: the server's own /health and /metrics (a load balancer
     * polling /health would have reached the tenant, and a 404), and the Web Console's path (its servlet answers
     * there, never the tenant).
     */
    static String reservedPrefix(String prefix) {
        for (String own : new String[] { "/health", "/metrics" }) {
            if (prefix.equals(own) || prefix.startsWith(own + "/")) {
                return "is the server's own " + own;
            }
        }
        return prefix.equals("/system/console") || prefix.startsWith("/system/console/") ? "is the Web Console's path"
                : null;
    }

    /**
     * Why a schema of the shared default database cannot be a tenant's, or null: the server's own tables are in
     * {@code public} (a tenant there would share them), PostgreSQL's catalogs ({@code pg_*},
     * {@code information_schema}) and Serv's cluster store ({@code serv_cluster}) are not the tenants'.
     */
    static String reservedSchema(String schema) {
        if (schema.equals("public")) {
            return "is the shared database's own schema, where the server's own tables are: a tenant there would"
                    + " share them";
        }
        if (schema.startsWith("pg_") || schema.equals("information_schema")) {
            return "is PostgreSQL's own";
        }
        return schema.equals("serv_cluster") ? "is the schema of Serv's cluster store" : null;
    }

    boolean ownsDatabase() {
        return !ownDatabase.isEmpty();
    }

    /** Reads and checks a tenant configuration (values as the consumer gets them: references resolved). */
    static TenantSettings from(Map<String, ?> props) {
        String id = text(props, "id");
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("tenant: key 'id': '" + (id == null ? "" : id) + "' is not a slug; use"
                    + " lower-case letters, digits and '-', starting with a letter");
        }
        props.forEach((key, value) -> {
            String why = notText(value);
            if (why != null) {
                // A NUL in database_url was taken: every request then waited 15 s for a pool that could not start
                throw new IllegalArgumentException("tenant " + id + ": key '" + key + "' holds " + why
                        + "; remove it");
            }
        });
        List<String> hosts = new ArrayList<>();
        for (String h : list(props.get("hosts"))) {
            String host = h.strip().toLowerCase(Locale.ROOT);
            if (host.isEmpty()) {
                continue;
            }
            if (!HOST.matcher(host).matches()) {
                throw new IllegalArgumentException("tenant " + id + ": key 'hosts': '" + cut(h) + "' is not a host name "
                        + "(no port, no scheme; *.example.com for every subdomain)");
            }
            if (!dnsLength(host)) {
                throw new IllegalArgumentException("tenant " + id + ": key 'hosts': '" + cut(h) + "' is longer than a"
                        + " host name can be (253 characters, 63 between dots); no request can name it");
            }
            hosts.add(host);
        }
        String prefix = text(props, "path_prefix");
        if (prefix != null && (!PREFIX.matcher(prefix).matches() || DOT_SEGMENT.matcher(prefix).find())) {
            throw new IllegalArgumentException("tenant " + id + ": key 'path_prefix': '" + prefix + "' must look like"
                    + " /t/acme (segments after '/', no '/' at the end, no '.' or '..' segment)");
        }
        String reserved = prefix == null ? null : reservedPrefix(prefix);
        if (reserved != null) {
            throw new IllegalArgumentException("tenant " + id + ": key 'path_prefix': '" + prefix + "' " + reserved
                    + "; give the tenant a prefix of its own, such as /t/" + id);
        }
        if (hosts.isEmpty() && prefix == null) {
            throw new IllegalArgumentException("tenant " + id + ": give it 'hosts' or a 'path_prefix', or no request"
                    + " can reach it");
        }
        Set<String> extensions = new TreeSet<>();
        for (String e : list(props.get("extensions"))) {
            if (!e.isBlank()) {
                extensions.add(e.strip());
            }
        }
        String name = text(props, "name");

        Map<String, Object> own = new LinkedHashMap<>();
        String url = text(props, "database_url");
        String schema = null;
        if (url != null) {
            own.put("url", url);
            putIfSet(own, "user", text(props, "database_user"));
            putIfSet(own, "password", text(props, "database_password"));
        } else {
            schema = text(props, "database_schema");
            schema = schema == null ? id.replace('-', '_') : schema;
            if (!SCHEMA.matcher(schema).matches()) {
                throw new IllegalArgumentException("tenant " + id + ": key 'database_schema': '" + schema + "' is not"
                        + " a valid schema name; use lower-case letters, digits or '_', starting with a letter");
            }
            String taken = reservedSchema(schema);
            if (taken != null) {
                throw new IllegalArgumentException("tenant " + id + ": key 'database_schema': '" + schema + "' " + taken
                        + "; give the tenant a schema of its own (database_schema: t_" + id.replace('-', '_') + ")");
            }
        }
        int poolSize = number(props, "pool_size", 0, 0, id);
        int maxSize = number(props, "max_size", 5, 1, id);
        if (poolSize > maxSize) {
            throw new IllegalArgumentException("tenant " + id + ": key 'pool_size': " + poolSize + " is larger than"
                    + " max_size " + maxSize + "; lower pool_size or raise max_size");
        }
        long idle = number(props, "idle_timeout", 300, 0, id);
        int minConnections = number(props, "min_connections", 1, 0, id);
        if (minConnections > maxSize) {
            throw new IllegalArgumentException("tenant " + id + ": key 'min_connections': " + minConnections
                    + " is larger than max_size " + maxSize + "; lower min_connections or raise max_size");
        }
        int maxRequests = number(props, "max_requests", 2 * maxSize, 1, id);
        Tenant tenant = new Tenant(id, name == null ? id : name, hosts, prefix, extensions, schema,
                url == null ? null : withoutPassword(url), idle);
        return new TenantSettings(tenant, Map.copyOf(own), schema, poolSize, maxSize, idle, minConnections,
                maxRequests);
    }

    /** A URL to show: a password written in it ({@code user:secret@host}, {@code password=}) is left out. */
    static String withoutPassword(String url) {
        return url.replaceFirst("(//[^/@:]*):[^/@]*@", "$1@").replaceAll("(?i)([?&]password=)[^&]*", "$1***");
    }

    private static void putIfSet(Map<String, Object> out, String key, String value) {
        if (value != null) {
            out.put(key, value);
        }
    }

    /**
     * The hosts and path prefix a refused configuration asks for, read leniently (those that are valid): they stay its
     * tenant's while it is refused. Null when it names none; an id that is no slug is {@code ?}.
     */
    static TenantTable.Held held(Map<String, ?> props) {
        String id = text(props, "id");
        if (id == null || !ID.matcher(id).matches()) {
            id = "?";
        }
        List<String> hosts = new ArrayList<>();
        for (String h : list(props.get("hosts"))) {
            String host = h.strip().toLowerCase(Locale.ROOT);
            if (HOST.matcher(host).matches() && dnsLength(host) && notText(host) == null) {
                hosts.add(host);
            }
        }
        String prefix = text(props, "path_prefix");
        if (prefix != null && (!PREFIX.matcher(prefix).matches() || DOT_SEGMENT.matcher(prefix).find()
                || reservedPrefix(prefix) != null)) {
            prefix = null;
        }
        return hosts.isEmpty() && prefix == null ? null : new TenantTable.Held(id, List.copyOf(hosts), prefix);
    }

    private static String text(Map<String, ?> props, String key) {
        Object v = props.get(key);
        if (v == null) {
            return null;
        }
        String s = v.toString().strip();
        return s.isEmpty() ? null : s;
    }

    /**
     * Why a setting's value is no text a setting can hold (a control character, half of a surrogate pair), or null;
     * the elements of a list are checked each.
     */
    static String notText(Object value) {
        if (value instanceof String[] array) {
            return notText(Arrays.asList(array));
        }
        if (value instanceof Collection<?> c) {
            for (Object element : c) {
                String why = notText(element);
                if (why != null) {
                    return why;
                }
            }
            return null;
        }
        if (!(value instanceof String s)) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x20 && ch != '\t' || ch == 0x7f) {
                return String.format("a control character (U+%04X)", (int) ch);
            }
            if (Character.isSurrogate(ch)) {
                if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return "half of a surrogate pair, which is no character";
                }
            }
        }
        return null;
    }

    /** A list value: an array, a collection, or one text with commas (as an etc/ file writes it). */
    private static List<String> list(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof String[] array) {
            for (String s : array) {
                if (s != null) {
                    out.addAll(List.of(s.split(",")));
                }
            }
        } else if (value instanceof Collection<?> c) {
            // a null element is none (it became the host "null")
            c.stream().filter(v -> v != null).forEach(v -> out.addAll(List.of(String.valueOf(v).split(","))));
        } else if (value != null) {
            out.addAll(List.of(value.toString().split(",")));
        }
        out.replaceAll(String::strip);
        out.removeIf(String::isEmpty);
        return out;
    }

    private static int number(Map<String, ?> props, String key, int fallback, int min, String id) {
        Object v = props.get(key);
        if (v == null || v.toString().isBlank()) {
            return fallback;
        }
        int n;
        try {
            n = v instanceof Number num ? Math.toIntExact(num.longValue()) : Integer.parseInt(v.toString().strip());
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("tenant " + id + ": key '" + key + "': '" + v + "' is not a whole"
                    + " number; use " + min + " or more");
        }
        if (n < min) {
            throw new IllegalArgumentException("tenant " + id + ": key '" + key + "': " + n + " is too small; use "
                    + min + " or more");
        }
        return n;
    }
}
