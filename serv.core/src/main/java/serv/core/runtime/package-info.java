/**
 * The running server as operators and tools see it: its routes and whether each serves now ({@link Routes},
 * {@link RouteInfo}), the requests it answered ({@link Traffic}), and which jar of {@code deploy/} each deployed
 * extension runs from ({@link DeployedJars}). The Web Console's Serv pages, the admin API and the command line read
 * these.
 */
@Export
@Version("1.5.0")
package serv.core.runtime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
