package serv.core.internal.config;

import java.util.Collections;
import java.util.Dictionary;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationPlugin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Resolves {@code ${VAR}} and {@code ${VAR:default}} and opens sealed secrets ({@link SecretBox}) in every
 * configuration value, whatever its source
 * (serv.config.yaml, etc/, the Web Console), from the environment and then system properties. The stored
 * configuration keeps the placeholder; only what components receive is resolved.
 *
 * <p>Felix's interpolation plugin uses another syntax ({@code $[env:VAR;default=x]}); Serv keeps the seed's. The
 * runtime sets {@code felix.cm.config.plugins=serv.env}, so Configuration Admin delivers nothing before this
 * plugin is up. A placeholder without value and without default is left as it is, for the consumer to report by
 * name (a database then does not start and says which variable is missing).
 */
@Component(service = { ConfigurationPlugin.class, EnvInterpolation.class },
        property = { ConfigurationPlugin.CM_RANKING + ":Integer=100", "config.plugin.id=" + EnvInterpolation.ID })
public final class EnvInterpolation implements ConfigurationPlugin {

    static final String ID = "serv.env";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.]*)(?::([^}]*))?}");

    private final SecretBox secrets;

    @Activate
    public EnvInterpolation(@Reference SecretBox secrets) {
        this.secrets = secrets;
    }

    /** Whether {@code value} holds a {@code ${VAR}} reference. */
    static boolean isReference(String value) {
        return value != null && PLACEHOLDER.matcher(value).find();
    }

    /**
     * Resolves the references, opens the sealed values, and leaves out empty values: a form that writes every field
     * writes {@code ""} for one left blank, which means the same as not set, everywhere.
     */
    @Override
    public void modifyConfiguration(ServiceReference<?> reference, Dictionary<String, Object> properties) {
        UnaryOperator<String> lookup = name -> {
            String v = System.getenv(name);
            return v != null ? v : System.getProperty(name);
        };
        for (String key : Collections.list(properties.keys())) {
            if (key.equals(ConfigurationAdmin.SERVICE_FACTORYPID) || key.equals("service.pid")) {
                continue;
            }
            Object value = properties.get(key);
            if (value instanceof String s && s.isEmpty()) {
                properties.remove(key);
            } else if (value instanceof String s && secrets.isSealed(s)) {
                properties.put(key, secrets.unseal(s));
            } else if (value instanceof String s && s.contains("${")) {
                properties.put(key, resolve(s, lookup));
            } else if (value instanceof String[] array) {
                String[] out = array.clone();
                for (int i = 0; i < out.length; i++) {
                    out[i] = out[i] != null && out[i].contains("${") ? resolve(out[i], lookup) : out[i];
                }
                properties.put(key, out);
            }
        }
    }

    /** A stored configuration's properties as a consumer gets them: references resolved, secrets opened. */
    public java.util.Map<String, Object> processed(Dictionary<String, Object> stored) {
        java.util.Hashtable<String, Object> copy = new java.util.Hashtable<>();
        for (String key : Collections.list(stored.keys())) {
            copy.put(key, stored.get(key));
        }
        modifyConfiguration(null, copy);
        return new java.util.HashMap<>(copy);
    }

    /** Resolves the placeholders of one value; unknown ones without a default stay as they are. */
    static String resolve(String text, UnaryOperator<String> lookup) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = lookup.apply(m.group(1));
            if (value == null) {
                value = m.group(2) != null ? m.group(2) : m.group();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
