/** Tenants: their configuration, their databases, and which tenant a request belongs to. Not exported. */
package serv.core.internal.tenant;
