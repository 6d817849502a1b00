package serv.core.internal.tenant;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * A tenant, as a Configuration Admin factory configuration (PID {@value TenantSettings#FACTORY_PID}); also
 * {@code tenants:} in serv.config.yaml and {@code etc/serv.tenant-<id>.cfg}: the Web Console's form. Its database is
 * either its own ({@code database_url}, credentials) or a schema of the shared {@code default} PostgreSQL database
 * ({@code database_schema}). Read and checked by {@link TenantSettings}.
 */
@ObjectClassDefinition(id = TenantSettings.FACTORY_PID, factoryPid = TenantSettings.FACTORY_PID, name = "Serv tenant",
        description = "A tenant: the hosts or path prefix that select it, and its own database")
@interface TenantConfiguration {

    @AttributeDefinition(name = "Id", description = "A slug: lower-case letters, digits and '-'.")
    String id();

    @AttributeDefinition(name = "Name", required = false, description = "Display name.")
    String name() default "";

    @AttributeDefinition(name = "Hosts", required = false, description = "Host header values that select the "
            + "tenant (port ignored); *.example.com selects it for every subdomain.")
    String[] hosts() default {};

    @AttributeDefinition(name = "Path prefix", required = false, description = "A path prefix that selects the "
            + "tenant, for example /t/acme (removed before routing).")
    String path__prefix() default "";

    @AttributeDefinition(name = "Database URL", required = false, description = "The tenant's own database "
            + "(database per tenant), as for a Serv database: postgresql://user@host/db, sqlite:///data/x.db.")
    String database__url() default "";

    @AttributeDefinition(name = "Database user", required = false)
    String database__user() default "";

    @AttributeDefinition(name = "Database password", type = AttributeType.PASSWORD, required = false)
    String database__password() default "";

    @AttributeDefinition(name = "Database schema", required = false, description = "Schema per tenant: a schema of "
            + "the shared default PostgreSQL database (created when missing). Used when there is no database URL.")
    String database__schema() default "";

    @AttributeDefinition(name = "Pool size", required = false, min = "0", description = "Connections kept open "
            + "(default 0: an idle tenant holds none).")
    int pool__size();

    @AttributeDefinition(name = "Max size", required = false, min = "1", description = "Most connections of the "
            + "tenant's pool (default 5).")
    int max__size();

    @AttributeDefinition(name = "Guaranteed connections", required = false, min = "0", description = "Connections"
            + " the server's connection budget keeps for the tenant while its pool is open: no other pool grows beyond"
            + " its own into them (default 1).")
    int min__connections();

    @AttributeDefinition(name = "Max requests", required = false, min = "1", description = "Requests of the tenant"
            + " served at once; more wait (holding no thread) and get 503 with Retry-After if none finishes in time"
            + " (default twice max_size): one busy tenant cannot take the server from the others.")
    int max__requests();

    @AttributeDefinition(name = "Idle timeout (s)", required = false, min = "0", description = "The tenant's pool "
            + "starts on its first request and closes after this long without one (default 300; 0: open from the "
            + "start).")
    int idle__timeout();

    @AttributeDefinition(name = "Extensions", required = false, description = "Bundle symbolic names of the "
            + "extensions enabled for the tenant; empty: all.")
    String[] extensions() default {};
}
