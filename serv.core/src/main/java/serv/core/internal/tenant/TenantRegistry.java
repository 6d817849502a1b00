package serv.core.internal.tenant;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import serv.core.tenant.Tenant;
import serv.core.tenant.Tenants;

/**
 * Every tenant of the server: the {@link Tenants} service, and for the dispatcher the {@link TenantTable} that says
 * which tenant a request belongs to (an immutable snapshot, replaced whole when a tenant comes, changes or goes).
 */
@Component(service = { TenantRegistry.class, Tenants.class })
public final class TenantRegistry implements Tenants {

    private final Map<String, TenantComponent> byId = new ConcurrentHashMap<>();
    private volatile TenantTable table = TenantTable.EMPTY;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    synchronized void bindTenant(TenantComponent component) {
        Tenant now = component.tenant();
        TenantTable next = table;
        for (Map.Entry<String, TenantComponent> e : byId.entrySet()) {
            if (e.getValue() == component && !e.getKey().equals(now.id())) {
                next = next.without(e.getKey()); // its id changed: the old one selects nothing any more
            }
        }
        byId.values().remove(component);
        byId.put(now.id(), component);
        table = next.with(now);
    }

    synchronized void updatedTenant(TenantComponent component) {
        bindTenant(component);
    }

    synchronized void unbindTenant(TenantComponent component) {
        byId.values().remove(component);
        table = table.without(component.tenant().id());
    }

    /** Which tenant a request belongs to; empty when no tenant is configured. */
    public TenantTable table() {
        return table;
    }

    /** The component of tenant {@code id}, or null. */
    public TenantComponent component(String id) {
        return byId.get(id);
    }

    /** Every tenant's component. */
    Collection<TenantComponent> components() {
        return byId.values();
    }

    @Override
    public List<Tenant> list() {
        return byId.values().stream().map(TenantComponent::tenant).sorted(Comparator.comparing(Tenant::id)).toList();
    }

    @Override
    public Optional<Tenant> find(String id) {
        TenantComponent c = byId.get(id);
        return c == null ? Optional.empty() : Optional.of(c.tenant());
    }

    @Override
    public boolean awake(String id) {
        TenantComponent c = byId.get(id);
        return c != null && c.awake();
    }

    @Override
    public boolean wake(String id) {
        TenantComponent c = byId.get(id);
        if (c == null) {
            throw new IllegalArgumentException("no tenant " + id);
        }
        try {
            return c.wake();
        } catch (Exception e) {
            throw new IllegalStateException("tenant " + id + ": its pool could not be started: " + e.getMessage(), e);
        }
    }
}
