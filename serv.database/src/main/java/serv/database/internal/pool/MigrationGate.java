package serv.database.internal.pool;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import serv.database.MigrationException;
import serv.database.internal.DatabaseSettings;
import serv.database.internal.migration.MigrationCatalog;
import serv.database.internal.migration.MigrationRunner;

/**
 * Holds routes back until their tables exist: a database is published as UP only once the migrations of every
 * started extension have been applied, an extension deployed into a running server waits for its own (its routes
 * answer 503) while the others go on being served, and an extension whose migration failed keeps waiting (named,
 * with the migration) without stopping the others.
 */
final class MigrationGate {

    private final MigrationCatalog catalog;
    /**
     * Extensions (bundle ids) whose migrations for this database are not applied yet (their routes wait), with the
     * request that asked for them: a run clears only the requests made before it started.
     */
    private final Map<Long, Long> awaiting = new ConcurrentHashMap<>();
    /** Counts the requests for a run (a new pool, an extension, a retry). */
    private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();
    /** Extensions (symbolic names) whose migrations failed in the last run, with why. */
    private volatile Map<String, MigrationRunner.Failure> failed = Map.of();
    private volatile boolean migrated;

    MigrationGate(MigrationCatalog catalog) {
        this.catalog = catalog;
    }

    /** Whether the migrations of an extension have been applied (it neither waits nor failed). */
    boolean readyFor(long bundleId, String symbolicName) {
        return !awaiting.containsKey(bundleId) && (failed.isEmpty() || !failed.containsKey(symbolicName));
    }

    boolean waitingFor(long bundleId) {
        return awaiting.containsKey(bundleId);
    }

    /** The extensions whose migrations failed, with the migration and why. */
    Map<String, MigrationRunner.Failure> failed() {
        return failed;
    }

    /** Whether the current pool has had the migrations run. */
    boolean migrated() {
        return migrated;
    }

    /** A new pool, a new extension or a new try: the migrations run again before the database is up. */
    void reset() {
        requests.incrementAndGet();
        migrated = false;
    }

    /** The extension brings migrations for this database: its routes wait until they are applied. */
    void expect(long bundleId) {
        awaiting.put(bundleId, requests.incrementAndGet());
        migrated = false;
    }

    /** The extension stopped: it has no routes left to wait, and its failure no longer matters. */
    void forget(long bundleId, String symbolicName) {
        awaiting.remove(bundleId);
        if (failed.containsKey(symbolicName)) {
            Map<String, MigrationRunner.Failure> next = new java.util.TreeMap<>(failed);
            next.remove(symbolicName);
            failed = Map.copyOf(next);
        }
    }

    /** What a run starting now covers: the requests so far. */
    record Run(long request, Map<Long, Long> waiting) {
    }

    /** Starts a run: those waiting now are ready when it succeeds, unless asked for again meanwhile. */
    Run start() {
        return new Run(requests.get(), Map.copyOf(awaiting));
    }

    /**
     * Applies the pending migrations of every started extension to {@code pool}.
     *
     * @throws MigrationException.Busy when another server is migrating the database
     * @throws MigrationException when the migrations cannot be read or the database cannot be worked with
     */
    MigrationRunner.Outcome apply(DatabaseSettings settings, DataSource pool) throws MigrationException {
        try {
            return MigrationRunner.migrate(catalog.migrationsFor(settings.name(), settings.url().dialect()),
                    settings.url().dialect(), pool, settings.label());
        } catch (IOException e) {
            throw new MigrationException("migrations could not be read: " + e.getMessage());
        }
    }

    /**
     * A run ended on the current pool. Only a run that nothing overtook is published: one asked for again while it
     * went on (an extension came or went, a rollback ended) may have read a hold or a catalog that no longer is, and
     * its failures would be shown, or its waiting extensions let through, on stale grounds.
     *
     * @return whether it settled the migrations; when not, run again
     */
    boolean applied(Run run, MigrationRunner.Outcome outcome) {
        if (outcome.superseded() || requests.get() != run.request()) {
            migrated = false;
            return false;
        }
        run.waiting().forEach((bundle, request) -> awaiting.remove(bundle, request));
        failed = Map.copyOf(outcome.failed());
        migrated = true;
        return true;
    }
}
