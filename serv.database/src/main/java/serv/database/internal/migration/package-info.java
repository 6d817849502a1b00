/**
 * The migrations extender: the catalog of the extensions' scripts and Java migrations, the runner (advisory lock,
 * history table, one transaction per migration) and the {@code Migrations} service. Not exported.
 */
package serv.database.internal.migration;
