package serv.core.internal.jpa;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * The data source a request's EntityManager gets: every {@code getConnection()} answers the request's own
 * connection, so JPA and JDBC work in one transaction and see each other's writes. The connection handed out
 * ignores {@code close}, {@code commit}, {@code rollback} and {@code setAutoCommit}: the request owns it and ends
 * its transaction (Serv commits the EntityManager's work, then the connection, once the handler succeeded).
 */
final class RequestDataSource implements DataSource {

    /** Where the request's connection comes from (borrowed lazily by the request). */
    public interface Source {
        Connection connection() throws SQLException;
    }

    private final Source source;
    private Connection shared;

    RequestDataSource(Source source) {
        this.source = source;
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (shared == null) {
            Connection real = source.connection();
            shared = (Connection) Proxy.newProxyInstance(RequestDataSource.class.getClassLoader(),
                    new Class<?>[] { Connection.class }, new Guard(real));
        }
        return shared;
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // nothing is logged through the JDBC log writer
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // the pool's connection timeout applies
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("no java.util.logging here");
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

    /** Passes everything to the request's connection but the calls that belong to the request. */
    private record Guard(Connection real) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "close", "commit", "rollback", "setAutoCommit":
                    if (method.getName().equals("rollback") && args != null && args.length == 1) {
                        break; // rollback to a savepoint is the caller's own business
                    }
                    return null;
                case "isClosed":
                    return real.isClosed();
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                default:
                    break;
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
