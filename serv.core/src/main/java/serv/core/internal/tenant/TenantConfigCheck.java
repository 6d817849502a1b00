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
        List<String> mine = TenantRegistry.claims(settings.tenant());
        List<String> out = new ArrayList<>();
        for (Tenant other : running.list()) {
            if (!other.id().equals(settings.id())) {
                for (String claim : TenantRegistry.claims(other)) {
                    if (mine.contains(claim)) {
                        out.add(TenantRegistry.claimedBy(settings.id(), claim, other.id()));
                    }
                }
            }
        }
        return out;
    }
}
