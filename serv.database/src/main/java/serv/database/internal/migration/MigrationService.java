package serv.database.internal.migration;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import serv.database.Database;
import serv.database.Dialect;
import serv.database.MigrationException;
import serv.database.Migrations;
import serv.database.internal.DatabaseSettings;
import serv.database.internal.Errors;

/** The {@link Migrations} service: the history of a database, and going down to a version. */
@Component(service = Migrations.class)
public final class MigrationService implements Migrations {

    private final MigrationCatalog catalog;

    @Activate
    public MigrationService(@Reference MigrationCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public List<Applied> applied(Database database) throws MigrationException {
        Map<String, List<Migration>> deployed = Map.of();
        if (database.dialect().isPresent()) {
            try {
                deployed = catalog.migrationsFor(database.name(), database.dialect().get()).migrations();
            } catch (IOException e) {
                throw new MigrationException("the deployed migrations could not be read: " + e.getMessage());
            }
        }
        try (Connection c = database.connection()) {
            return MigrationRunner.applied(c, deployed);
        } catch (SQLException e) {
            throw new MigrationException("the migration history could not be read: " + Errors.describe(e));
        }
    }

    @Override
    public List<String> rollback(Database database, String extension, String version) throws MigrationException {
        if (version == null || !version.matches("\\d+(?:[._]\\d+)*")) {
            String v = String.valueOf(version);
            throw new MigrationException("'" + (v.length() > 40 ? v.substring(0, 40) + "..." : v)
                    + "' is not a migration version: give the version to go down"
                    + " to, as in 3 or 1.2 (0 removes them all)");
        }
        Dialect dialect = database.dialect().orElseThrow(
                () -> new MigrationException("database " + database.name() + " has no valid configuration"));
        Map<String, Migration> downs;
        try {
            downs = catalog.downsFor(database.name(), dialect, extension);
        } catch (IOException e) {
            throw new MigrationException("down scripts could not be read: " + e.getMessage());
        }
        try (Connection c = database.connection()) {
            return MigrationRunner.rollback(c, dialect,
                    DatabaseSettings.label(database.name(), database.tenant().orElse(null)), extension, version, downs,
                    catalog.versionOf(extension));
        } catch (SQLException e) {
            throw new MigrationException("rollback could not run: " + Errors.describe(e));
        } finally {
            // Checked again at once, whatever went down: its routes answer 503 saying so, not 500 on a missing table.
            catalog.historyChanged(database);
        }
    }

    @Override
    public boolean applyAgain(Database database, String extension) throws MigrationException {
        boolean held;
        try (Connection c = database.connection()) {
            held = MigrationRunner.release(c, extension);
        } catch (SQLException e) {
            throw new MigrationException("the rollback's hold could not be removed: " + Errors.describe(e));
        }
        catalog.historyChanged(database);
        return held;
    }
}
