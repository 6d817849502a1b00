package serv.core.tenant;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The tenants of the running server, as a service: for the Web Console, the admin API, the command line and the
 * cluster. Tenants themselves are configuration ({@code serv.tenant} factory configurations, {@code tenants:} in
 * serv.config.yaml, {@code etc/serv.tenant-<id>.cfg}).
 */
@ProviderType
public interface Tenants {

    /** Every configured tenant whose configuration is valid, by id. */
    List<Tenant> list();

    /**
     * The tenant configurations that were refused, by configuration PID, with why (the key and the fix). A tenant
     * whose new configuration was refused goes on with its previous one, and is listed here too.
     */
    Map<String, String> refused();

    /** The tenant of that id, if it is configured and valid. */
    Optional<Tenant> find(String id);

    /**
     * Whether the tenant's pool is open. A tenant's pool starts on its first request and closes after its
     * {@code idle_timeout} without one.
     */
    boolean awake(String id);

    /**
     * Starts the tenant's pool when it sleeps (as its first request would); it is up once its database service is
     * {@code UP}.
     *
     * @return true when it was asleep
     * @throws IllegalArgumentException when there is no such tenant
     */
    boolean wake(String id);

    /**
     * Whether a tenant configuration of that PID was saved and has been neither applied nor refused yet:
     * Configuration Admin hands configurations over on its own thread, after the save returned. Once false, what
     * {@link #find} and {@link #refused} say includes that save.
     *
     * @since 1.2
     */
    boolean applying(String pid);
}
