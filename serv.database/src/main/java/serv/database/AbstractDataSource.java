package serv.database;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

/**
 * A {@link javax.sql.DataSource} whose only real work is {@link #getConnection()}: the base of data sources that
 * hand out connections from somewhere else (the current pool of a database, a request's own connection, a budget of
 * connections). Credentials come from configuration, never from the caller; logging goes through SLF4J, never the
 * JDBC log writer.
 *
 * @since 1.3
 */
public abstract class AbstractDataSource implements javax.sql.DataSource {

    @Override
    public abstract Connection getConnection() throws SQLException;

    /** Refused: the credentials of a Serv data source come from its configuration. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("a Serv data source uses the credentials of its configuration");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // Serv logs through SLF4J
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        // the configured connection timeout applies
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("Serv logs through SLF4J, not java.util.logging");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper of " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
