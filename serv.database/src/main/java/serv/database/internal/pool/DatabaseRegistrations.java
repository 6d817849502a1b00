package serv.database.internal.pool;

import java.util.Dictionary;
import java.util.Hashtable;

import javax.sql.DataSource;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import serv.database.Database;
import serv.database.Dialect;

/**
 * A database's two services: {@link Database}, for as long as its configuration exists whatever the pool's state,
 * and {@link DataSource}, while a pool exists. Registered by hand rather than as DS services, so that they stay up
 * across pool replacements. Their properties never carry a URL or a credential.
 */
final class DatabaseRegistrations {

    private final BundleContext context;
    private final Database database;
    private final DataSource dataSource;
    private ServiceRegistration<Database> databaseRegistration;
    private ServiceRegistration<DataSource> dataSourceRegistration;

    DatabaseRegistrations(BundleContext context, Database database, DataSource dataSource) {
        this.context = context;
        this.database = database;
        this.dataSource = dataSource;
    }

    /** Registers the Database service, or updates the properties of both services. */
    void publish(Dictionary<String, Object> props) {
        if (databaseRegistration == null) {
            databaseRegistration = context.registerService(Database.class, database, props);
        } else {
            databaseRegistration.setProperties(props);
        }
        if (dataSourceRegistration != null) {
            dataSourceRegistration.setProperties(props);
        }
    }

    /** Registers the DataSource service, unless it is registered. */
    void publishDataSource(Dictionary<String, Object> props) {
        if (dataSourceRegistration == null) {
            dataSourceRegistration = context.registerService(DataSource.class, dataSource, props);
        }
    }

    void withdrawDataSource() {
        unregister(dataSourceRegistration);
        dataSourceRegistration = null;
    }

    void withdrawAll() {
        withdrawDataSource();
        unregister(databaseRegistration);
        databaseRegistration = null;
    }

    private static void unregister(ServiceRegistration<?> registration) {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping and the framework has already taken the registration away
            }
        }
    }

    /** Name, tenant, dialect and JNDI name; never a URL or a credential. */
    static Dictionary<String, Object> properties(String name, String tenant, Dialect dialect) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Database.NAME, name);
        props.put(Database.JNDI_NAME, tenant == null ? name : tenant + "/" + name);
        if (tenant != null) {
            props.put(Database.TENANT, tenant);
        }
        if (dialect != null) {
            props.put(Database.DIALECT, dialect.id());
        }
        return props;
    }
}
