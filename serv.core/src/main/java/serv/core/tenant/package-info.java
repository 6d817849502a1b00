/**
 * The tenants API: {@link serv.core.tenant.Tenants}, the service that lists, finds and wakes the tenants of the
 * running server, and {@link serv.core.tenant.Tenant}, one tenant as configured.
 */
@Export
@Version("1.2.0")
package serv.core.tenant;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
