package serv.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A named database of the running server: its pool, its state and its figures.
 *
 * <p>A {@code Database} service exists for every active database configuration, whatever the state of the pool,
 * so that the runtime can tell "this database exists but is down" (503) from "no such database" (404).
 */
@ProviderType
public interface Database {

    /** Service property: the database's logical name, for example {@code default} or {@code analytics}. */
    String NAME = "serv.database.name";

    /** Service property: the tenant id the database belongs to; absent for the server's own databases. */
    String TENANT = "serv.tenant";

    /** Service property: the dialect, one of {@link Dialect}'s lower-case names. */
    String DIALECT = "serv.database.dialect";

    /** Service property: the name Aries JPA looks a data source up by ({@code osgi:service/...}). */
    String JNDI_NAME = "osgi.jndi.service.name";

    /** The logical name of this database. */
    String name();

    /** The tenant this database belongs to, if any. */
    Optional<String> tenant();

    /** The SQL dialect of this database; empty when its configuration could not be read. */
    Optional<Dialect> dialect();

    /** The current state. */
    DatabaseState state();

    /**
     * Whether the routes of an extension may use this database now: it is {@link DatabaseState#UP} and the
     * migrations that extension brings for it have been applied. An extension deployed into a running server waits
     * for its own migrations (its routes answer 503) while the database goes on serving the others.
     *
     * @param bundleId the id of the extension's bundle
     * @since 1.2
     */
    default boolean readyFor(long bundleId) {
        return state() == DatabaseState.UP;
    }

    /** Why the database is not up, or empty when it is. Never contains credentials. */
    Optional<String> reason();

    /**
     * Why the routes of an extension cannot use this database now (the database is not up, or the extension's
     * migrations are being applied or failed), in words for a client: no SQL, no credentials; empty when they can.
     *
     * @param bundleId the id of the extension's bundle
     * @since 1.4
     */
    default Optional<String> reasonFor(long bundleId) {
        return readyFor(bundleId) ? Optional.empty() : Optional.of("database " + name() + " is " + state());
    }

    /**
     * The extensions whose migrations failed on this database (a script that failed, or one changed after it was
     * applied), by bundle symbolic name, with the migration named and why. Their routes answer 503; the other
     * extensions' routes are served.
     *
     * @since 1.4
     */
    default Map<String, String> failedExtensions() {
        return Map.of();
    }

    /**
     * Those of {@link #failedExtensions()} whose migrations are held back by a rollback made while that version of
     * the extension is deployed (see {@link Migrations#rollback}), with why and how to end it.
     *
     * @since 1.6
     */
    default Map<String, String> heldBackExtensions() {
        return Map.of();
    }

    /**
     * A configuration change that was refused (a wrong value), with the key and the fix: the previous configuration
     * goes on serving. Empty once a valid configuration is applied.
     *
     * @since 1.4
     */
    default Optional<String> rejectedChange() {
        return Optional.empty();
    }

    /**
     * A change that does not serve yet: a new URL or new credentials whose pool is being connected and migrated
     * (or cannot connect), while the previous pool goes on serving. Empty when there is none.
     *
     * @since 1.4
     */
    default Optional<String> pendingChange() {
        return Optional.empty();
    }

    /** Pool figures at this moment. */
    PoolStats stats();

    /**
     * What a connection test found.
     *
     * @param ok the database answered
     * @param millis how long connecting and checking took
     * @param message what was found: the server's answer, or why it did not answer (never a credential)
     */
    record ConnectionTest(boolean ok, long millis, String message) {
    }

    /**
     * Opens a connection of its own (beside the pool, within the server's connection budget) and checks that the
     * database answers: the operator's "test connection". Whatever the pool's state, nothing of it changes.
     */
    default ConnectionTest testConnection() {
        long start = System.nanoTime();
        try (Connection c = connection()) {
            boolean ok = c.isValid(5);
            return new ConnectionTest(ok, (System.nanoTime() - start) / 1_000_000, ok ? "answered" : "no answer");
        } catch (SQLException e) {
            return new ConnectionTest(false, (System.nanoTime() - start) / 1_000_000, e.getMessage());
        }
    }

    /**
     * The pooled data source. Connections borrowed from it must be closed; they return to the pool.
     * When the database is not {@link DatabaseState#UP}, {@code getConnection()} fails with a
     * {@link java.sql.SQLTransientConnectionException}.
     */
    DataSource dataSource();

    /** Borrows a connection; shorthand for {@code dataSource().getConnection()}. */
    default Connection connection() throws SQLException {
        return dataSource().getConnection();
    }
}
