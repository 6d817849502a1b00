/**
 * The configuration API: {@link serv.core.config.ConfigSource}, a source of the databases, tenants and extension
 * settings Serv runs with (serv.config.yaml and etc/ are two; a cluster store can be another), and what a source
 * says ({@link serv.core.config.Snapshot}, {@link serv.core.config.Desired}); how the sources were applied
 * ({@link serv.core.config.ConfigStatus}); a store shared by a cluster's servers ({@link serv.core.config.ConfigStore});
 * "did you mean" for a key that is not known ({@link serv.core.config.Suggestions}).
 */
@Export
@Version("1.5.0")
package serv.core.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
