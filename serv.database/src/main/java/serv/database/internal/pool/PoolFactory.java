package serv.database.internal.pool;

import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.osgi.service.jdbc.DataSourceFactory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;

import serv.database.Dialect;
import serv.database.internal.DatabaseSettings;
import serv.database.internal.SqliteDataSourceFactory;
import serv.database.internal.StalePlan;

/**
 * Makes a database's Hikari pool from its settings and the dialect's OSGi {@code DataSourceFactory} (never through
 * {@code DriverManager}), drawing its physical connections on the {@link ConnectionBudget} of its server, and
 * applies new sizes and timeouts to a live pool.
 */
final class PoolFactory {

    private PoolFactory() {
    }

    /**
     * A new pool. It never fails because the database is unreachable ({@code initializationFailTimeout=-1}): the
     * probe finds that out.
     *
     * @param brokenConnection called when a connection breaks under a query (SQLState 08): the server may be gone
     * @param tablesChanged called with the pool when a statement it prepared before failed because a table it uses
     *        changed since ({@link StalePlan}): the pool's other connections hold such statements too
     */
    static HikariDataSource create(DatabaseSettings s, DataSourceFactory driver, PoolCounters counters,
            Runnable brokenConnection, Consumer<HikariDataSource> tablesChanged) throws SQLException {
        String server = ConnectionBudget.server(s.url().jdbcUrl());
        Properties props = new Properties();
        props.setProperty(DataSourceFactory.JDBC_URL, s.url().jdbcUrl());
        if (s.user() != null) {
            props.setProperty(DataSourceFactory.JDBC_USER, s.user());
        }
        if (s.password() != null) {
            props.setProperty(DataSourceFactory.JDBC_PASSWORD, s.password());
        }
        if (s.url().dialect() == Dialect.SQLITE) {
            props.setProperty(SqliteDataSourceFactory.BUSY_TIMEOUT, Long.toString(s.connectionTimeoutMs()));
        }
        HikariConfig config = new HikariConfig();
        DataSource budgeted = ConnectionBudget.wrap(driver.createDataSource(props), server, s.connectionTimeoutMs(),
                s.guaranteed());
        config.setDataSource(budgeted);
        config.setPoolName("serv-" + (s.tenant() == null ? "" : s.tenant() + "-") + s.name());
        config.setMetricsTrackerFactory(counters);
        // A connection that breaks under a query (SQLState 08...) may mean the server is gone: check now rather
        // than at the next periodic probe. A statement prepared before its table changed (a migration another
        // server of the cluster applied, or one applied while this connection was held) fails once on each
        // connection that prepared it: the whole pool is replaced at the first. Hikari still evicts the connection
        // as it would (it does for both).
        AtomicReference<HikariDataSource> created = new AtomicReference<>();
        config.setExceptionOverride(new SQLExceptionOverride() {
            @java.lang.Override
            public SQLExceptionOverride.Override adjudicate(SQLException e) {
                if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                    brokenConnection.run();
                } else if (StalePlan.is(e) && created.get() != null) {
                    tablesChanged.accept(created.get());
                }
                return SQLExceptionOverride.Override.CONTINUE_EVICT;
            }
        });
        config.setMinimumIdle(s.minIdle());
        config.setMaximumPoolSize(s.maxPoolSize());
        config.setConnectionTimeout(s.connectionTimeoutMs());
        config.setValidationTimeout(Math.min(s.connectionTimeoutMs(), 5000));
        config.setIdleTimeout(s.idleTimeoutMs());
        config.setMaxLifetime(s.maxLifetimeMs());
        // Never fail at start: an unreachable database is RETRYING, not a failed component.
        config.setInitializationFailTimeout(-1);
        if (s.url().dialect() == Dialect.POSTGRESQL && s.commandTimeoutMs() > 0) {
            config.setConnectionInitSql("SET statement_timeout = " + s.commandTimeoutMs());
        }
        HikariDataSource pool = new HikariDataSource(config);
        created.set(pool);
        ConnectionBudget.track(server, pool, budgeted);
        return pool;
    }

    /** Applies sizes and timeouts to a live pool (what does not need a new pool: see DatabaseSettings). */
    static void resize(HikariDataSource pool, DatabaseSettings s) {
        HikariConfigMXBean bean = pool.getHikariConfigMXBean();
        // Raise the maximum before the minimum and lower the minimum before the maximum: Hikari refuses min > max.
        if (s.maxPoolSize() >= bean.getMaximumPoolSize()) {
            bean.setMaximumPoolSize(s.maxPoolSize());
            bean.setMinimumIdle(s.minIdle());
        } else {
            bean.setMinimumIdle(s.minIdle());
            bean.setMaximumPoolSize(s.maxPoolSize());
        }
        bean.setConnectionTimeout(s.connectionTimeoutMs());
        bean.setValidationTimeout(Math.min(s.connectionTimeoutMs(), 5000));
        bean.setIdleTimeout(s.idleTimeoutMs());
        bean.setMaxLifetime(s.maxLifetimeMs());
        ConnectionBudget.guarantee(pool.getDataSource(), s.guaranteed());
    }
}
