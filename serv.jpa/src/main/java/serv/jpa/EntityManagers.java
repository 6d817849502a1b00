package serv.jpa;

import javax.persistence.EntityManager;

import org.osgi.annotation.versioning.ProviderType;

import serv.core.Request;

/**
 * The EntityManagers of requests, as a service: reference it from a route (or the component that serves routes)
 * and ask it for the request's EntityManager of a persistence unit.
 *
 * <pre>
 * &#64;Reference EntityManagers jpa;
 * ...
 * EntityManager em = jpa.of(request, "my.unit");
 * </pre>
 *
 * A unit is an extension's {@code META-INF/persistence.xml} (header {@code Meta-Persistence}; Apache Aries JPA and
 * EclipseLink 2.7, {@code javax.persistence}); it names no data source: it works on the route's database.
 */
@ProviderType
public interface EntityManagers {

    /**
     * This request's EntityManager of the persistence unit {@code unit} (the {@code persistence-unit name} of an
     * extension's {@code META-INF/persistence.xml}), on the route's database. It works on
     * {@link Request#connection()}: JPA and JDBC share one transaction and see each other's writes (after
     * {@code flush()} for JPA's pending ones). For POST, PUT, PATCH and DELETE its transaction is already begun and
     * commits with the request's; for other methods it only reads. Created on first use and closed when the request
     * ends; do not close it.
     *
     * @throws serv.core.HttpException 503 while the unit is not deployed
     * @throws IllegalStateException when the route names no database
     */
    EntityManager of(Request request, String unit);
}
