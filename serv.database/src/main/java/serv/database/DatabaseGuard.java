package serv.database;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Refuses settings of a server database (one configured without a tenant) whose data would not be the server's: a
 * database a tenant has, where the site's writes would land in the tenant's tables and the tenant's rows show on the
 * site. Consulted before a configured database starts or takes new settings, and by {@link Databases#problems}
 * (a console or API save), so a refusal keeps the last good settings serving, as any wrong value does. The tenant
 * runtime provides it; the database layer does not know tenants.
 *
 * @since 1.7
 */
@ConsumerType
public interface DatabaseGuard {

    /**
     * Why a server database may not have these settings ({@code name}, {@code url}, {@code schema}, ...: the keys of
     * a {@code serv.database} configuration, references resolved), naming the key and the fix; null when it may.
     */
    String refusal(Map<String, ?> settings);
}
