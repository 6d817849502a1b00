package serv.core.internal.tenant;

import java.util.Dictionary;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the shared {@code default} database's configuration: when it changes (a new URL, rotated credentials,
 * timeouts) or goes, every schema-per-tenant database follows, as a live edit of its own pool (a pending pool is
 * checked and migrated while the old one serves); and any database configuration's change makes the registry read
 * the server's own databases again (no tenant's database may be one of them). One listener for all tenants, so ten
 * thousand tenants do not each hear every configuration event.
 */
@Component(service = ConfigurationListener.class)
public final class SharedDefault implements ConfigurationListener {

    private static final Logger LOG = LoggerFactory.getLogger(SharedDefault.class);

    private final ConfigurationAdmin cm;
    private final TenantRegistry tenants;

    @Activate
    public SharedDefault(@Reference ConfigurationAdmin cm, @Reference TenantRegistry tenants) {
        this.cm = cm;
        this.tenants = tenants;
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (!"serv.database".equals(event.getFactoryPid())) {
            return;
        }
        tenants.serverDatabasesChanged(); // what a tenant's database may not be
        if (tenants.table().isEmpty()) {
            return;
        }
        if (event.getType() == ConfigurationEvent.CM_DELETED) {
            tenants.sharedDefaultChanged(); // it may have been the default
            return;
        }
        if (event.getType() != ConfigurationEvent.CM_UPDATED) {
            return;
        }
        try {
            Configuration c = cm.getConfiguration(event.getPid(), "?");
            Dictionary<String, Object> p = serv.core.internal.config.Configs.properties(c);
            Object tenant = p == null ? null : p.get("tenant");
            if (p != null && "default".equals(p.get("name")) && (tenant == null || tenant.toString().isBlank())) {
                tenants.sharedDefaultChanged();
            }
        } catch (Exception e) {
            LOG.warn("The change of database configuration {} could not be read: {}", event.getPid(), e.toString());
        }
    }
}
