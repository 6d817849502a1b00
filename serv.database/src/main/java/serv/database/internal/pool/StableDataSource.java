package serv.database.internal.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import com.zaxxer.hikari.HikariDataSource;

import serv.database.AbstractDataSource;

/**
 * The data source published as a service: stable across pool swaps, it hands out connections from whichever pool
 * serves at that moment, and refuses (a transient connection failure, answered 503) while none does.
 */
final class StableDataSource extends AbstractDataSource {

    private final ManagedDatabase database;

    StableDataSource(ManagedDatabase database) {
        this.database = database;
    }

    @Override
    public Connection getConnection() throws SQLException {
        HikariDataSource p = database.servingPool();
        if (p == null) {
            throw new SQLTransientConnectionException(database.unavailableMessage(), "08001");
        }
        try {
            return p.getConnection();
        } catch (SQLTransientConnectionException e) {
            database.connectionFailed(e);
            throw e;
        } catch (SQLException e) {
            HikariDataSource successor = database.servingPool();
            if (p.isClosed() && successor != null && successor != p) {
                return successor.getConnection(); // lost the race with a pool swap: use the new pool
            }
            throw e;
        }
    }

    @Override
    public int getLoginTimeout() {
        return database.loginTimeoutSeconds();
    }
}
