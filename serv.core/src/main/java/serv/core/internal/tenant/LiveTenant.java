package serv.core.internal.tenant;

import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.core.tenant.Tenant;
import serv.database.Databases;

/**
 * One tenant while it is configured: its settings, and its pool, which is lazy: opened on the tenant's first
 * request ({@link #wake()}) through {@link Databases#open} (no configuration event, nothing stored), and closed again
 * after {@code idle_timeout} seconds without one; 0 keeps it open from the start. A thousand configured tenants that
 * nobody calls cost a thousand small objects, not pools.
 */
final class LiveTenant {

    private static final Logger LOG = LoggerFactory.getLogger(LiveTenant.class);

    private final Databases databases;
    private final TenantClock clock;
    /** The database settings of the tenant as they are now (they follow the shared default for a schema tenant). */
    private final Function<TenantSettings, Map<String, Object>> databaseSettings;
    private volatile TenantSettings settings;
    private volatile long lastUsed = System.nanoTime();
    /** Its share of the server: requests served at once. Made before the first apply. */
    private final TenantGate gate;
    private Databases.Handle handle;
    private ScheduledFuture<?> idleCheck;
    private boolean removed;

    LiveTenant(TenantSettings settings, Databases databases, TenantClock clock,
            Function<TenantSettings, Map<String, Object>> databaseSettings) {
        this.databases = databases;
        this.clock = clock;
        this.databaseSettings = databaseSettings;
        this.gate = new TenantGate(settings.maxRequests());
        apply(settings);
    }

    TenantGate gate() {
        return gate;
    }

    Tenant tenant() {
        return settings.tenant();
    }

    TenantSettings settings() {
        return settings;
    }

    /** A request for the tenant: it is in use (for the idle timeout). */
    void touch() {
        lastUsed = System.nanoTime();
    }

    synchronized boolean awake() {
        return handle != null;
    }

    /**
     * Opens the tenant's pool when it sleeps; true when it was asleep.
     *
     * @throws IllegalStateException when its database cannot be described (a schema tenant with no shared default)
     */
    synchronized boolean wake() {
        touch();
        if (handle != null || removed) {
            return false; // awake already, or being removed: no pool to start
        }
        handle = databases.open(databaseSettings.apply(settings));
        LOG.info("Tenant {}: pool started on its first request", settings.id());
        return true;
    }

    /** New settings: an open pool follows them at once (a live edit); a sleeping one when it wakes. */
    synchronized void apply(TenantSettings next) {
        TenantSettings before = settings;
        settings = next;
        gate.cap(next.maxRequests());
        if (handle != null) {
            if (before != null && !before.id().equals(next.id())) {
                handle.close(); // a new id is a new tenant's database
                handle = null;
            } else {
                handle.update(databaseSettings.apply(next));
            }
        }
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
        long idleMs = next.idleSeconds() * 1000;
        if (idleMs > 0) {
            long every = Math.max(200, Math.min(idleMs / 4, 10_000));
            idleCheck = clock.timer.scheduleWithFixedDelay(this::closeIfIdle, every, every, TimeUnit.MILLISECONDS);
        } else if (handle == null && !removed) {
            wake(); // idle_timeout 0: open from the start
        }
    }

    /**
     * The shared default database's settings changed: a schema tenant's open pool takes them over at once (a new
     * URL or credentials through a pending pool, checked and migrated while the old one serves); a sleeping one when
     * it wakes.
     */
    synchronized void sharedDefaultChanged() {
        if (handle != null && !settings.ownsDatabase()) {
            handle.update(databaseSettings.apply(settings));
            LOG.info("Tenant {}: its schema follows the new settings of database default", settings.id());
        }
    }

    private synchronized void closeIfIdle() {
        long idleMs = settings.idleSeconds() * 1000;
        if (handle == null || idleMs <= 0 || System.nanoTime() - lastUsed < idleMs * 1_000_000) {
            return;
        }
        handle.close();
        handle = null;
        LOG.info("Tenant {}: pool closed after {} s without a request", settings.id(), idleMs / 1000);
    }

    /** The tenant is removed: its pool drains and closes. */
    synchronized void remove() {
        removed = true;
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        if (handle != null) {
            handle.close();
            handle = null;
        }
    }
}
