/**
 * Serv's route API: what an extension bundle implements to answer HTTP requests.
 *
 * <p>A route is a Declarative Services component that provides {@link serv.core.Handler} and carries the
 * {@link serv.core.Route} properties (path template, methods, the database it needs). The runtime matches
 * requests, borrows the route's database connection for it, and turns {@link serv.core.HttpException}s into
 * JSON error answers.
 */
@Export
@Version("2.2.0")
package serv.core;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
