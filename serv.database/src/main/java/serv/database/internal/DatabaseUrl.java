package serv.database.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import serv.database.Dialect;
import serv.database.internal.DatabaseSettings.ConfigurationException;

/**
 * A database URL in the seed's form ({@code postgresql://user:pass@host:5432/db?sslmode=require},
 * {@code sqlite:///relative.db}, {@code sqlite:////absolute.db}) or a plain {@code jdbc:} URL, split into the JDBC
 * URL the driver gets and the credentials, which travel separately and are never shown.
 *
 * @param dialect the dialect
 * @param jdbcUrl the JDBC URL without credentials
 * @param user the user from the URL, or null
 * @param password the password from the URL, or null
 */
public record DatabaseUrl(Dialect dialect, String jdbcUrl, String user, String password) {

    static DatabaseUrl parse(String url, Path home) throws ConfigurationException {
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new ConfigurationException(String.format("key 'url' holds a control character (U+%04X); remove"
                        + " it", (int) c));
            }
        }
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            // The driver reads the rest when the pool starts, and then a port out of range closed the working pool:
            // checked here, where a wrong value is refused and the last good one serves on.
            Matcher port = JDBC_PORT.matcher(url);
            if (port.find()) {
                checkPort(port.group(1));
            }
            return new DatabaseUrl(Dialect.POSTGRESQL, url, null, null);
        }
        if (lower.startsWith("jdbc:sqlite:")) {
            String path = url.substring("jdbc:sqlite:".length());
            return sqlite(path, home);
        }
        if (lower.startsWith("postgresql://") || lower.startsWith("postgres://")) {
            return postgres(url);
        }
        if (lower.startsWith("sqlite://")) {
            String rest = url.substring("sqlite://".length());
            if (!rest.startsWith("/") || rest.length() == 1) {
                throw new ConfigurationException("key 'url': a SQLite URL needs a file path, as in "
                        + "sqlite:///data/app.db (relative to the server home) or sqlite:////var/lib/app.db (absolute)");
            }
            // sqlite:///rel -> "/rel" -> relative "rel"; sqlite:////abs -> "//abs" -> absolute "/abs"
            return sqlite(rest.substring(1), home);
        }
        int colon = url.indexOf(':');
        String scheme = colon > 0 ? url.substring(0, colon) : "";
        throw new ConfigurationException("key 'url': unknown scheme '" + scheme.replaceAll("[^A-Za-z0-9+.-]", "")
                + "'; use postgresql://, sqlite:/// or a jdbc:postgresql: / jdbc:sqlite: URL");
    }

    private static DatabaseUrl sqlite(String path, Path home) throws ConfigurationException {
        if (path.isBlank() || path.startsWith(":memory:") || path.startsWith("file::memory:")) {
            throw new ConfigurationException("key 'url': an in-memory SQLite database cannot be pooled; give a file path,"
                    + " as in sqlite:///data/app.db");
        }
        Path file = home.resolve(path).normalize();
        return new DatabaseUrl(Dialect.SQLITE, "jdbc:sqlite:" + file, null, null);
    }

    private static DatabaseUrl postgres(String url) throws ConfigurationException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ConfigurationException("key 'url': not a valid URL (" + e.getReason()
                    + "); expected postgresql://user@host:5432/database");
        }
        String authority = uri.getRawAuthority();
        if (authority != null && authority.matches(".*:\\d+$")) { // a port too large for an int leaves getPort() -1
            checkPort(authority.substring(authority.lastIndexOf(':') + 1));
        }
        String host = uri.getHost();
        if (host == null) {
            if (uri.getRawAuthority() != null && !uri.getRawAuthority().endsWith("@")) {
                throw new ConfigurationException("key 'url': the host part is not valid; expected postgresql://user@host:5432/database");
            }
            host = "localhost";
        }
        if (host.length() > 253) { // never resolves: refused here, or each retry said (and logged) it all again
            throw new ConfigurationException("key 'url': the host name has " + host.length() + " characters, more than"
                    + " the 253 a host name may have; expected postgresql://user@host:5432/database");
        }
        String db = uri.getRawPath() == null ? "" : uri.getRawPath().replaceFirst("^/", "");
        if (db.isEmpty() || db.contains("/")) {
            throw new ConfigurationException("key 'url': name one database after the host, as in postgresql://host:5432/mydb");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int c = info.indexOf(':');
            user = decode(c < 0 ? info : info.substring(0, c));
            password = c < 0 ? null : decode(info.substring(c + 1));
        }
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://");
        jdbc.append(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host);
        if (uri.getPort() > 0) {
            jdbc.append(':').append(uri.getPort());
        }
        jdbc.append('/').append(db);
        if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
            for (String param : uri.getRawQuery().split("&")) {
                String key = param.split("=", 2)[0].toLowerCase(Locale.ROOT);
                if (key.equals("user") || key.equals("password")) {
                    throw new ConfigurationException("key 'url': put the " + key
                            + " in the user info (postgresql://user:pass@host/db) or in the '" + key + "' key, not in the query");
                }
            }
            jdbc.append('?').append(uri.getRawQuery());
        }
        return new DatabaseUrl(Dialect.POSTGRESQL, jdbc.toString(), user, password);
    }

    /** host:port after jdbc:postgresql:// (the first host of a list). */
    private static final Pattern JDBC_PORT = Pattern.compile("^jdbc:postgresql://(?:\\[[^\\]]*\\]|[^/:?,\\[]*):(\\d+)",
            Pattern.CASE_INSENSITIVE);

    private static void checkPort(String digits) throws ConfigurationException {
        long port;
        try {
            port = Long.parseLong(digits);
        } catch (NumberFormatException tooLong) {
            port = Long.MAX_VALUE;
        }
        if (port < 1 || port > 65535) {
            throw new ConfigurationException("key 'url': port " + digits + " is not a port (1-65535); PostgreSQL's is"
                    + " 5432");
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The same URL with a query parameter set (replacing one of the same name). */
    DatabaseUrl withParameter(String key, String value) {
        String base = jdbcUrl;
        String query = "";
        int q = base.indexOf('?');
        if (q >= 0) {
            query = base.substring(q + 1);
            base = base.substring(0, q);
        }
        StringBuilder out = new StringBuilder();
        for (String p : query.split("&")) {
            if (!p.isEmpty() && !p.split("=", 2)[0].equalsIgnoreCase(key)) {
                out.append(out.length() == 0 ? "" : "&").append(p);
            }
        }
        out.append(out.length() == 0 ? "" : "&").append(key).append('=').append(value);
        return new DatabaseUrl(dialect, base + "?" + out, user, password);
    }

    /** Where the database is, for logs and health: host and database or file, never credentials or query. */
    public String safeDescription() {
        String s = jdbcUrl;
        int q = s.indexOf('?');
        return q < 0 ? s : s.substring(0, q);
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + dialect.id() + " " + safeDescription() + "]";
    }
}
