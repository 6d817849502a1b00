package serv.core.internal.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.core.HttpException;
import serv.core.internal.tenant.TenantRegistry;
import serv.core.tenant.Tenant;
import serv.database.Database;
import serv.database.DatabaseState;

/**
 * The {@link Database} services a route can name, by name for the server's own and by tenant and name for a
 * tenant's; a tenant's first request (or its first after the idle timeout) wakes the tenant's pool.
 */
final class DatabaseDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseDirectory.class);

    private final Map<String, Database> databases = new ConcurrentHashMap<>();

    void bind(Database database, Map<String, Object> props) {
        databases.put(key(props), database);
    }

    void unbind(Database database, Map<String, Object> props) {
        databases.remove(key(props), database);
    }

    /** Its properties changed (a renamed database): the new key first, then the old one goes, never a gap. */
    void updated(Database database, Map<String, Object> props) {
        String key = key(props);
        databases.put(key, database);
        databases.entrySet().removeIf(e -> e.getValue() == database && !e.getKey().equals(key));
    }

    private static String key(Map<String, Object> props) {
        Object tenant = props.get(Database.TENANT);
        return (tenant == null ? "" : tenant + "/") + props.get(Database.NAME);
    }

    /** The server's own database of that name, or null. */
    Database get(String name) {
        return databases.get(name);
    }

    /**
     * The tenant's database for a request, waking the tenant's pool when it sleeps; null when it is not there (yet).
     * Never waits: a request that meets a pool still starting waits asynchronously ({@link Exchange}).
     */
    Database forTenant(Tenant tenant, String name, TenantRegistry registry) {
        String key = tenant.id() + "/" + name;
        if (name.equals("default")) { // a tenant's pool is its database "default"
            try {
                registry.wakeForRequest(tenant.id());
            } catch (RuntimeException e) {
                // Said once a minute per tenant and reason (each waiting request tried again every 10 ms: a
                // thousand ERROR lines per request), and answered at once: waiting would not start it.
                String reason = String.valueOf(e.getMessage());
                long now = System.nanoTime();
                Failure last = failures.get(tenant.id());
                if (last == null || !last.reason.equals(reason) || now - last.at > 60_000_000_000L) {
                    failures.put(tenant.id(), new Failure(reason, now));
                    LOG.error("Tenant {}: its pool could not be started: {}", tenant.id(), reason);
                }
                throw HttpException.unavailable("tenant " + tenant.id() + ": its database could not be opened (the"
                        + " server's log says why)", ErrorAnswers.RETRY_AFTER_SECONDS);
            }
            if (!failures.isEmpty()) {
                failures.remove(tenant.id()); // it started: said again if it fails again (read-only when none did)
            }
        }
        return databases.get(key);
    }

    /** The last reason a tenant's pool could not be started, and when it was logged. */
    private record Failure(String reason, long at) {
    }

    private final Map<String, Failure> failures = new ConcurrentHashMap<>();

    /** Whether a tenant's database is on its way: not there yet, starting, or closed as idle a moment ago. */
    static boolean waking(Database database) {
        return database == null || database.state() == DatabaseState.STARTING
                || database.state() == DatabaseState.STOPPED;
    }
}
