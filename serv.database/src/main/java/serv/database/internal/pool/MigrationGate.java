package serv.database.internal.pool;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import serv.database.MigrationException;
import serv.database.internal.DatabaseSettings;
import serv.database.internal.migration.MigrationCatalog;
import serv.database.internal.migration.MigrationRunner;

/**
 * Holds routes back until their tables exist: a database is published as UP only once the migrations of every
 * started extension are applied, and an extension deployed into a running server waits for its own (its routes
 * answer 503) while the others go on being served.
 */
final class MigrationGate {

    private final MigrationCatalog catalog;
    /** Extensions (bundle ids) whose migrations for this database are not applied yet: their routes wait. */
    private final Set<Long> awaiting = ConcurrentHashMap.newKeySet();
    private volatile boolean migrated;

    MigrationGate(MigrationCatalog catalog) {
        this.catalog = catalog;
    }

    /** Whether the routes of an extension may use the database (its own migrations are applied). */
    boolean readyFor(long bundleId) {
        return !awaiting.contains(bundleId);
    }

    /** Whether the current pool has had every migration applied. */
    boolean migrated() {
        return migrated;
    }

    /** A new pool, a new extension or a new try: the migrations run again before the database is up. */
    void reset() {
        migrated = false;
    }

    /** The extension brings migrations for this database: its routes wait until they are applied. */
    void expect(long bundleId) {
        awaiting.add(bundleId);
    }

    /** The extension stopped: it has no routes left to wait. */
    void forget(long bundleId) {
        awaiting.remove(bundleId);
    }

    /** The extensions waiting now; those of them a run started after are ready when it succeeds. */
    Set<Long> waiting() {
        return Set.copyOf(awaiting);
    }

    /**
     * Applies the pending migrations of every started extension to {@code pool}.
     *
     * @throws MigrationException naming the migration that failed or whose checksum changed
     */
    void apply(DatabaseSettings settings, DataSource pool) throws MigrationException {
        try {
            MigrationRunner.migrate(catalog.migrationsFor(settings.name(), settings.url().dialect()),
                    settings.url().dialect(), pool);
        } catch (IOException e) {
            throw new MigrationException("migrations could not be read: " + e.getMessage());
        }
    }

    /** A run that started with {@code extensions} waiting succeeded on the current pool. */
    void applied(Set<Long> extensions) {
        migrated = true;
        awaiting.removeAll(extensions);
    }
}
