package serv.database;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Points an extension's migrations at the database it is configured to use: the SQL migrations of its folder
 * {@code serv/migrations/<}{@value #FOLDER}{@code >/} then apply to the database {@value #DATABASE} instead of the
 * database of the folder's name. Register it (any object of this type) from the extension's bundle, with both
 * service properties; change the properties when the extension's configuration changes. The blog uses it for its
 * {@code database} setting. A folder the bundle names in its manifest header {@value #HEADER} waits for its target
 * (so that nothing is created in a database the configuration does not name).
 */
@ConsumerType
public interface MigrationTarget {

    /** Service property: the folder of the extension's migrations, as under {@code serv/migrations/}. */
    String FOLDER = "serv.migrations.folder";

    /** Service property: the name of the database those migrations apply to. */
    String DATABASE = "serv.migrations.database";

    /** Manifest header: the folders (comma-separated) whose database comes only from a target. */
    String HEADER = "Serv-Migration-Targets";
}
