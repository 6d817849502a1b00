/**
 * One pool per database configuration: the component ({@code DatabaseComponent}), the database's states and its
 * services ({@code ManagedDatabase}, {@code DatabaseRegistrations}), the Hikari pool factory, the hand-over of a
 * replaced pool, the connectivity probe, the migration gate, and the connection budget shared by every pool of a
 * PostgreSQL server. Not exported.
 */
package serv.database.internal.pool;
