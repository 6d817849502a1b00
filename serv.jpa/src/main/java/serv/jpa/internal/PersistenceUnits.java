package serv.jpa.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;
import javax.persistence.metamodel.ManagedType;
import javax.sql.DataSource;

import org.eclipse.persistence.config.SessionCustomizer;
import org.eclipse.persistence.internal.weaving.PersistenceWeaved;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.jpa.EntityManagerFactoryBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.core.HttpException;
import serv.database.Database;
import serv.database.Dialect;

/**
 * The persistence units of the extensions, bound to Serv databases. Apache Aries JPA (started when a unit is first
 * asked for: {@link JpaContainer}) finds each unit (an extension's {@code META-INF/persistence.xml}), weaves its
 * entities and offers it as an
 * {@link EntityManagerFactoryBuilder}; this component builds the unit's EntityManagerFactory the first time a
 * request needs it, with the route's database as its data source and the EclipseLink platform of that database's
 * dialect, and hands each request an EntityManager that works on the request's own connection.
 *
 * <p>Why the builder and not a {@code <non-jta-data-source>} in persistence.xml: the unit then follows the
 * database the extension is configured with (not a name fixed in its jar), and a pool that is resized, replaced or
 * down does not tear the factory down (every EntityManager uses the request's connection, which comes from the
 * database's pool as it is at that moment; the factory's own data source only serves its start).
 */
@Component(service = PersistenceUnits.class)
public final class PersistenceUnits {

    private static final Logger LOG = LoggerFactory.getLogger(PersistenceUnits.class);

    private final Map<String, Unit> units = new ConcurrentHashMap<>();
    private final JpaContainer container;
    /** The request each thread serves while it has EntityManagers open: where their connections come from. */
    private final ThreadLocal<RequestDataSource.Source> requests = new ThreadLocal<>();

