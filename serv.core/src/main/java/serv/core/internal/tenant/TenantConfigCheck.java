package serv.core.internal.tenant;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import serv.core.config.ConfigCheck;
import serv.core.tenant.Tenant;
import serv.core.tenant.Tenants;

/**
 * A tenant's settings, checked as the tenant registry reads them ({@link TenantSettings}), and, on a running server,
 * against the other tenants: a host or path prefix that is already another tenant's is refused before it is saved
 * (the registry would refuse it too, but the admin API and the console's form say so at once).
 */
@Component(property = ConfigCheck.PID + "=" + TenantSettings.FACTORY_PID)
public final class TenantConfigCheck implements ConfigCheck {

    /** The running tenants; absent when the check runs offline ({@code serv config validate}). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Tenants tenants;

    @Override
    public List<String> problems(Map<String, ?> properties) {
        TenantSettings settings;
        try {
            settings = TenantSettings.from(properties);
        } catch (IllegalArgumentException e) {
            return List.of(e.getMessage());
        }
        Tenants running = tenants;
        if (running == null) {
            return List.of();
        }
        Tenant mine = settings.tenant();
        List<String> out = new ArrayList<>();
        for (Tenant other : running.list()) {
            if (other.id().equals(mine.id())) {
                continue;
            }
            for (String h : mine.hosts()) {
                if (other.hosts().contains(h)) {
                    out.add("tenant " + mine.id() + ": key 'hosts': '" + h + "' is tenant " + other.id()
                            + "'s; give each tenant its own hosts and path prefix");
                }
            }
            if (mine.pathPrefix() != null && mine.pathPrefix().equals(other.pathPrefix())) {
                out.add("tenant " + mine.id() + ": key 'path_prefix': '" + mine.pathPrefix() + "' is tenant "
                        + other.id() + "'s; give each tenant its own hosts and path prefix");
            }
        }
        return out;
    }
}
