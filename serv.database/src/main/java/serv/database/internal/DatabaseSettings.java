package serv.database.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import serv.database.Dialect;

/**
 * The checked settings of one database configuration. Every problem is reported as a
 * {@link ConfigurationException} that names the key and says how to fix it; nothing is half-created.
 *
 * @param name logical name
 * @param tenant tenant id or null
 * @param url the parsed URL (credentials separated)
 * @param user effective user or null
 * @param password effective password or null (never logged)
 * @param minIdle Hikari minimum idle
 * @param maxPoolSize Hikari maximum pool size
 * @param connectionTimeoutMs Hikari connection timeout
 * @param commandTimeoutMs statement timeout, 0 for none
 * @param idleTimeoutMs Hikari idle timeout
 * @param maxLifetimeMs Hikari max lifetime
 * @param schema the schema of a schema-per-tenant database, or null
 * @param guaranteed connections the server's connection budget keeps for this database while it is open
 */
public record DatabaseSettings(String name, String tenant, DatabaseUrl url, String user, String password,
        int minIdle, int maxPoolSize, long connectionTimeoutMs, long commandTimeoutMs, long idleTimeoutMs,
        long maxLifetimeMs, String schema, int guaranteed) {

    public static final String FACTORY_PID = "serv.database";
    /**
     * Seconds a statement may run before PostgreSQL cancels it: long enough for any query a web request should
     * make, short enough that a request blocked by a lock gives its connection back (and gets a 503) instead of
     * holding it for the lock's whole life. Migrations run without it.
     */
    public static final double DEFAULT_COMMAND_TIMEOUT_S = 10;

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    /** A schema name safe to write into SQL unquoted or quoted: lower-case letters, digits and '_'. */
    private static final Pattern SCHEMA = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final Pattern UNRESOLVED = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.]*)}");

    /** A wrong configuration value: the message names the key and the fix, never a secret. */
    public static final class ConfigurationException extends Exception {
        private static final long serialVersionUID = 1L;

        public ConfigurationException(String message) {
            super(message);
        }
    }

    /** Reads and checks a configuration; relative SQLite paths resolve against {@code home}. */
    public static DatabaseSettings from(Map<String, ?> props, Path home) throws ConfigurationException {
        for (Map.Entry<String, ?> e : props.entrySet()) {
            if (e.getValue() instanceof String s) {
                Matcher m = UNRESOLVED.matcher(s);
                if (m.find()) {
                    throw new ConfigurationException("key '" + e.getKey() + "': environment variable " + m.group(1)
                            + " is not set and has no default; set it, or write ${" + m.group(1) + ":default}");
                }
            }
        }
        String name = string(props, "name", "default");
        if (!NAME.matcher(name).matches()) {
            throw new ConfigurationException("key 'name': '" + shown(name)
                    + "' is not a valid database name; use lower-case letters, digits, '_' or '-', starting with a letter");
        }
        String tenant = string(props, "tenant", null);
        // No URL is no database, never the embedded SQLite file: a url line deleted or left empty in an edit moved
        // a PostgreSQL database's writes to data/app.db. (The embedded default's own configuration names its URL.)
        String rawUrl = string(props, "url", null);
        if (rawUrl == null) {
            throw new ConfigurationException("key 'url' is missing: give the database's URL (postgresql://user@host:5432/"
                    + "db, or sqlite:///data/app.db for an embedded one)");
        }
        DatabaseUrl url = DatabaseUrl.parse(rawUrl, home);
        String sslMode = string(props, "ssl_mode", null);
        if (sslMode != null) {
            if (url.dialect() != Dialect.POSTGRESQL) {
                throw new ConfigurationException("key 'ssl_mode': only PostgreSQL databases take an SSL mode; remove it");
            }
            if (!sslMode.matches("disable|allow|prefer|require|verify-ca|verify-full")) {
                throw new ConfigurationException("key 'ssl_mode': '" + shown(sslMode)
                        + "' is not one of disable, allow, prefer, require, verify-ca, verify-full");
            }
            url = url.withParameter("sslmode", sslMode);
        }
        String schema = string(props, "schema", null);
        if (schema != null) {
            if (url.dialect() != Dialect.POSTGRESQL) {
                // A tenant's schema is what a tenant without a database of its own gets of the shared default.
                throw new ConfigurationException(tenant != null ? "tenant " + tenant + " has no database of its own,"
                        + " so its data goes in schema " + schema + " of the shared database default, which is "
                        + url.dialect().id() + " and has no schemas; give the tenant a database of its own (database:"
                        + " {url: \"sqlite:///data/" + tenant + ".db\"} or a postgresql:// url), or make default a"
                        + " PostgreSQL database"
                        : "key 'schema': only PostgreSQL databases have schemas; remove it or give the database a"
                                + " postgresql:// url");
            }
            if (!SCHEMA.matcher(schema).matches() || schema.startsWith("pg_")) {
                throw new ConfigurationException("key 'schema': '" + shown(schema) + "' is not a valid schema name; use "
                        + "lower-case letters, digits or '_', starting with a letter (not pg_)");
            }
            url = url.withParameter("currentSchema", schema);
        }
        String user = Optional.ofNullable(string(props, "user", null)).orElse(url.user());
        String password = string(props, "password", null);
        String passwordFile = string(props, "password_file", null);
        if (password != null && passwordFile != null) {
            throw new ConfigurationException("keys 'password' and 'password_file' are both set; keep only one");
        }
        if (passwordFile != null) {
            password = readPasswordFile(passwordFile, home);
        }
        if (password == null) {
            password = url.password();
        }

        int poolSize = integer(props, "pool_size", 10, 0);
        int maxOverflow = integer(props, "max_overflow", 0, 0);
        Integer minSize = props.containsKey("min_size") && !blank(props.get("min_size"))
                ? integer(props, "min_size", 0, 0) : null;
        Integer maxSize = props.containsKey("max_size") && !blank(props.get("max_size"))
                ? integer(props, "max_size", 1, 1) : null;
        int minIdle = minSize != null ? minSize : poolSize;
        int max = maxSize != null ? maxSize : Math.max(1, poolSize + maxOverflow);
        if (minIdle > max) {
            throw new ConfigurationException("key 'min_size': " + minIdle + " is larger than the maximum of " + max
                    + " connections; lower min_size (or pool_size) or raise max_size");
        }
        long connectionTimeout = millis(props, "connection_timeout", 5, 0.25);
        long commandTimeout = millis(props, "command_timeout", DEFAULT_COMMAND_TIMEOUT_S, 0);
        long idleTimeout = millis(props, "idle_timeout", 600, 10);
        long maxLifetime = millis(props, "max_lifetime", 1800, 30);
        int guaranteed = integer(props, "guaranteed_connections", 1, 0);
        if (guaranteed > max) {
            throw new ConfigurationException("key 'guaranteed_connections': " + guaranteed + " is more than the"
                    + " maximum of " + max + " connections; lower it or raise max_size");
        }
        return new DatabaseSettings(name, tenant, url, user, password, minIdle, max, connectionTimeout,
                commandTimeout, idleTimeout, maxLifetime, schema, guaranteed);
    }

    /** True when a change from {@code this} to {@code next} needs a new pool (not just a resize). */
    public boolean needsNewPool(DatabaseSettings next) {
        return !url.equals(next.url) || !java.util.Objects.equals(user, next.user)
                || !java.util.Objects.equals(password, next.password) || commandTimeoutMs != next.commandTimeoutMs;
    }

    /** A label for logs: name and tenant, never credentials. */
    public String label() {
        return label(name, tenant);
    }

    /** How the log names database {@code name} of {@code tenant} (null: the server's own). */
    public static String label(String name, String tenant) {
        return tenant == null ? name : name + " (tenant " + tenant + ")";
    }

    @Override
    public String toString() {
        return "DatabaseSettings[" + label() + ", " + url.safeDescription() + "]";
    }

    private static String readPasswordFile(String file, Path home) throws ConfigurationException {
        Path path = home.resolve(file);
        try {
            String text = Files.readString(path, StandardCharsets.UTF_8);
            int eol = text.indexOf('\n');
            return (eol < 0 ? text : text.substring(0, eol)).strip();
        } catch (IOException | RuntimeException e) {
            throw new ConfigurationException("key 'password_file': cannot read " + path
                    + " (" + e.getClass().getSimpleName() + "); check the path and its permissions");
        }
    }

    private static boolean blank(Object value) {
        return value == null || value.toString().isBlank();
    }

    private static String string(Map<String, ?> props, String key, String fallback) {
        Object v = props.get(key);
        return blank(v) ? fallback : v.toString().strip();
    }

    /** Most connections one pool setting may ask for. */
    static final int MAX_CONNECTIONS = 1000;

    /** Longest part of a value a message repeats. */
    static final int SHOWN = 60;

    /**
     * A value as a message repeats it: cut after {@value #SHOWN} characters. A 10 MB pool_size in an etc/ file was
     * repeated whole in the log line, /health's reason and the console's pages, at every poll.
     */
    static String shown(Object v) {
        String text = String.valueOf(v);
        String cut = text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "… (" + text.length() + " characters)";
        // a line break in a value (a YAML key written "a\nb") would split the log line in two: escaped, as Java would
        StringBuilder out = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> {
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (Character.isISOControl(c)) {
                out.append(String.format(java.util.Locale.ROOT, "\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static int integer(Map<String, ?> props, String key, int fallback, int min) throws ConfigurationException {
        Object v = props.get(key);
        if (blank(v)) {
            return fallback;
        }
        int value;
        try {
            if (v instanceof Number n && (n instanceof Double || n instanceof Float || n instanceof java.math.BigDecimal)
                    && n.doubleValue() != Math.rint(n.doubleValue())) {
                throw new NumberFormatException(); // 1.5 was taken as 1
            }
            value = v instanceof Number n ? Math.toIntExact(n.longValue()) : Integer.parseInt(v.toString().strip());
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ConfigurationException("key '" + key + "': '" + shown(v) + "' is not a whole number");
        }
        if (value < min) {
            throw new ConfigurationException("key '" + key + "': " + value + " is too small; use " + min + " or more");
        }
        if (value > MAX_CONNECTIONS) {
            // 99999 was applied: a pool that keeps opening connections no database server takes
            throw new ConfigurationException("key '" + key + "': " + value + " connections are more than a database"
                    + " server takes (PostgreSQL's default max_connections is 100); use " + MAX_CONNECTIONS
                    + " or fewer");
        }
        return value;
    }

    private static long millis(Map<String, ?> props, String key, double fallbackSeconds, double minSeconds)
            throws ConfigurationException {
        Object v = props.get(key);
        double seconds;
        if (blank(v)) {
            seconds = fallbackSeconds;
        } else {
            try {
                seconds = v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString().strip());
            } catch (NumberFormatException e) {
                throw new ConfigurationException("key '" + key + "': '" + shown(v) + "' is not a number of seconds");
            }
        }
        if (!(seconds >= minSeconds) || Double.isInfinite(seconds)) {
            throw new ConfigurationException("key '" + key + "': " + shown(v) + " is out of range; use a number of seconds of "
                    + minSeconds + " or more");
        }
        return Math.round(seconds * 1000);
    }
}
