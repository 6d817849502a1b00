package serv.blog.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** The blog's settings: configuration PID {@code serv.blog}, or {@code extensions: - extension: blog} in YAML. */
@ObjectClassDefinition(name = "Serv Blog", description = "The blog extension: users and posts over HTTP")
public @interface BlogConfiguration {

    @AttributeDefinition(name = "Database",
            description = "Name of the Serv database (serv.database.name) that holds the blog's tables")
    String database() default "default";

    @AttributeDefinition(name = "Repository", description = "How the blog reaches its tables: plain JDBC or JPA",
            options = { @Option(label = "JDBC", value = "jdbc"), @Option(label = "JPA (EclipseLink)", value = "jpa") })
    String repository() default "jdbc";
}
