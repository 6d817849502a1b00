package serv.database.internal.pool;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.database.Dialect;
import serv.database.internal.DatabaseConfiguration;
import serv.database.internal.DatabaseSettings;
import serv.database.internal.DatabaseSettings.ConfigurationException;
import serv.database.internal.migration.MigrationCatalog;

/**
 * One instance per {@code serv.database} factory configuration. Activation starts the pool and publishes it;
 * a configuration change is applied to the running pool ({@code @Modified}, never a restart of the component);
 * deactivation drains and closes it.
 */
@Component(configurationPid = DatabaseSettings.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
@Designate(ocd = DatabaseConfiguration.class, factory = true)
public final class DatabaseComponent {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseComponent.class);

    /** Framework property: the server's home folder; relative SQLite paths and password files resolve against it. */
    static final String HOME_PROPERTY = "serv.home";

    private final Map<DataSourceFactory, Dialect> drivers = new ConcurrentHashMap<>();
    private final ManagedDatabase database;
    private final Path home;
    private final BundleContext context;

    @Activate
    public DatabaseComponent(BundleContext context, @Reference PoolScheduler scheduler,
            @Reference MigrationCatalog catalog, Map<String, Object> props) {
        this.context = context;
        String homeProperty = context.getProperty(HOME_PROPERTY);
        home = Path.of(homeProperty == null ? System.getProperty("user.dir") : homeProperty).toAbsolutePath();
        String budget = context.getProperty(ConnectionBudget.PROPERTY);
        ConnectionBudget.configure(budget != null ? budget : System.getenv("SERV_CONNECTION_BUDGET"));
        database = new ManagedDatabase(context, scheduler, catalog);
        configure(props);
    }

    @Modified
    void modified(Map<String, Object> props) {
        configure(props);
    }

    @Deactivate
    void deactivate() {
        LOG.debug("Database {}: deactivating", database.name());
        database.stop();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindDriver(DataSourceFactory factory, Map<String, Object> props) {
        Dialect dialect = dialectOf(props);
        if (dialect == null) {
            return; // a driver Serv has no dialect for
        }
        drivers.put(factory, dialect);
        if (database.wantedDialect() == dialect) {
            database.driverAvailable(factory);
        }
    }

    void unbindDriver(DataSourceFactory factory, Map<String, Object> props) {
        if (drivers.remove(factory) != null) {
            if (context.getBundle().getState() == org.osgi.framework.Bundle.STOPPING) {
                // The bundle stops (SQLite's driver is one of its own components, which may go first): the
                // pool stops as it would at deactivation, draining its borrowers, rather than failing over.
                database.stop();
            } else {
                database.driverGone(factory);
            }
        }
    }

    private synchronized void configure(Map<String, Object> props) {
        DatabaseSettings settings;
        try {
            settings = DatabaseSettings.from(props, home);
        } catch (ConfigurationException e) {
            Object name = props.get("name");
            String label = name == null ? String.valueOf(props.get("service.pid")) : name.toString();
            LOG.error("Database {}: not started: {}", label, e.getMessage());
            database.fail(name == null ? "unnamed" : name.toString(), e.getMessage());
            return;
        }
        database.useDriver(drivers.entrySet().stream().filter(e -> e.getValue() == settings.url().dialect())
                .map(Map.Entry::getKey).findFirst().orElse(null));
        database.apply(settings);
    }

    private static Dialect dialectOf(Map<String, Object> props) {
        Object name = props.get(DataSourceFactory.OSGI_JDBC_DRIVER_CLASS);
        if ("org.postgresql.Driver".equals(name)) {
            return Dialect.POSTGRESQL;
        }
        if ("org.sqlite.JDBC".equals(name)) {
            return Dialect.SQLITE;
        }
        return null;
    }
}
