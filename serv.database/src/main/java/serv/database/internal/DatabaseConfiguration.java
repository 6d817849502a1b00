package serv.database.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * A database, as a Configuration Admin factory configuration (PID {@value DatabaseSettings#FACTORY_PID}): the form
 * of the Web Console (numbers as numbers with their minimum, the SSL modes as a list, the password masked). Values
 * are read and checked by {@link DatabaseSettings}, which names the key and the fix when one is wrong, whatever wrote
 * them.
 */
@ObjectClassDefinition(
        id = DatabaseSettings.FACTORY_PID,
        factoryPid = DatabaseSettings.FACTORY_PID,
        name = "Serv database",
        description = "A named database pool (HikariCP) published as an OSGi service.")
public @interface DatabaseConfiguration {

    @AttributeDefinition(name = "Name", description = "Logical name routes and extensions use, e.g. default.")
    String name() default "default";

    @AttributeDefinition(name = "URL", description = "postgresql://user@host:5432/db?sslmode=require, "
            + "sqlite:///relative/path.db, sqlite:////absolute/path.db, or a jdbc: URL.")
    String url() default "sqlite:///data/app.db";

    @AttributeDefinition(name = "User", description = "Database user; overrides a user in the URL.", required = false)
    String user() default "";

    @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, required = false,
            description = "Database password; overrides a password in the URL. Never logged or published.")
    String password() default "";

    @AttributeDefinition(name = "Password file", required = false,
            description = "Path of a file holding the password (first line), instead of Password.")
    String password__file() default "";

    @AttributeDefinition(name = "Pool size", min = "0",
            description = "Connections kept open (Hikari minimum idle). Ignored when min_size is set.")
    int pool__size() default 10;

    @AttributeDefinition(name = "Max overflow", min = "0",
            description = "Extra connections opened under load (maximum = pool_size + max_overflow).")
    int max__overflow() default 0;

    @AttributeDefinition(name = "Min size", min = "0", required = false,
            description = "asyncpg vocabulary: connections kept open. Wins over pool_size when set.")
    int min__size();

    @AttributeDefinition(name = "Max size", min = "1", required = false,
            description = "asyncpg vocabulary: maximum connections. Wins over pool_size + max_overflow when set.")
    int max__size();

    @AttributeDefinition(name = "Guaranteed connections", min = "0",
            description = "Connections to this PostgreSQL server that the server's connection budget keeps for this"
                    + " database while it is open: no other pool grows beyond its own guarantee into them.")
    int guaranteed__connections() default 1;

    @AttributeDefinition(name = "Connection timeout (s)", min = "0.25",
            description = "Longest wait for a connection.")
    double connection__timeout() default 5;

    @AttributeDefinition(name = "Command timeout (s)", min = "0",
            description = "PostgreSQL statement timeout: a statement running longer is cancelled (503); 0 means"
                    + " none. Migrations run without it.")
    double command__timeout() default DatabaseSettings.DEFAULT_COMMAND_TIMEOUT_S;

    @AttributeDefinition(name = "Idle timeout (s)", min = "10",
            description = "Idle connections above the pool size close after this.")
    double idle__timeout() default 600;

    @AttributeDefinition(name = "Max lifetime (s)", min = "30", description = "Connections are replaced after this.")
    double max__lifetime() default 1800;

    @AttributeDefinition(name = "SSL mode", required = false, description = "PostgreSQL sslmode.", options = {
            @Option(label = "(the URL's, or the driver's default)", value = ""),
            @Option(label = "disable", value = "disable"), @Option(label = "allow", value = "allow"),
            @Option(label = "prefer", value = "prefer"), @Option(label = "require", value = "require"),
            @Option(label = "verify-ca", value = "verify-ca"), @Option(label = "verify-full", value = "verify-full") })
    String ssl__mode() default "";

    @AttributeDefinition(name = "Tenant", required = false, description = "Tenant id this database belongs to.")
    String tenant() default "";

    @AttributeDefinition(name = "Schema", required = false, description = "PostgreSQL only: a schema of the database "
            + "that holds this database's tables (created when missing): schema per tenant.")
    String schema() default "";
}
