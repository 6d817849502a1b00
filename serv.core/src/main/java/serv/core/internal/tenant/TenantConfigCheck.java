package serv.core.internal.tenant;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import serv.core.config.ConfigCheck;

/**
 * A tenant's settings, checked as the tenant registry reads them ({@link TenantSettings}), and, on a running server,
 * against the other tenants: a host or path prefix that is already another tenant's is refused before it is saved
 * (the registry would refuse it too, but the admin API and the console's form say so at once).
 */
@Component(property = ConfigCheck.PID + "=" + TenantSettings.FACTORY_PID)
public final class TenantConfigCheck implements ConfigCheck {

    /** The running tenants; absent when the check runs offline ({@code serv config validate}). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile TenantRegistry tenants;

    @Override
    public List<String> problems(Map<String, ?> properties) {
        TenantSettings settings;
        try {
            settings = TenantSettings.from(properties);
        } catch (IllegalArgumentException e) {
            return List.of(e.getMessage());
        }
        TenantRegistry running = tenants;
        if (running == null) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>(running.claimedByOthers(settings));
        String noSchema = running.noSchema(settings);
        if (noSchema != null) {
            out.add(noSchema);
        }
        return out;
    }
}
