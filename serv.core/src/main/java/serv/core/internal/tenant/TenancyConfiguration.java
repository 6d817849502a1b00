package serv.core.internal.tenant;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** How the server treats requests that select no tenant: {@code tenancy:} in serv.config.yaml, PID serv.tenancy. */
@ObjectClassDefinition(id = TenantRegistry.TENANCY_PID, name = "Serv tenancy",
        description = "What a request that selects no tenant (by host or path prefix) gets.")
@interface TenancyConfiguration {

    @AttributeDefinition(name = "Requests that select no tenant", description = "site: the server's own site "
            + "answers them, with the server's own databases; reject: 404 unknown tenant.", options = {
                    @Option(label = "answered by the server's own site", value = "site"),
                    @Option(label = "refused: 404 unknown tenant", value = "reject") })
    String unmatched() default "site";
}
