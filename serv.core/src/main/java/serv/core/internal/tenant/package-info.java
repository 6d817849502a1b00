/**
 * Tenants: one component per tenant configuration ({@code TenantComponent}) that keeps the tenant's database
 * configuration, the registry of them all ({@code TenantRegistry}, the {@code serv.core.tenant.Tenants} service),
 * which tenant a request belongs to ({@code TenantTable}), schema tenants following the shared default database
 * ({@code SharedDefault}) and the idle timer. Not exported.
 */
package serv.core.internal.tenant;
