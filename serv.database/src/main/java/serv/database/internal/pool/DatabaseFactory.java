package serv.database.internal.pool;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ManagedServiceFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.jdbc.DataSourceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.database.Databases;
import serv.database.Dialect;
import serv.database.internal.DatabaseSettings;
import serv.database.internal.DatabaseSettings.ConfigurationException;
import serv.database.internal.migration.MigrationCatalog;

/**
 * Makes one {@link ManagedDatabase} per {@code serv.database} factory configuration (a change is applied to the
 * running pool, a deletion stops it), and one per {@link Databases#open} (tenants' pools, opened and closed by code). Configuration Admin calls it on its own thread, one configuration after the
 * other; nothing here waits on that thread (a stopping pool drains on a pool thread).
 *
 * <p>A {@link ManagedServiceFactory} rather than a DS factory component: SCR shows every component's configuration
 * in its status page and support download without masking (a database's password would be there), and a server
 * with thousands of tenant databases would carry thousands of SCR components for no gain.
 */
@Component(service = { ManagedServiceFactory.class, Databases.class }, immediate = true,
        property = Constants.SERVICE_PID + "=" + DatabaseSettings.FACTORY_PID)
public final class DatabaseFactory implements ManagedServiceFactory, Databases {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseFactory.class);

    /** Framework property: the server's home folder; relative SQLite paths and password files resolve against it. */
    static final String HOME_PROPERTY = "serv.home";

    private final BundleContext context;
    private final PoolScheduler scheduler;
    private final MigrationCatalog catalog;
    private final Path home;
    private final Map<DataSourceFactory, Dialect> drivers = new ConcurrentHashMap<>();
    /** The databases by configuration PID. */
    private final Map<String, ManagedDatabase> databases = new HashMap<>();
    /** The databases opened by code, until their handle closes. */
    private final java.util.Set<ManagedDatabase> opened = new java.util.HashSet<>();
    private boolean stopped;

    @Activate
    public DatabaseFactory(BundleContext context, @Reference PoolScheduler scheduler,
            @Reference MigrationCatalog catalog) {
        this.context = context;
        this.scheduler = scheduler;
        this.catalog = catalog;
        String homeProperty = context.getProperty(HOME_PROPERTY);
        home = Path.of(homeProperty == null ? System.getProperty("user.dir") : homeProperty).toAbsolutePath();
        String budget = context.getProperty(ConnectionBudget.PROPERTY);
        ConnectionBudget.configure(budget != null ? budget : System.getenv("SERV_CONNECTION_BUDGET"),
                budget != null ? ConnectionBudget.PROPERTY : "SERV_CONNECTION_BUDGET");
    }

    @Override
    public String getName() {
        return "Serv databases";
    }

    @Override
    public void updated(String pid, Dictionary<String, ?> properties) {
        Map<String, Object> props = new HashMap<>();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            props.put(key, properties.get(key));
        }
        ManagedDatabase database;
        synchronized (this) {
            if (stopped) {
                return;
            }
            database = databases.computeIfAbsent(pid, p -> new ManagedDatabase(context, scheduler, catalog));
        }
        configure(database, props, true);
    }

    @Override
    public Handle open(Map<String, ?> settings) {
        ManagedDatabase database = new ManagedDatabase(context, scheduler, catalog);
        synchronized (this) {
            if (stopped) {
                throw new IllegalStateException("the databases are stopping");
            }
            opened.add(database);
        }
        configure(database, Map.copyOf(settings), false);
        return new Handle() {
            private volatile boolean closed;

            @Override
            public serv.database.Database database() {
                return database;
            }

            @Override
            public void update(Map<String, ?> next) {
                if (!closed) {
                    configure(database, Map.copyOf(next), false);
                }
            }

            @Override
            public void close() {
                if (closed) {
                    return;
                }
                closed = true;
                synchronized (DatabaseFactory.this) {
                    opened.remove(database);
                }
                scheduler.execute(database::stop);
            }
        };
    }

    @Override
    public List<String> problems(Map<String, ?> settings) {
        try {
            DatabaseSettings checked = DatabaseSettings.from(settings, home);
            String guarded = checked.tenant() == null ? guarded(settings) : null;
            return guarded == null ? List.of() : List.of(guarded);
        } catch (ConfigurationException e) {
            return List.of(e.getMessage());
        }
    }

    /**
     * Why a guard refuses a server database's settings; null when none does. Looked up at each check, not bound:
     * the tenants' runtime that provides one needs this factory's service to start, and a binding back to it while
     * this factory starts would be a cycle.
     */
    private String guarded(Map<String, ?> settings) {
        Collection<ServiceReference<serv.database.DatabaseGuard>> refs;
        try {
            refs = context.getServiceReferences(serv.database.DatabaseGuard.class, null);
        } catch (InvalidSyntaxException | IllegalStateException e) {
            return null; // no filter to be wrong; stopping
        }
        for (ServiceReference<serv.database.DatabaseGuard> ref : refs) {
            serv.database.DatabaseGuard guard = context.getService(ref);
            if (guard == null) {
                continue;
            }
            try {
                String why = guard.refusal(settings);
                if (why != null) {
                    return why;
                }
            } finally {
                context.ungetService(ref);
            }
        }
        return null;
    }

    /**
     * Checks and applies settings; {@code configured}: a server's database from a configuration (checked by the
     * guards too), not one opened by code (a tenant's, checked by its opener).
     */
    private void configure(ManagedDatabase database, Map<String, ?> props, boolean configured) {
        DatabaseSettings settings;
        try {
            settings = DatabaseSettings.from(props, home);
            String guarded = configured && settings.tenant() == null ? guarded(props) : null;
            if (guarded != null) {
                throw new ConfigurationException(guarded);
            }
        } catch (ConfigurationException e) {
            Object name = props.get("name");
            Object tenant = props.get("tenant");
            database.reject(name == null || name.toString().isBlank() ? "unnamed" : name.toString().strip(),
                    tenant == null || tenant.toString().isBlank() ? null : tenant.toString().strip(), e.getMessage());
            return;
        }
        database.useDriver(driver(settings.url().dialect()));
        database.apply(settings);
    }

    @Override
    public void deleted(String pid) {
        ManagedDatabase database;
        synchronized (this) {
            database = databases.remove(pid);
        }
        if (database != null) {
            LOG.info("Database {}: its configuration was deleted; its routes answer 503 until it is configured again",
                    database.name());
            // Its services go at once (inside stop); the drain runs on a pool thread, not Configuration Admin's.
            scheduler.execute(database::stop);
        }
    }

    /** Stops every database at once (each drains its borrowers for at most its own bound). */
    @Deactivate
    void deactivate() {
        List<ManagedDatabase> all;
        synchronized (this) {
            stopped = true;
            all = new ArrayList<>(databases.values());
            all.addAll(opened);
            databases.clear();
            opened.clear();
        }
        CompletableFuture<?>[] stopping = all.stream()
                .map(d -> CompletableFuture.runAsync(d::stop, scheduler::execute))
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(stopping).get(ManagedDatabase.STOP_DRAIN_MS + 5_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("Databases did not all stop in time: {}", e.toString());
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindDriver(DataSourceFactory factory, Map<String, Object> props) {
        Dialect dialect = dialectOf(props);
        if (dialect == null) {
            return; // a driver Serv has no dialect for
        }
        drivers.put(factory, dialect);
        for (ManagedDatabase d : snapshot()) {
            if (d.wantedDialect() == dialect) {
                d.driverAvailable(factory);
            }
        }
    }

    void unbindDriver(DataSourceFactory factory, Map<String, Object> props) {
        if (drivers.remove(factory) == null) {
            return;
        }
        if (context.getBundle().getState() == org.osgi.framework.Bundle.STOPPING) {
            // The bundle stops (SQLite's driver is one of its own components, which may go first): the pools stop
            // at deactivation, draining their borrowers, rather than failing over now.
            return;
        }
        for (ManagedDatabase d : snapshot()) {
            d.driverGone(factory);
        }
    }

    private synchronized List<ManagedDatabase> snapshot() {
        List<ManagedDatabase> all = new ArrayList<>(databases.values());
        all.addAll(opened);
        return all;
    }

    private DataSourceFactory driver(Dialect dialect) {
        return drivers.entrySet().stream().filter(e -> e.getValue() == dialect).map(Map.Entry::getKey).findFirst()
                .orElse(null);
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
