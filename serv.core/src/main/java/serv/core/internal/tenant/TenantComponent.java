package serv.core.internal.tenant;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.core.tenant.Tenant;

/**
 * One tenant, from its {@value #FACTORY_PID} configuration (one component per tenant configuration): checks it, keeps the tenant's database as a
 * {@code serv.database} configuration (name {@code default}, {@code tenant=<id>}: serv.database makes the pool,
 * runs the extensions' migrations in it and publishes it with {@code serv.tenant}), and offers itself to the
 * dispatcher, which resolves requests to tenants by host or path prefix. Deleting the configuration deletes the
 * tenant's database configuration: its pool drains and closes. {@link TenantRegistry} keeps them all.
 *
 * <p>Pools are lazy: the database configuration is written on the tenant's first request ({@link #wake()}), and
 * deleted again (the pool closes) after {@code idle_timeout} seconds without a request; 0 keeps it open from the
 * start. A thousand configured tenants that nobody calls cost a thousand small objects, not pools.
 */
@Component(service = TenantComponent.class, configurationPid = TenantComponent.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = TenantConfiguration.class, factory = true)
public final class TenantComponent {

    /** Factory PID of tenant configurations. */
    public static final String FACTORY_PID = "serv.tenant";

    private static final Logger LOG = LoggerFactory.getLogger(TenantComponent.class);
    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern HOST = Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    private static final Pattern PREFIX = Pattern.compile("(/[A-Za-z0-9._~-]+)+");
    /** Settings of the shared default database a schema-per-tenant database takes over. */
    private static final Set<String> SHARED = Set.of("url", "user", "password", "password_file", "ssl_mode",
            "connection_timeout", "command_timeout", "idle_timeout", "max_lifetime");

    private final ConfigurationAdmin cm;
    private final TenantClock clock;
    private volatile Tenant tenant;
    private Configuration database;
    private Hashtable<String, Object> databaseSettings;
    /** The configuration as last applied, to recompute the database settings when the shared default changes. */
    private TenantConfiguration config;
    private Dictionary<String, Object> rawConfig;
    private long idleMs;
    private volatile long lastUsed = System.nanoTime();
    private java.util.concurrent.ScheduledFuture<?> idleCheck;
    private boolean closed;

    @Activate
    public TenantComponent(@Reference ConfigurationAdmin cm, @Reference TenantClock clock, TenantConfiguration config,
            java.util.Map<String, Object> props) throws Exception {
        this.cm = cm;
        this.clock = clock;
        apply(config, props);
    }

    @Modified
    void modified(TenantConfiguration config, java.util.Map<String, Object> props) throws Exception {
        apply(config, props);
    }

    @Deactivate
    synchronized void deactivate() {
        closed = true;
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        try {
            if (database != null) {
                database.delete();
                database = null;
            }
        } catch (Exception | Error e) {
            LOG.warn("Tenant {}: its database configuration could not be deleted: {}", tenant.id(), e.toString());
        }
        LOG.info("Tenant {} removed", tenant.id());
    }

    /** The tenant as it is now (the registry reads it when the component comes or changes). */
    public Tenant tenant() {
        return tenant;
    }

    /** A request for the tenant: it is in use (for the idle timeout). */
    public void touch() {
        lastUsed = System.nanoTime();
    }

    /** Whether the tenant's database configuration exists: its pool is open (or opening). */
    public synchronized boolean awake() {
        return database != null;
    }

    /** Makes sure the tenant's database configuration exists (its pool starts); true when it was asleep. */
    public synchronized boolean wake() throws Exception {
        touch();
        if (database != null || closed) {
            return false; // awake already, or being removed: no pool to start
        }
        Configuration c = cm.getFactoryConfiguration("serv.database", "tenant." + tenant.id(), "?");
        c.updateIfDifferent(databaseSettings);
        database = c;
        LOG.info("Tenant {}: pool started on its first request", tenant.id());
        return true;
    }

    /**
     * The shared default database's configuration changed: a schema tenant takes over its new connection settings,
     * at once when its pool is open (a live edit: the new pool is checked and migrated while the old one serves),
     * else when it wakes.
     */
    synchronized void sharedDefaultChanged() {
        if (closed || config == null || (config.database__url() != null && !config.database__url().isBlank())) {
            return; // a database of its own: the shared default is none of its business
        }
        try {
            Hashtable<String, Object> db = databaseSettings(config, rawConfig, tenant.id());
            if (db.equals(databaseSettings)) {
                return;
            }
            databaseSettings = db;
            if (database != null) {
                database.updateIfDifferent(db);
                LOG.info("Tenant {}: its schema follows the new settings of database default", tenant.id());
            }
        } catch (Exception e) {
            LOG.warn("Tenant {}: the new settings of database default could not be applied: {}", tenant.id(),
                    e.getMessage());
        }
    }

    private synchronized void closeIfIdle() {
        if (database == null || idleMs <= 0 || System.nanoTime() - lastUsed < idleMs * 1_000_000) {
            return;
        }
        try {
            database.delete();
            database = null;
            LOG.info("Tenant {}: pool closed after {} s without a request", tenant.id(), idleMs / 1000);
        } catch (Exception e) {
            LOG.warn("Tenant {}: its idle pool could not be closed: {}", tenant.id(), e.toString());
        }
    }

