package serv.cluster.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** {@code cluster:} in serv.config.yaml (or {@code SERV_CLUSTER_URL}, {@code SERV_CLUSTER_NAME}). */
@ObjectClassDefinition(id = ClusterNode.PID, name = "Serv cluster",
        description = "The PostgreSQL database that holds the cluster's configuration, tenants and extensions. Without"
                + " a URL (here or SERV_CLUSTER_URL) the server is on its own.")
@interface ClusterConfiguration {

    String PID = "serv.cluster";

    @AttributeDefinition(name = "URL", required = false,
            description = "postgresql://user@host:5432/database of the cluster's store (a schema serv_cluster is made"
                    + " there); default SERV_CLUSTER_URL")
    String url() default "";

    @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, required = false,
            description = "The store's password (or ${VAR}); default SERV_CLUSTER_PASSWORD")
    String password() default "";

    @AttributeDefinition(name = "Name", required = false,
            description = "The cluster's name: servers with the same store and name share everything; default"
                    + " SERV_CLUSTER_NAME, else 'default'")
    String name() default "";

    @AttributeDefinition(name = "Address", required = false,
            description = "How the other nodes and the console reach this server (shown only); default"
                    + " SERV_CLUSTER_ADDRESS, else http://SERV_HOST:SERV_PORT")
    String address() default "";
}
