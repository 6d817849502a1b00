/**
 * The test kit of Serv extensions: {@link serv.testkit.ServTestSupport} boots the bundles of a serv.jar in Pax Exam,
 * in a fresh home on a free port, and talks HTTP and SQL to it; 1.1 added the operator's login
 * ({@link serv.testkit.ServTestSupport#operator()}, {@link serv.testkit.ServTestSupport#health()}).
 */
@Export
@Version("1.1.0")
package serv.testkit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
