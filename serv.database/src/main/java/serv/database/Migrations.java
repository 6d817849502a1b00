package serv.database;

import java.time.Instant;
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

    /** Whether an applied migration's script is still the one deployed. */
    enum Script {
        /** The deployed script has the checksum that was applied. */
        MATCHES,
        /** The deployed script differs from what was applied: the database refuses to start it until restored. */
        CHANGED,
        /** No running extension brings it now (the extension is stopped or gone, or the script was removed). */
        NOT_DEPLOYED
    }

    /**
     * One row of the migration history.
     *
     * @param appliedAt when it was applied (the clock of the Serv node that applied it)
     * @param script whether the deployed script is still the one applied
     */
    record Applied(String extension, String version, String description, String checksum, Instant appliedAt,
            long durationMs, Script script) {
    }

    /** The applied migrations of a database, by extension then version order. */
    List<Applied> applied(Database database) throws MigrationException;

    /**
     * Runs the down scripts of {@code extension}'s migrations above {@code version}, newest first, each in its own
     * transaction that also removes it from the history. Nothing runs unless every one of them has a down script.
     * While the same version of the extension stays deployed, its migrations above {@code version} are not applied
     * again (by a restart, a reconnection or another server): its routes answer 503 saying so. Deploying another
     * version of it, or {@link #applyAgain}, ends that.
     *
     * @param version the version to go down to; "0" removes them all
     * @return the versions rolled back, newest first
     */
    List<String> rollback(Database database, String extension, String version) throws MigrationException;

    /**
     * Lets the migrations of {@code extension} that a {@link #rollback} held back be applied again on
     * {@code database}: the database applies them now.
     *
     * @return whether a rollback held them back
     */
    boolean applyAgain(Database database, String extension) throws MigrationException;
}
