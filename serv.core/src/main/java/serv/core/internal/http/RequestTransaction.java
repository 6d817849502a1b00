package serv.core.internal.http;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import serv.core.RequestResource;
import serv.database.Database;

/**
 * A request's use of its route's database: one connection, borrowed on first use, in a transaction for writing
 * methods; the resources that take part in it (JPA's EntityManagers); and its end, which always gives the
 * connection back to the pool.
 */
final class RequestTransaction {

    private final Database database;
    private final boolean transactional;
    private Connection connection;
    /**
     * Why the request could not borrow its connection, once it could not: every later use fails the same way at
     * once. A borrowing waits up to the pool's connection timeout, and JPA asks again to roll back the transaction
     * the failure ended (EclipseLink reconnects for its rollback): a write answered 503 after twice that wait.
     */
    private SQLException borrowFailure;
    /** The request's resources in the order they were opened; null until the first. */
    private Map<Class<?>, RequestResource> resources;

    RequestTransaction(Database database, boolean transactional) {
        this.database = database;
        this.transactional = transactional;
    }

    Database database() {
        return database;
    }

    boolean transactional() {
        return transactional;
    }

    Connection connection() throws SQLException {
        if (connection == null) {
            if (database == null) {
                throw new SQLException("this route declares no database (set database in its @Route)");
            }
            if (borrowFailure != null) {
                throw borrowFailure;
            }
            Connection c;
            try {
                c = database.connection();
            } catch (SQLException e) {
                borrowFailure = e;
                throw e;
            }
            if (transactional) {
                try {
                    c.setAutoCommit(false);
                } catch (SQLException e) {
                    c.close();
                    throw e;
                }
            }
            connection = c;
        }
        return connection;
    }

    <T extends RequestResource> T resource(Class<T> type, Supplier<T> open) {
        RequestResource r = resources == null ? null : resources.get(type);
        if (r == null) {
            r = open.get();
            if (resources == null) {
                resources = new LinkedHashMap<>(2);
            }
            resources.put(type, r);
        }
        return type.cast(r);
    }

    /**
     * Ends the transaction: the resources first (newest first), then the connection, which commits only when
     * {@code commit} and every resource ended well, and otherwise rolls back; the connection always goes back to
     * the pool. Ending twice is ending once.
     *
     * @throws Exception when a resource or the commit failed (everything is rolled back; the answer must be an error)
     */
    void end(boolean commit) throws Exception {
        Exception failure;
        try {
            failure = endResources(commit);
        } catch (Error e) {
            closeConnection(false);
            throw e;
        }
        if (failure != null) {
            try {
                closeConnection(false);
            } catch (SQLException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
        closeConnection(commit);
    }

    private Exception endResources(boolean commit) {
        Map<Class<?>, RequestResource> open = resources;
        if (open == null) {
            return null;
        }
        resources = null;
        List<RequestResource> newestFirst = new ArrayList<>(open.values());
        java.util.Collections.reverse(newestFirst);
        Exception failure = null;
        for (RequestResource r : newestFirst) {
            try {
                r.end(commit && failure == null);
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        return failure;
    }

    /**
     * Rolls back. When that fails the connection is broken (the database went away under the request): nothing was
     * committed, the pool retires the connection, and what made the request fail, not this, is its answer.
     */
    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException broken) {
            org.slf4j.LoggerFactory.getLogger(RequestTransaction.class)
                    .debug("Rollback on a broken connection: {}", broken.getMessage());
        }
    }

    private void closeConnection(boolean commit) throws SQLException {
        Connection c = connection;
        if (c == null) {
            return;
        }
        connection = null;
        try {
            if (transactional) {
                if (commit) {
                    c.commit();
                } else {
                    rollback(c);
                }
            }
        } finally {
            try {
                if (transactional) {
                    c.setAutoCommit(true);
                }
            } catch (SQLException ignored) {
                // the pool resets and validates the connection itself
            } finally {
                c.close();
            }
        }
    }
}
