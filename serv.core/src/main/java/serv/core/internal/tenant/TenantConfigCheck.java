package serv.core.internal.tenant;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import serv.core.config.ConfigCheck;

/** A tenant's settings, checked as the tenant registry reads them ({@link TenantSettings}). */
@Component(property = ConfigCheck.PID + "=" + TenantSettings.FACTORY_PID)
public final class TenantConfigCheck implements ConfigCheck {

    @Override
    public List<String> problems(Map<String, ?> properties) {
        try {
            TenantSettings.from(properties);
            return List.of();
        } catch (IllegalArgumentException e) {
            return List.of(e.getMessage());
        }
    }
}
