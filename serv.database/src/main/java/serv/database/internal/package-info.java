/** Pools, their configuration and the SQLite driver service. Not exported. */
package serv.database.internal;