    @Activate
    public PersistenceUnits(@Reference JpaContainer container) {
        this.container = container;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindBuilder(EntityManagerFactoryBuilder builder, Map<String, Object> props) {
        String name = (String) props.get(EntityManagerFactoryBuilder.JPA_UNIT_NAME);
        if (name != null) {
            units.put(name, new Unit(name, builder));
            LOG.debug("Persistence unit {} available", name);
        }
    }

    void unbindBuilder(EntityManagerFactoryBuilder builder, Map<String, Object> props) {
        String name = (String) props.get(EntityManagerFactoryBuilder.JPA_UNIT_NAME);
        if (name != null) {
            Unit unit = units.get(name);
            if (unit != null && unit.builder == builder) {
                units.remove(name, unit);
                unit.close();
                LOG.debug("Persistence unit {} gone", name);
            }
        }
    }

    @Deactivate
    void deactivate() {
        units.values().forEach(Unit::close);
        units.clear();
    }

    /**
     * A new EntityManager of {@code unitName} for one request on {@code database}, whose connections all come from
     * {@code requestConnections} on this thread until {@link #release()}.
     *
     * @throws HttpException 503 when the unit is not deployed
     */
    public EntityManager open(String unitName, Database database, RequestDataSource.Source requestConnections) {
        Unit unit = units.get(unitName);
        if (unit == null) {
            // The container starts at the first use of JPA: it registers the units' builders before it returns.
            container.start("persistence unit " + unitName);
            unit = units.get(unitName);
        }
        if (unit == null) {
            throw HttpException.unavailable("persistence unit " + unitName + " is not available", 5);
        }
        // The request's connection is the only one a unit's data source gives: bound before the factory may log in.
        requests.set(requestConnections);
        try {
            return unit.factory(database, requests).createEntityManager();
        } catch (RuntimeException | Error e) {
            requests.remove();
            throw e;
        }
    }

    /** The request on this thread has closed its EntityManagers. */
    public void release() {
        requests.remove();
    }

    /**
     * What Serv sets for every unit on a database of {@code dialect}, whose connections {@code dataSource} gives.
     * Public for tests of units outside OSGi (this package is not exported).
     */
    public static Map<String, Object> properties(Dialect dialect, DataSource dataSource) {
        Map<String, Object> props = new HashMap<>();
        props.put("javax.persistence.nonJtaDataSource", dataSource);
        // An EntityManager keeps one (its request's) connection for reads too, not only inside transactions.
        props.put("eclipselink.jdbc.exclusive-connection.mode", "Always");
        props.put("eclipselink.target-database", dialect == Dialect.POSTGRESQL
                ? "org.eclipse.persistence.platform.database.PostgreSQLPlatform" : "Database");
        props.put("eclipselink.session.customizer", customizer(dialect));
        // Other requests, tenants and plain JDBC write to the same tables: no cache shared between requests.
        props.put("eclipselink.cache.shared.default", "false");
        props.put("eclipselink.logging.level", "WARNING");
        props.put("eclipselink.ddl-generation", "none");
        return props;
    }

    private static SessionCustomizer customizer(Dialect dialect) {
        return session -> {
            session.setSessionLog(new Slf4jSessionLog());
            // EclipseLink would retry a statement whose connection broke: 3 times, 5 s apart, each time
            // borrowing anew, so a request held for 20 s and more during an outage. The request's connection
            // is Serv's: a broken one fails the request (503 with Retry-After), and the client retries.
            session.getLogin().setQueryRetryAttemptCount(0);
            session.getLogin().setDelayBetweenConnectionAttempts(0);
            // Serv's platforms (keeping the sequencing set up so far): SQLite's, which EclipseLink has not, and
            // on both timestamps read and written as the database holds them, not moved by the JVM's time zone
            // (LocalTimestamps). Past the platform, EclipseLink reads LocalDateTime attributes itself: the
            // listener has it read them through the platform.
            session.getLogin().usePlatform(
                    dialect == Dialect.SQLITE ? new SQLitePlatform() : new ServPostgreSQLPlatform());
            session.getEventManager().addListener(LocalTimestamps.fieldsThroughPlatform());
        };
    }

    /** One unit: its builder and the factory built from it, for one dialect. */
    private static final class Unit {
        final String name;
        final EntityManagerFactoryBuilder builder;
        /** The factory and its dialect, once built: read without a lock by every request after the first. */
        private volatile Built built;

        private record Built(EntityManagerFactory factory, Dialect dialect) {
        }

        Unit(String name, EntityManagerFactoryBuilder builder) {
            this.name = name;
            this.builder = builder;
        }

        EntityManagerFactory factory(Database database, ThreadLocal<RequestDataSource.Source> requests) {
            Dialect wanted = database.dialect().orElseThrow(
                    () -> HttpException.unavailable("database " + database.name() + " is not up", 5));
            Built b = built;
            if (b != null && b.dialect == wanted && b.factory.isOpen()) {
                return b.factory;
            }
            return build(database, wanted, requests);
        }

        private synchronized EntityManagerFactory build(Database database, Dialect wanted,
                ThreadLocal<RequestDataSource.Source> requests) {
            Built b = built;
            if (b != null && b.factory.isOpen()) {
                if (wanted != b.dialect) {
                    // One factory per unit (the OSGi JPA builder keeps one); its SQL is of one dialect.
                    throw new IllegalStateException("persistence unit " + name + " serves " + b.dialect.id()
                            + " databases; database " + database.name() + " is " + wanted.id()
                            + ": give the extension databases of one dialect");
                }
                return b.factory;
            }
            long start = System.nanoTime();
            Map<String, Object> props = properties(wanted, new RequestDataSource(requests));
            EntityManagerFactory factory = builder.createEntityManagerFactory(props);
            built = new Built(factory, wanted);
            LOG.info("Persistence unit {}: ready on database {} ({}) in {} ms", name, database.name(), wanted.id(),
                    (System.nanoTime() - start) / 1_000_000);
            List<String> unwoven = unwoven(factory);
            if (!unwoven.isEmpty()) {
                LOG.warn("Persistence unit {}: {} not woven (loaded before the unit was first asked for, so"
                        + " EclipseLink reads its relations eagerly and compares whole objects at commit); load"
                        + " entity classes only after EntityManagers.of(request, \"{}\"), then redeploy the"
                        + " extension", name, String.join(", ", unwoven), name);
            }
            return factory;
        }

        /** The unit's entity classes that EclipseLink's weaving did not reach. */
        private static List<String> unwoven(EntityManagerFactory factory) {
            List<String> out = new ArrayList<>();
            if ("false".equalsIgnoreCase(String.valueOf(factory.getProperties().get("eclipselink.weaving")))) {
                return out; // the unit turned weaving off itself
            }
            for (ManagedType<?> type : factory.getMetamodel().getManagedTypes()) {
                Class<?> c = type.getJavaType();
                if (c != null && !PersistenceWeaved.class.isAssignableFrom(c)) {
                    out.add(c.getName());
                }
            }
            out.sort(null);
            return out;
        }

        synchronized void close() {
            Built b = built;
            built = null;
            if (b != null) {
                try {
                    b.factory.close();
                } catch (RuntimeException e) {
                    LOG.warn("Persistence unit {}: closing failed: {}", name, e.toString());
                }
            }
        }
    }
}
