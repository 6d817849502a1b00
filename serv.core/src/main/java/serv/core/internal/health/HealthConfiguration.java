package serv.core.internal.health;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Who sees the details of {@code GET /health}: {@code health:} in serv.config.yaml, PID serv.health. */
@ObjectClassDefinition(id = HealthHandler.PID, name = "Serv health",
        description = "What GET /health shows a client that does not send the operator's login (the Web Console's"
                + " user and password, HTTP Basic). Its status code (200 UP, 503 DOWN, STARTING, DRAINING) is the same"
                + " either way.")
@interface HealthConfiguration {

    @AttributeDefinition(name = "Details", description = "authorized: without the operator's login, the status, the"
            + " server's own databases' states and the tenants' databases counted by state; their reasons, refused"
            + " and pending changes, pool figures, the configuration's warnings and the tenants only with it."
            + " always: everything to every client (a server only a private network reaches).", options = {
                    @Option(label = "to the operator only (the Web Console's login)", value = HealthHandler.AUTHORIZED),
                    @Option(label = "to every client", value = HealthHandler.ALWAYS) })
    String details() default HealthHandler.AUTHORIZED;
}
