package serv.console.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.apache.felix.webconsole.spi.ConfigurationHandler;
import org.apache.felix.webconsole.spi.ValidationException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import serv.core.config.ConfigChecks;
import serv.core.config.ConfigStore;
import serv.core.config.Desired;
import serv.core.config.Secrets;
import serv.core.security.Passwords;

/**
 * What the Web Console's configuration forms save goes through here first (the console's
 * {@link ConfigurationHandler} hook): a value left empty is left out (the same as not set); the values are checked
 * with the same rules as the files ({@link ConfigChecks}), and a wrong one is refused with the key and the fix
 * (the form's save answers 400) instead of reaching the running server; secrets are sealed (and the console's own
 * password kept as a hash) before they are stored; a database name already taken is refused; a configuration that
 * a file owns cannot be deleted here (the file would bring it back). Serv's private bookkeeping ({@code .serv.*}) is
 * not shown in the forms, and the console puts it back on save.
 *
 * <p>In a cluster ({@link ConfigStore} registered), the databases, tenants and extension settings ({@code serv.*}
 * but the node's own {@code serv.console} and {@code serv.cluster}) a form saves go to the cluster's store first, as
 * a compare-and-set on the version this server last read: a form saved over a change another node made meanwhile is
 * refused ("Not saved: ... changed meanwhile"), nothing is overwritten. A configuration the form makes anew is saved
 * in the store only (under its name, {@code serv.tenant~<id>}), and every node, this one included, makes it from
 * there; the form then says so instead of keeping a copy of its own under a generated PID.
 */
@Component
public final class ConsoleConfigurations implements ConfigurationHandler {

    private static final String SOURCE = ".serv.source";

    private final ConfigChecks checks;
    private final Secrets secrets;
    private final ConfigurationAdmin cm;

    /** The cluster's store, when this server is part of a cluster. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigStore store;

    @Activate
    public ConsoleConfigurations(@Reference ConfigChecks checks, @Reference Secrets secrets,
            @Reference ConfigurationAdmin cm) {
        this.checks = checks;
        this.secrets = secrets;
        this.cm = cm;
    }

    @Override
    public void createConfiguration(String pid) {
        // checked when saved
    }

    @Override
    public void createFactoryConfiguration(String factoryPid, String name) {
        // checked when saved
    }

    @Override
    public void deleteConfiguration(String factoryPid, String pid) throws ValidationException, IOException {
        Dictionary<String, Object> props = stored(pid);
        Object source = props == null ? null : props.get(SOURCE);
        ConfigStore s = store;
        if (s != null && s.name().equals(source)) {
            try {
                s.remove(pid, s.version(pid)); // then deleted here too; every node deletes it
            } catch (ConfigStore.Conflict | ConfigStore.Unavailable e) {
                throw new ValidationException("Not deleted: " + e.getMessage());
            }
            return;
        }
        if (source != null && !"serv.embedded".equals(source)) {
            throw new ValidationException("This configuration comes from " + source + ": remove it there (deleted"
                    + " here, it would come back the next time " + source + " is read).");
        }
    }

    @Override
    public void updateConfiguration(String factoryPidOfForm, String pid, Dictionary<String, Object> props)
            throws ValidationException, IOException {
        String badName = badName(Collections.list(props.keys()));
        if (badName != null) {
            throw new ValidationException("Not saved: " + badName); // before anything else: nothing is stored
        }
        Configuration existing = find(pid);
        // The form of an existing configuration does not say its factory: the stored configuration does.
        String factoryPid = factoryPidOfForm != null ? factoryPidOfForm : factoryPidOf(pid, existing);
        for (String key : Collections.list(props.keys())) {
            Object v = props.get(key);
            if (v instanceof String s && s.isBlank()) {
                props.remove(key); // a field left empty is a value not set
            }
        }
        if ("serv.console".equals(pid) && props.get("password") instanceof String pw && !Passwords.isHash(pw)) {
            props.put("password", Passwords.hash(pw)); // only the hash is kept
        }
        Map<String, Object> values = new HashMap<>();
        for (String key : Collections.list(props.keys())) {
            values.put(key, props.get(key));
        }
        String renamed = renamed(factoryPid, existing == null ? null : Facts.properties(existing), values);
        if (renamed != null) {
            // alone: the other checks would take the edit for another tenant or database, and say so
            throw new ValidationException("Not saved: " + renamed);
        }
        List<String> problems = new ArrayList<>(checks.problems(factoryPid, pid, values));
        String taken = taken(factoryPid, pid, values);
        if (taken != null) {
            problems.add(taken);
        }
        if (!problems.isEmpty()) {
            throw new ValidationException("Not saved: " + String.join("; ", problems));
        }
        Map<String, Object> sealed = secrets.sealAll(values);
        ConfigStore s = store;
        if (s != null && shared(factoryPid, pid)) {
            toCluster(s, factoryPid, pid, sealed);
        }
        for (String key : Collections.list(props.keys())) {
            props.remove(key);
        }
        sealed.forEach(props::put);
    }

    /**
     * Why a property name of a form cannot be stored, or null: an empty (or blank) name, or one with a control
     * character (NUL, a line break, a tab, DEL...). The form's {@code propertylist} is free text: such a name was
     * stored as given, a key no setting reads, that no file can hold and that the form then shows garbled.
     */
    static String badName(Collection<String> names) {
        for (String name : names) {
            if (name == null || name.isBlank()) {
                return "a property name is empty; give each property a name (the form's propertylist names them)";
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (Character.isISOControl(c)) {
                    return "property name '" + Echo.cut(name.replaceAll("\\p{Cc}", "?")) + "' holds a control"
                            + " character (U+" + String.format("%04X", (int) c) + " at " + (i + 1) + "); give a name"
                            + " of letters, digits, '.', '_' and '-'";
                }
            }
        }
        return null;
    }

