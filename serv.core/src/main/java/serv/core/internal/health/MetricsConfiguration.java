package serv.core.internal.health;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Who sees the series of {@code GET /metrics} that name a tenant: {@code metrics:} in serv.config.yaml. */
@ObjectClassDefinition(id = MetricsHandler.PID, name = "Serv metrics",
        description = "What GET /metrics (Prometheus text) shows on the server's own site to a client that does not"
                + " send the operator's login (the Web Console's user and password, HTTP Basic; Prometheus:"
                + " basic_auth). A tenant's host shows that tenant's own series either way.")
@interface MetricsConfiguration {

    @AttributeDefinition(name = "Details", description = "authorized: without the operator's login, the series that"
            + " name no tenant (the server's own databases, the tenants summed: serv_tenants_*, the request counts);"
            + " each tenant's series (label tenant) only with it, and a wrong login is a 401."
            + " always: every series to every client (a server only a private network reaches).", options = {
                    @Option(label = "to the operator only (the Web Console's login)", value = HealthHandler.AUTHORIZED),
                    @Option(label = "to every client", value = HealthHandler.ALWAYS) })
    String details() default HealthHandler.AUTHORIZED;
}
