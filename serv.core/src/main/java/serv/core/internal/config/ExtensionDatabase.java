package serv.core.internal.config;

import java.util.Dictionary;

import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationPlugin;
import org.osgi.service.component.annotations.Component;

/**
 * An extension's {@code database} setting is the database of its routes and of its migrations: its components that
 * take the extension's configuration ({@code configurationPid = "serv.<extension>"}) get the setting's value as
 * {@code serv.route.database} (which overrides their {@code @Route(database = ...)}) and as
 * {@code serv.migrations.database} (a {@code MigrationTarget}'s), unless the configuration sets those itself. So one
 * setting, from serv.config.yaml, etc/ or the console's form, moves an extension written with plain
 * {@code @Component} + {@code @Route} routes, live. Runs after {@link EnvInterpolation} (a {@code ${VAR}} is resolved
 * first). Immediate: Configuration Admin gets and ungets every plugin for every configuration it hands over, and
 * a delayed component would be made and dropped each time (ten thousand times at the start of a server with ten
 * thousand tenants).
 */
@Component(immediate = true,
        property = { ConfigurationPlugin.CM_RANKING + ":Integer=200", "config.plugin.id=serv.extension-database" })
public final class ExtensionDatabase implements ConfigurationPlugin {

    /** The setting an extension's configuration names its database with. */
    static final String SETTING = "database";
    static final String ROUTE_DATABASE = "serv.route.database";
    static final String MIGRATIONS_DATABASE = "serv.migrations.database";

    @Override
    public void modifyConfiguration(org.osgi.framework.ServiceReference<?> reference,
            Dictionary<String, Object> properties) {
        apply(properties);
    }

    /** Adds the route and migration database of an extension's configuration that names a {@code database}. */
    static void apply(Dictionary<String, Object> properties) {
        if (properties.get(ConfigurationAdmin.SERVICE_FACTORYPID) != null
                || !(properties.get("service.pid") instanceof String pid) || !pid.startsWith("serv.")
                || !(properties.get(SETTING) instanceof String database) || database.isBlank()) {
            return;
        }
        if (properties.get(ROUTE_DATABASE) == null) {
            properties.put(ROUTE_DATABASE, database.strip());
        }
        if (properties.get(MIGRATIONS_DATABASE) == null) {
            properties.put(MIGRATIONS_DATABASE, database.strip());
        }
    }
}
