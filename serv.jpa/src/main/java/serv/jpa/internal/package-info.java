/**
 * The persistence units of the extensions on Serv databases ({@code PersistenceUnits}) and the JPA container they
 * come from, started when JPA is first needed ({@code JpaContainer}), the request's
 * EntityManagers as a resource of the request ({@code RequestUnits}), the data source that hands EclipseLink the
 * request's connection, and EclipseLink's SQLite platform and SLF4J log. Not exported.
 */
package serv.jpa.internal;
