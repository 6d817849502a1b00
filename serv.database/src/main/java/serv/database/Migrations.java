package serv.database;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The migrations of the running extensions, as a service: what is applied, and going down to a version.
 *
 * <p>Extensions bring their migrations as {@code serv/migrations/<database>/V<version>__<words>[.<dialect>].sql}
 * and, for going down, {@code U<version>__<words>[.<dialect>].sql}. The runtime applies them by itself; this
 * service is for operators and tools.
 */
@ProviderType
public interface Migrations {

    /** One row of the migration history. */
    record Applied(String extension, String version, String description, String checksum, long durationMs) {
    }

    /** The applied migrations of a database, by extension then version order. */
    List<Applied> applied(Database database) throws MigrationException;

    /**
     * Runs the down scripts of {@code extension}'s migrations above {@code version}, newest first, each in its own
     * transaction that also removes it from the history. Nothing runs unless every one of them has a down script.
     * Undeploy the extension afterwards, or its migrations are applied again the next time the database starts.
     *
     * @param version the version to go down to; "0" removes them all
     * @return the versions rolled back, newest first
     */
    List<String> rollback(Database database, String extension, String version) throws MigrationException;
}