    private synchronized void apply(TenantConfiguration config, java.util.Map<String, Object> props)
            throws Exception {
        Tenant next = check(config);
        Dictionary<String, Object> raw = raw(props);
        Hashtable<String, Object> db = databaseSettings(config, raw, next.id());
        long idle = idleSeconds(config, next.id()) * 1000;
        Configuration c = cm.getFactoryConfiguration("serv.database", "tenant." + next.id(), "?");
        if (database != null && !database.getPid().equals(c.getPid())) {
            database.delete(); // the id changed: the old tenant's database goes
            database = null;
        }
        if (database != null || idle == 0) {
            c.updateIfDifferent(db); // awake (or never sleeping): the pool follows the change at once
            database = c;
        }
        databaseSettings = db;
        this.config = config;
        rawConfig = raw;
        idleMs = idle;
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
        if (idle > 0) {
            long every = Math.max(200, Math.min(idle / 4, 10_000));
            idleCheck = clock.timer.scheduleWithFixedDelay(this::closeIfIdle, every, every,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        tenant = next;
        LOG.info("Tenant {}: hosts {}, path prefix {}, database {}", next.id(), next.hosts(),
                next.pathPrefix() == null ? "none" : next.pathPrefix(),
                db.containsKey("schema") ? "schema " + db.get("schema") + " of default" : "its own");
    }

    private static long idleSeconds(TenantConfiguration config, String id) {
        String value = config.idle__timeout() == null ? "" : config.idle__timeout().strip();
        if (value.isEmpty()) {
            return 300;
        }
        try {
            long seconds = Long.parseLong(value);
            if (seconds < 0) {
                throw new NumberFormatException();
            }
            return seconds;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("tenant " + id + ": key 'idle_timeout': '" + value + "' is not a "
                    + "number of seconds (0: the pool stays open)");
        }
    }

    /** Checks the configuration; a wrong value names the key and the fix. */
    static Tenant check(TenantConfiguration config) {
        String id = config.id() == null ? "" : config.id().strip();
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("tenant: key 'id': '" + id + "' is not a slug; use lower-case letters,"
                    + " digits and '-', starting with a letter");
        }
        List<String> hosts = new ArrayList<>();
        for (String h : config.hosts()) {
            String host = h.strip().toLowerCase(Locale.ROOT);
            if (host.isEmpty()) {
                continue;
            }
            if (!HOST.matcher(host).matches()) {
                throw new IllegalArgumentException("tenant " + id + ": key 'hosts': '" + h + "' is not a host name "
                        + "(no port, no scheme; *.example.com for every subdomain)");
            }
            hosts.add(host);
        }
        String prefix = config.path__prefix() == null ? "" : config.path__prefix().strip();
        if (!prefix.isEmpty() && !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("tenant " + id + ": key 'path_prefix': '" + prefix + "' must look like"
                    + " /t/acme (segments after '/', no '/' at the end)");
        }
        if (hosts.isEmpty() && prefix.isEmpty()) {
            throw new IllegalArgumentException("tenant " + id + ": give it 'hosts' or a 'path_prefix', or no request"
                    + " can reach it");
        }
        Set<String> extensions = new java.util.TreeSet<>();
        for (String e : config.extensions()) {
            if (!e.isBlank()) {
                extensions.add(e.strip());
            }
        }
        return new Tenant(id, config.name() == null || config.name().isBlank() ? id : config.name().strip(),
                List.copyOf(hosts), prefix.isEmpty() ? null : prefix, Set.copyOf(extensions));
    }

    /**
     * The tenant's configuration as stored, before ${VAR} resolution: its database settings are copied as written,
     * so a secret from the environment is resolved only where the pool is made, and stored nowhere.
     */
    private Dictionary<String, Object> raw(java.util.Map<String, Object> props) throws Exception {
        Object pid = props.get(org.osgi.framework.Constants.SERVICE_PID);
        Configuration[] own = pid == null ? null : cm.listConfigurations("(service.pid=" + pid + ")");
        return own == null || own.length == 0 ? new Hashtable<>(props) : own[0].getProperties();
    }

    /** The tenant's {@code serv.database} configuration: its own database, or a schema of the shared default. */
    private Hashtable<String, Object> databaseSettings(TenantConfiguration config, Dictionary<String, Object> raw,
            String id) throws Exception {
        Hashtable<String, Object> db = new Hashtable<>();
        String url = config.database__url() == null ? "" : config.database__url().strip();
        if (!url.isEmpty()) {
            for (String key : new String[] { "url", "user", "password" }) {
                Object value = raw.get("database_" + key);
                if (value != null && !value.toString().isBlank()) {
                    db.put(key, value.toString().strip());
                }
            }
        } else {
            Dictionary<String, Object> shared = sharedDefault();
            if (shared == null) {
                throw new IllegalArgumentException("tenant " + id + ": no 'database_url', and there is no shared "
                        + "database default to hold its schema; give the tenant a database_url");
            }
            for (String key : SHARED) {
                Object v = shared.get(key);
                if (v != null) {
                    db.put(key, v);
                }
            }
            String schema = config.database__schema() == null || config.database__schema().isBlank()
                    ? id.replace('-', '_') : config.database__schema().strip();
            db.put("schema", schema);
        }
        db.put("name", "default");
        db.put("tenant", id);
        db.put("min_size", blankOr(config.pool__size(), "0"));
        db.put("max_size", blankOr(config.max__size(), "5"));
        // Idle connections go back to the server's connection budget soon (Hikari's shortest idle timeout), not
        // only when the whole pool closes after the tenant's idle_timeout.
        db.put("idle_timeout", "10");
        return db;
    }

    private Dictionary<String, Object> sharedDefault() throws Exception {
        Configuration[] found = cm.listConfigurations(
                "(&(service.factoryPid=serv.database)(name=default)(!(tenant=*)))");
        return found == null || found.length == 0 ? null : found[0].getProperties();
    }

    private static String blankOr(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.strip();
    }
}
