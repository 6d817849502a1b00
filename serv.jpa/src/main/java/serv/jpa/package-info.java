/**
 * JPA for extensions: {@link serv.jpa.EntityManagers}, the request's EntityManager of a persistence unit, on the
 * request's own connection and transaction. Only extensions that use JPA import this package (and
 * {@code javax.persistence}).
 */
@Export
@Version("1.0.0")
package serv.jpa;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
