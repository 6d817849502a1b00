package serv.cluster.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Where the cluster's store is: a {@code postgresql://user:password@host:port/database?params} (or
 * {@code jdbc:postgresql:...}) URL as the JDBC driver takes it, with short timeouts, so that a store out of reach
 * is noticed within seconds. The password never appears in {@link #toString()}.
 */
final class StoreAddress {

    private final String jdbcUrl;
    private final Properties properties = new Properties();
    private final String shown;

    StoreAddress(String url, String password) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("cluster.url: missing; give postgresql://user@host:5432/database");
        }
        String u = url.strip();
        String user = null;
        String pass = password == null || password.isBlank() ? null : password;
        if (u.startsWith("jdbc:postgresql:")) {
            jdbcUrl = u;
            shown = u.replaceAll("password=[^&]*", "password=***");
        } else if (u.startsWith("postgresql://") || u.startsWith("postgres://")) {
            try {
                URI uri = new URI(u);
                String info = uri.getRawUserInfo();
                if (info != null) {
                    int colon = info.indexOf(':');
                    user = URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8);
                    if (colon >= 0 && pass == null) {
                        pass = URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8);
                    }
                }
                String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
                int port = uri.getPort() < 0 ? 5432 : uri.getPort();
                String path = uri.getRawPath() == null ? "" : uri.getRawPath();
                String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
                jdbcUrl = "jdbc:postgresql://" + host + ":" + port + path + query;
                shown = "postgresql://" + (user == null ? "" : user + "@") + host + ":" + port + path;
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("cluster.url: not a URL (" + e.getReason()
                        + "); give postgresql://user@host:5432/database");
            }
        } else {
            throw new IllegalArgumentException("cluster.url: give postgresql://user@host:5432/database (PostgreSQL is"
                    + " the only store)");
        }
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (pass != null) {
            properties.setProperty("password", pass);
        }
        properties.setProperty("connectTimeout", "3");
        properties.setProperty("socketTimeout", "10");
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", "serv-cluster");
    }

    /** A new connection to the store, in auto-commit mode. */
    Connection connect() throws SQLException {
        Connection c = new org.postgresql.Driver().connect(jdbcUrl, properties);
        if (c == null) {
            throw new SQLException("the PostgreSQL driver does not take " + shown);
        }
        return c;
    }

    @Override
    public String toString() {
        return shown;
    }
}
