package serv.database;

import java.sql.Connection;
import java.sql.SQLException;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A migration written in Java, for what SQL alone does badly (moving data with logic, dialect-specific work):
 * register it as a service with the property {@value #DATABASE}. It runs beside the extension's SQL migrations, in
 * the same version order, in its own transaction, recorded in the same history under the symbolic name of the
 * bundle that registered it; a version that is both a SQL file and a Java migration of one extension is refused.
 *
 * <p>The history keeps {@link #checksum()}: change it when you change what {@link #migrate} does, and an applied
 * migration whose checksum changed puts the database in FAILED, exactly like an edited SQL script.
 */
@ConsumerType
public interface JavaMigration {

    /** Service property: the name of the database ({@code serv.database.name}) the migration is for. */
    String DATABASE = "serv.database.name";

    /** The version, in the numbering of the extension's SQL migrations ({@code 3}, {@code 003}, {@code 2.1}). */
    String version();

    /** What it does, in a few words. */
    String description();

    /** Identifies this migration's content; change it whenever {@link #migrate} changes. */
    String checksum();

    /** Does the work on {@code connection}, inside the migration's transaction (do not commit or close). */
    void migrate(Connection connection, Dialect dialect) throws SQLException;

    /** Whether {@link #undo} can go back below this migration. */
    default boolean undoable() {
        return false;
    }

    /** Undoes {@link #migrate}, inside a transaction (do not commit or close); only when {@link #undoable()}. */
    default void undo(Connection connection, Dialect dialect) throws SQLException {
        throw new SQLException("migration " + version() + " cannot be undone");
    }
}
