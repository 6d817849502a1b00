/**
 * A database's settings (checked, with the key and the fix named when one is wrong), the metatype of its
 * configuration, and the SQLite driver service. The pools live in {@code internal.pool}, the migrations in
 * {@code internal.migration}. Not exported.
 */
package serv.database.internal;
