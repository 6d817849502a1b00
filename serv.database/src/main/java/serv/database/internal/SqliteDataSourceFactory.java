package serv.database.internal;

import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;

import javax.sql.ConnectionPoolDataSource;
import javax.sql.DataSource;
import javax.sql.XADataSource;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.jdbc.DataSourceFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The OSGi JDBC service for SQLite, which xerial sqlite-jdbc does not register itself.
 *
 * <p>Every connection runs with WAL journaling (readers never wait for the writer), foreign keys enforced, a busy
 * timeout, and transactions that start with {@code BEGIN IMMEDIATE}: a writing transaction takes SQLite's write
 * lock when it begins, so writes are serialized by SQLite itself and two transactions never deadlock upgrading
 * their locks.
 */
@Component(property = {
        DataSourceFactory.OSGI_JDBC_DRIVER_CLASS + "=org.sqlite.JDBC",
        DataSourceFactory.OSGI_JDBC_DRIVER_NAME + "=sqlite" })
public final class SqliteDataSourceFactory implements DataSourceFactory {

    /** Milliseconds a connection waits for SQLite's write lock before failing with SQLITE_BUSY. */
    public static final String BUSY_TIMEOUT = "serv.sqlite.busyTimeout";

    @Override
    public DataSource createDataSource(Properties props) throws SQLException {
        String url = props.getProperty(JDBC_URL);
        if (url == null) {
            throw new SQLException("SQLite needs the '" + JDBC_URL + "' property");
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.enforceForeignKeys(true);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        config.setBusyTimeout(Integer.parseInt(props.getProperty(BUSY_TIMEOUT, "5000")));
        SQLiteDataSource ds = new SQLiteDataSource(config);
        ds.setUrl(url);
        return ds;
    }

    @Override
    public ConnectionPoolDataSource createConnectionPoolDataSource(Properties props) throws SQLException {
        throw new SQLFeatureNotSupportedException("Serv pools SQLite connections with HikariCP; use createDataSource");
    }

    @Override
    public XADataSource createXADataSource(Properties props) throws SQLException {
        throw new SQLFeatureNotSupportedException("SQLite has no XA support");
    }

    @Override
    public Driver createDriver(Properties props) throws SQLException {
        return new org.sqlite.JDBC();
    }
}
