/**
 * The test kit of Serv extensions: {@link serv.testkit.ServTestSupport} boots the bundles of a serv.jar in Pax Exam,
 * in a fresh home on a free port, and talks HTTP and SQL to it.
 */
@Export
@Version("1.0.0")
package serv.testkit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
