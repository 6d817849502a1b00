package serv.jpa.internal;

import java.sql.Connection;
import java.sql.SQLException;

import serv.database.AbstractDataSource;
import serv.database.ForwardingConnection;

/**
 * The data source of a unit's EntityManagerFactory: on a thread that is serving a request with an open
 * EntityManager, every {@code getConnection()} answers that request's own connection, so JPA and JDBC work in one
 * transaction and see each other's writes. That connection ignores {@code close}, {@code commit}, {@code rollback}
 * and {@code setAutoCommit}: the request owns it and ends its transaction (Serv commits the EntityManager's work,
 * then the connection, once the handler succeeded). On any other thread it refuses: the factory is shared by every
 * database (and tenant) of the unit, and its first one's pool is not the right one for anybody else.
 *
 * <p>Why a thread binding rather than a data source given to each EntityManager: EclipseLink clones its login and
 * platform for an EntityManager created with its own data source, which cost a tenth of a JPA request. An
 * EntityManager of Serv lives on its request's thread (like the request's JDBC connection).
 */
final class RequestDataSource extends AbstractDataSource {

    /** Where the request's connection comes from (borrowed lazily by the request). */
    public interface Source {
        Connection connection() throws SQLException;
    }

    private final ThreadLocal<Source> requests;

    RequestDataSource(ThreadLocal<Source> requests) {
        this.requests = requests;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Source request = requests.get();
        if (request == null) {
            // Outside a request there is no connection to give: the unit's factory was built on the database of
            // whichever request (and tenant) came first, so its pool is nobody's to use now.
            throw new SQLException("JPA works on a request's connection: use EntityManagers.of(request, unit) in a"
                    + " route", "08003");
        }
        return new Guarded(request.connection());
    }

    /** EclipseLink asks with the login's credentials when it has some: the pool's own apply all the same. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    /** Passes everything to the request's connection but the calls that belong to the request. */
    private static final class Guarded extends ForwardingConnection {

        Guarded(Connection request) {
            super(request);
        }

        @Override
        public void close() {
            // the request returns its connection
        }

        @Override
        public void commit() {
            // the request commits, once the handler succeeded
        }

        @Override
        public void rollback() {
            // the request rolls back, when the handler failed
        }

        @Override
        public void setAutoCommit(boolean autoCommit) {
            // the request decides whether it runs in a transaction
        }
    }
}
