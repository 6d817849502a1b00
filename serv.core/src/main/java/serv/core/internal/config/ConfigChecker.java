package serv.core.internal.config;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

import serv.core.config.ConfigCheck;
import serv.core.config.ConfigChecks;
import serv.core.config.Suggestions;
import serv.database.Databases;

/**
 * {@link ConfigChecks}: a configuration's values against its metatype (whole numbers, numbers, their minimum and
 * maximum, the listed options), then the consumer's own rules: a database's through {@link Databases#problems}, an
 * extension's or a tenant's through its {@link ConfigCheck} service; and an extension's {@code database} must be a
 * configured database.
 */
@Component(service = ConfigChecks.class)
public final class ConfigChecker implements ConfigChecks {

    /** How the problem of an extension naming a database that is not configured begins. */
    static final String UNKNOWN_DATABASE = "key '" + ExtensionDatabase.SETTING + "': no database '";

    private final BundleContext context;
    private final MetaTypeService metatype;
    private final EnvInterpolation env;
    private final Databases databases;
    private final ConfigurationAdmin cm;
    private final Map<String, ConfigCheck> checks = new ConcurrentHashMap<>();

    @Activate
    public ConfigChecker(BundleContext context, @Reference MetaTypeService metatype, @Reference EnvInterpolation env,
            @Reference Databases databases, @Reference ConfigurationAdmin cm) {
        this.context = context;
        this.metatype = metatype;
        this.env = env;
        this.databases = databases;
        this.cm = cm;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindCheck(ConfigCheck check, Map<String, Object> props) {
        if (props.get(ConfigCheck.PID) instanceof String pid) {
            checks.put(pid, check);
        }
    }

    void unbindCheck(ConfigCheck check, Map<String, Object> props) {
        if (props.get(ConfigCheck.PID) instanceof String pid) {
            checks.remove(pid, check);
        }
    }

    @Override
    public List<String> problems(String factoryPid, String pid, Map<String, ?> properties) {
        Hashtable<String, Object> stored = new Hashtable<>();
        properties.forEach((k, v) -> {
            if (v != null) {
                stored.put(k, v);
            }
        });
        Map<String, Object> resolved;
        try {
            resolved = env.processed(stored);
        } catch (IllegalArgumentException e) {
            return List.of(e.getMessage()); // a sealed value of another key
        }
        String id = factoryPid != null ? factoryPid : pid;
        LinkedHashSet<String> out = new LinkedHashSet<>(metatypeProblems(id, factoryPid != null, resolved));
        if (out.isEmpty()) {
            if ("serv.database".equals(factoryPid)) {
                out.addAll(databases.problems(resolved));
            } else {
                ConfigCheck check = checks.get(id);
                if (check != null) {
                    out.addAll(check.problems(resolved));
                }
            }
        }
        if (factoryPid == null && pid.startsWith("serv.") && resolved.get(ExtensionDatabase.SETTING) instanceof String db
                && !db.isBlank()) {
            String unknown = unknownDatabase(db.strip());
            if (unknown != null) {
                out.add(unknown);
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * Why an extension may not name database {@code name}, or null when it may: it is configured (up or not: a
     * database that cannot connect is an outage, not a typo).
     */
    private String unknownDatabase(String name) {
        Set<String> configured = configuredDatabases(cm);
        return configured == null ? null : unknownDatabase(name, configured);
    }

    /**
     * Why an extension may not name database {@code name} (its {@code database} setting: its routes and migrations
     * go there) when {@code configured} are the server's databases: none of that name, so every route would
     * answer 503. Null when there is one.
     */
    static String unknownDatabase(String name, Set<String> configured) {
        if (configured.contains(name)) {
            return null;
        }
        return UNKNOWN_DATABASE + name + "' is configured, so every route of this extension would answer 503;"
                + " configure that database first, or name one of "
                + (configured.isEmpty() ? "(none yet)" : String.join(", ", new TreeSet<>(configured)))
                + Suggestions.hint(name, configured);
    }

    /** The names of the server's own databases in Configuration Admin (not tenants'); null when it cannot say. */
    static Set<String> configuredDatabases(ConfigurationAdmin cm) {
        Set<String> configured = new TreeSet<>();
        try {
            Configuration[] found = cm.listConfigurations("(service.factoryPid=serv.database)");
            for (Configuration c : found == null ? new Configuration[0] : found) {
                Dictionary<String, Object> p = Configs.properties(c);
                Object tenant = p == null ? null : p.get("tenant");
                if (p != null && p.get("name") instanceof String n && (tenant == null || tenant.toString().isBlank())) {
                    configured.add(n);
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            return null;
        }
        return configured;
    }

    private List<String> metatypeProblems(String id, boolean factory, Map<String, Object> values) {
        List<String> out = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            MetaTypeInformation info = metatype.getMetaTypeInformation(b);
            String[] ids = info == null ? null : factory ? info.getFactoryPids() : info.getPids();
            if (ids == null || !Arrays.asList(ids).contains(id)) {
                continue;
            }
            for (AttributeDefinition ad : info.getObjectClassDefinition(id, null)
                    .getAttributeDefinitions(ObjectClassDefinition.ALL)) {
                Object value = values.get(ad.getID());
                if (value == null || value instanceof Object[] || value instanceof java.util.Collection) {
                    continue;
                }
                String problem = problem(ad, value.toString().strip());
                if (problem != null) {
                    out.add("key '" + ad.getID() + "': " + problem);
                }
            }
            break;
        }
        return out;
    }

    /** A value as a problem repeats it: cut after 60 characters (a 10 MB value was repeated whole). */
    static String cut(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "… (" + text.length() + " characters)";
    }

    /** Why {@code text} is not a value of {@code ad}, or null when it is. */
    static String problem(AttributeDefinition ad, String text) {
        Double number = null; // set for numbers, whose range the metatype checks
        switch (ad.getType()) {
            case AttributeDefinition.INTEGER, AttributeDefinition.LONG, AttributeDefinition.SHORT,
                    AttributeDefinition.BYTE -> {
                try {
                    number = (double) Long.parseLong(text);
                } catch (NumberFormatException e) {
                    return "'" + cut(text) + "' is not a whole number";
                }
            }
            case AttributeDefinition.DOUBLE, AttributeDefinition.FLOAT -> {
                try {
                    number = Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    return "'" + cut(text) + "' is not a number";
                }
            }
            case AttributeDefinition.BOOLEAN -> {
                if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
                    return "'" + cut(text) + "' is neither true nor false";
                }
            }
            default -> {
                // text
            }
        }
        String[] options = ad.getOptionValues();
        if (options != null && options.length > 0 && !text.isEmpty() && !Arrays.asList(options).contains(text)) {
            List<String> shown = new ArrayList<>(Arrays.asList(options));
            shown.remove("");
            return "'" + cut(text) + "' is not one of " + String.join(", ", shown);
        }
        String invalid = number == null || text.isEmpty() ? null : ad.validate(text); // its minimum and maximum
        if (invalid != null && !invalid.isEmpty()) {
            return text + " is out of range (" + ad.getDescription() + ")";
        }
        return null;
    }
}
