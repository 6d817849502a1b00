/**
 * Serv's database API: named databases published as OSGi services.
 *
 * <p>Every configured database is published as a {@link serv.database.Database} service and, while its pool is
 * running, as a {@code javax.sql.DataSource} service. Both carry {@link serv.database.Database#NAME} and, for a
 * tenant's database, {@link serv.database.Database#TENANT}.
 */
@Export
@Version("1.7.0")
package serv.database;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