    /** Whether a configuration is the cluster's (not the node's own: its console login, its cluster settings). */
    private static boolean shared(String factoryPid, String pid) {
        if (factoryPid != null) {
            return factoryPid.equals(Desired.DATABASE) || factoryPid.equals(Desired.TENANT);
        }
        return pid.startsWith("serv.") && !pid.equals("serv.console") && !pid.equals("serv.cluster");
    }

    /** Saves a form in the cluster's store; a new factory configuration is saved there only (see the class). */
    private static void toCluster(ConfigStore s, String factoryPid, String pid, Map<String, Object> sealed)
            throws ValidationException {
        Desired d;
        if (factoryPid == null) {
            d = Desired.configuration(pid, sealed);
        } else {
            Object name = sealed.get(Desired.TENANT.equals(factoryPid) ? "id" : "name");
            d = new Desired(factoryPid, name == null ? "default" : name.toString(), sealed);
        }
        boolean same = d.pid().equals(pid);
        long v;
        try {
            v = s.put(d, same ? s.version(pid) : ConfigStore.ABSENT);
        } catch (ConfigStore.Conflict | ConfigStore.Unavailable | IllegalArgumentException e) {
            throw new ValidationException("Not saved: " + e.getMessage());
        }
        if (!same) {
            throw new ValidationException("Saved in the cluster as " + d.label() + " (version " + v + "): every"
                    + " node, this one included, applies it within a second. Reload the list to see it.");
        }
    }

    @Override
    public void filterProperties(String factoryPid, String pid, Collection<String> propertyNames) {
        propertyNames.removeIf(name -> name.startsWith(".serv."));
    }

    /**
     * Why this edit cannot be saved because it changes what the configuration is, or null: a database's name or
     * tenant (the routes, extensions and tenants that use it name it: renamed, it would be a database none of them
     * uses, and they would answer 503), a tenant's id (its schema is named after it by default, so its requests would
     * go to another, empty schema). The admin API refuses a tenant's new id the same way.
     */
    private static String renamed(String factoryPid, Dictionary<String, Object> before, Map<String, Object> values) {
        List<String> keys = identityKeys(factoryPid);
        if (keys == null || before == null) {
            return null; // not a database or tenant, or a new configuration
        }
        for (String key : keys) {
            String was = identity(before::get, key);
            String now = identity(values::get, key);
            if (!was.equals(now)) {
                return Desired.DATABASE.equals(factoryPid)
                        ? "key '" + key + "': a database's " + key + " does not change ('" + was + "' here), since"
                                + " what uses the database names it; add a database for '" + now + "' and remove"
                                + " this one when nothing uses it"
                        : "key 'id': a tenant's id does not change ('" + was + "' here); add a new tenant and remove"
                                + " this one";
            }
        }
        return null;
    }

    /**
     * Why this configuration cannot be saved because another one has its identity, or null: a database's name (within
     * its tenant), a tenant's id. The form makes a new configuration under a PID of its own, so without this a second
     * configuration of a tenant would be saved and then refused by the tenant registry (the form saying saved).
     */
    private String taken(String factoryPid, String pid, Map<String, Object> values) throws IOException {
        List<String> keys = identityKeys(factoryPid);
        if (keys == null || identity(values::get, keys.get(0)).isEmpty()) {
            return null; // not a database or tenant, or a tenant without an id (the check says so)
        }
        try {
            Configuration[] all = cm.listConfigurations("(service.factoryPid=" + factoryPid + ")");
            for (Configuration c : all == null ? new Configuration[0] : all) {
                Dictionary<String, Object> p = Facts.properties(c);
                if (p == null || c.getPid().equals(pid)
                        || !keys.stream().allMatch(k -> identity(p::get, k).equals(identity(values::get, k)))) {
                    continue;
                }
                boolean database = Desired.DATABASE.equals(factoryPid);
                Object source = p.get(SOURCE);
                return "key '" + keys.get(0) + "': " + (database ? "database " : "tenant ")
                        + identity(values::get, keys.get(0)) + " already exists"
                        + (source == null ? "" : " (from " + source + ")") + "; edit that one, or give this one"
                        + " another " + (database ? "name" : "id");
            }
        } catch (InvalidSyntaxException e) {
            throw new IOException(e);
        }
        return null;
    }

    /** The keys that say which database (its name, its tenant) or tenant (its id) a configuration is; else null. */
    private static List<String> identityKeys(String factoryPid) {
        return Desired.DATABASE.equals(factoryPid) ? List.of("name", "tenant")
                : Desired.TENANT.equals(factoryPid) ? List.of("id") : null;
    }

    /** One of those keys' value as text: a database's name is {@code default} when not set, the others empty. */
    private static String identity(Function<String, Object> settings, String key) {
        Object v = settings.apply(key);
        return v != null ? v.toString() : key.equals("name") ? "default" : "";
    }

    private static String factoryPidOf(String pid, Configuration stored) {
        if (stored != null) {
            return stored.getFactoryPid();
        }
        int tilde = pid.indexOf('~');
        return tilde > 0 ? pid.substring(0, tilde) : null;
    }

    /** The stored configuration of {@code pid}, or null. */
    private Configuration find(String pid) throws IOException {
        try {
            Configuration[] found = cm.listConfigurations("(service.pid=" + pid + ")");
            return found == null || found.length == 0 ? null : found[0];
        } catch (InvalidSyntaxException e) {
            return null; // a PID that is no filter value: nothing of ours
        }
    }

    private Dictionary<String, Object> stored(String pid) throws IOException {
        Configuration c = find(pid);
        return c == null ? null : Facts.properties(c);
    }
}
