package serv.core.internal.tenant;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/** The one timer thread that closes idle tenants' pools, shared by all tenants; stopped with the bundle. */
@Component(service = TenantClock.class)
public final class TenantClock {

    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "serv-tenant-idle");
        t.setDaemon(true);
        return t;
    });

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }
}
