package serv.core.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Applies the application file {@code serv.config.yaml} (and {@code serv.<SERV_PROFILE>.config.yaml} merged over
 * it) to Configuration Admin: at start, and again within a second of every change.
 *
 * <p>Each database of the file becomes the factory configuration {@code serv.database~<name>}; the file's content
 * replaces the whole configuration, so a value removed from the file is removed from the server, and a database
 * removed from the file is deleted. The rule between sources is "last change wins": the file is re-applied when it
 * changes, an edit in the Web Console or in etc/ lasts until then. With no database {@code default} anywhere,
 * {@code default} is the embedded SQLite file {@code data/app.db}.
 */
@Component(immediate = true, service = ApplicationConfig.class)
public final class ApplicationConfig {

    static final String FILE = "serv.config.yaml";
    static final String DATABASE_FACTORY_PID = "serv.database";
    static final String DEFAULT_DATABASE_URL = "sqlite:///data/app.db";

    private static final Logger LOG = LoggerFactory.getLogger(ApplicationConfig.class);

    /** Loaded on first use: a server without serv.config.yaml does not pay for the YAML parser at start. */
    private static final class Yaml {
        static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());
    }

    /** Factory PID of tenants (serv.core.internal.tenant.Tenants). */
    static final String TENANT_FACTORY_PID = "serv.tenant";

    private final ConfigurationAdmin cm;
    private final Path home;
    private final String profile;
    private final ScheduledExecutorService watcher;
    private volatile Map<Path, FileTime> stamps = Map.of();
    /**
     * The configurations the file made, so that removing a database from the file deletes it. In memory only: the
     * framework cache, Configuration Admin's store with it, is new at every start.
     */
    private Set<String> appliedPids = Set.of();

    @Activate
    public ApplicationConfig(BundleContext context, @Reference ConfigurationAdmin cm,
            @Reference ServerHome serverHome) {
        this.cm = cm;
        this.home = serverHome.home();
        String p = context.getProperty("serv.profile"); // embedders and tests; else the environment
        if (p == null) {
            p = System.getenv("SERV_PROFILE");
        }
        this.profile = p == null || p.isBlank() ? null : p.strip();
        apply();
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "serv-config-watch");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::applyIfChanged, 1, 1, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        watcher.shutdownNow();
    }

    List<Path> files() {
        List<Path> files = new ArrayList<>();
        files.add(home.resolve(FILE));
        if (profile != null) {
            files.add(home.resolve("serv." + profile + ".config.yaml"));
        }
        return files;
    }

    private void applyIfChanged() {
        try {
            if (!stamps().equals(stamps)) {
                LOG.info("{} changed: applying it", FILE);
                apply();
            }
        } catch (RuntimeException e) {
            LOG.error("Applying {} failed: {}", FILE, e.getMessage(), e);
        }
    }

    private Map<Path, FileTime> stamps() {
        Map<Path, FileTime> out = new HashMap<>();
        for (Path f : files()) {
            try {
                out.put(f, Files.getLastModifiedTime(f));
            } catch (IOException absent) {
                out.put(f, FileTime.fromMillis(0));
            }
        }
        return out;
    }

    synchronized void apply() {
        stamps = stamps();
        Map<String, Object> merged = new LinkedHashMap<>();
        for (Path f : files()) {
            if (!Files.isRegularFile(f)) {
                continue;
            }
            try {
                Map<String, Object> doc = Yaml.MAPPER.readValue(Files.readString(f, StandardCharsets.UTF_8),
                        new TypeReference<Map<String, Object>>() {
                        });
                if (doc != null) {
                    deepMerge(merged, doc);
                }
            } catch (JacksonException e) {
                LOG.error("{} is not valid YAML (line {}): {}; fix the file, nothing of it was applied", f.getFileName(),
                        e.getLocation() == null ? "?" : e.getLocation().getLineNr(), e.getOriginalMessage());
                return;
            } catch (IOException e) {
                LOG.error("{} cannot be read: {}", f, e.getMessage());
                return;
            }
        }
        Map<String, Map<String, Object>> databases;
        try {
            databases = databases(merged);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; nothing of it was applied", FILE, e.getMessage());
            return;
        }
        try {
            applyDatabases(databases);
        } catch (IOException | InvalidSyntaxException e) {
            LOG.error("{} could not be applied to Configuration Admin: {}", FILE, e.getMessage(), e);
        }
        try {
            applyExtensions(extensions(merged));
        } catch (IOException | InvalidSyntaxException e) {
            LOG.error("{} could not be applied to Configuration Admin: {}", FILE, e.getMessage(), e);
        }
        try {
            applyTenants(tenants(merged));
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; its tenants were not applied", FILE, e.getMessage());
        } catch (IOException | InvalidSyntaxException e) {
            LOG.error("{} could not be applied to Configuration Admin: {}", FILE, e.getMessage(), e);
        }
    }

    /**
     * The tenants of a merged document, id to the properties of their {@code serv.tenant} configuration: the
     * {@code database:} map flattened to {@code database_url}, {@code database_schema}, ...; lists as arrays.
     */
    static Map<String, Map<String, Object>> tenants(Map<String, Object> doc) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        Object all = doc.get("tenants");
        if (all == null) {
            return out;
        }
        if (!(all instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("'tenants' must be a map of tenant id to settings");
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String id = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> settings)) {
                throw new IllegalArgumentException("'tenants." + id + "' must be a map of settings");
            }
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("id", id);
            for (Map.Entry<?, ?> s : settings.entrySet()) {
                String key = String.valueOf(s.getKey());
                if (key.equals("database")) {
                    if (!(s.getValue() instanceof Map<?, ?> db)) {
                        throw new IllegalArgumentException("'tenants." + id + ".database' must be a map (url, "
                                + "password, schema, pool_size, max_size)");
                    }
                    for (Map.Entry<?, ?> d : db.entrySet()) {
                        String k = String.valueOf(d.getKey());
                        props.put(k.equals("pool_size") || k.equals("max_size") ? k : "database_" + k, d.getValue());
                    }
                } else {
                    props.put(key, s.getValue());
                }
            }
            props.replaceAll((k, v) -> v instanceof List<?> list
                    ? list.stream().map(String::valueOf).toArray(String[]::new) : v);
            out.put(id, props);
        }
        return out;
    }

    /** The tenant configurations this file made; one it no longer names is deleted. */
    private Set<String> appliedTenantPids = Set.of();

    private void applyTenants(Map<String, Map<String, Object>> tenants) throws IOException, InvalidSyntaxException {
        Set<String> applied = new TreeSet<>();
        for (Map.Entry<String, Map<String, Object>> e : tenants.entrySet()) {
            Hashtable<String, Object> props = new Hashtable<>();
            e.getValue().forEach((k, v) -> {
                if (v != null) {
                    props.put(k, v instanceof Map ? v.toString() : v);
                }
            });
            Configuration config = cm.getFactoryConfiguration(TENANT_FACTORY_PID, e.getKey(), "?");
            applied.add(config.getPid());
            if (config.updateIfDifferent(props)) {
                LOG.info("Tenant {}: configuration applied from {}", e.getKey(), FILE);
            }
        }
        for (String pid : appliedTenantPids) {
            if (!applied.contains(pid)) {
                Configuration[] gone = cm.listConfigurations(
                        "(&(service.pid=" + pid + ")(!(felix.fileinstall.filename=*)))");
                if (gone != null) {
                    for (Configuration c : gone) {
                        c.delete();
                    }
                    LOG.info("Tenant configuration {} deleted: it is no longer in {}", pid, FILE);
                }
            }
        }
        appliedTenantPids = applied;
    }

    /**
     * The settings of extensions other than {@code database}, by configuration PID: the seed's
     * {@code - extension: blog / settings: {...}} configures PID {@code serv.blog}.
     */
    static Map<String, Map<String, Object>> extensions(Map<String, Object> doc) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        if (doc.get("extensions") instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> ext && ext.get("extension") != null
                        && !"database".equals(String.valueOf(ext.get("extension")))) {
                    String name = String.valueOf(ext.get("extension")).strip();
                    Map<String, Object> settings = ext.get("settings") instanceof Map<?, ?> m ? stringKeys(m)
                            : new LinkedHashMap<>();
                    out.merge(name.startsWith("serv.") ? name : "serv." + name, settings, (a, b) -> {
                        Map<String, Object> merged = new LinkedHashMap<>(a);
                        merged.putAll(b);
                        return merged;
                    });
                }
            }
        }
        return out;
    }

    /** The extension configurations this file made; one it no longer names is deleted (the defaults apply). */
    private Set<String> appliedExtensionPids = Set.of();

    private void applyExtensions(Map<String, Map<String, Object>> extensions)
            throws IOException, InvalidSyntaxException {
        for (Map.Entry<String, Map<String, Object>> e : extensions.entrySet()) {
            Map<String, Object> props = new LinkedHashMap<>();
            e.getValue().forEach((k, v) -> {
                if (v != null) {
                    props.put(k, v instanceof Map || v instanceof List ? v.toString() : v);
                }
            });
            Configuration config = cm.getConfiguration(e.getKey(), "?");
            if (config.getProperties() != null && config.getProperties().get("felix.fileinstall.filename") != null) {
                continue; // an etc/ file owns this configuration
            }
            if (!same(config.getProperties(), props)) {
                config.update(new Hashtable<>(props));
                LOG.info("Extension configuration {} applied from {}", e.getKey(), FILE);
            }
        }
        for (String pid : appliedExtensionPids) {
            if (!extensions.containsKey(pid)) {
                Configuration[] gone = cm.listConfigurations(
                        "(&(service.pid=" + pid + ")(!(felix.fileinstall.filename=*)))");
                if (gone != null) {
                    for (Configuration c : gone) {
                        c.delete();
                    }
                    LOG.info("Configuration {} deleted: it is no longer in {}", pid, FILE);
                }
            }
        }
        appliedExtensionPids = Set.copyOf(extensions.keySet());
    }

    /** The databases a merged document defines, name to settings. */
    static Map<String, Map<String, Object>> databases(Map<String, Object> doc) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        Object dbs = doc.get("databases");
        if (dbs != null) {
            if (!(dbs instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("'databases' must be a map of name to settings");
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getValue() instanceof Map<?, ?> settings)) {
                    throw new IllegalArgumentException("'databases." + e.getKey() + "' must be a map of settings");
                }
                out.put(e.getKey().toString(), stringKeys(settings));
            }
        }
        Object exts = doc.get("extensions");
        if (exts instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> ext && "database".equals(String.valueOf(ext.get("extension")))
                        && ext.get("settings") instanceof Map<?, ?> settings) {
                    // The seed's form: "- extension: database / settings: database_url: ..." configures "default".
                    Map<String, Object> s = stringKeys(settings);
                    Object url = s.remove("database_url");
                    if (url != null) {
                        s.put("url", url);
                    }
                    out.merge("default", s, (a, b) -> {
                        Map<String, Object> m = new LinkedHashMap<>(a);
                        m.putAll(b);
                        return m;
                    });
                }
            }
        } else if (exts != null) {
            throw new IllegalArgumentException("'extensions' must be a list");
        }
        return out;
    }

    private void applyDatabases(Map<String, Map<String, Object>> databases) throws IOException, InvalidSyntaxException {
        Set<String> applied = new TreeSet<>();
        if (!databases.containsKey("default") && !otherDefaultExists()) {
            databases.put("default", new LinkedHashMap<>(Map.of("url", DEFAULT_DATABASE_URL)));
        }
        for (Map.Entry<String, Map<String, Object>> e : databases.entrySet()) {
            String name = e.getKey();
            Hashtable<String, Object> props = new Hashtable<>();
            e.getValue().forEach((k, v) -> {
                if (v != null) {
                    props.put(k, v instanceof Map || v instanceof List ? v.toString() : v);
                }
            });
            props.put("name", name);
            Configuration config = cm.getFactoryConfiguration(DATABASE_FACTORY_PID, name, "?");
            applied.add(config.getPid());
            if (!same(config.getProperties(), props)) {
                config.update(props);
                LOG.info("Database {}: configuration applied from {}", name, FILE);
            }
        }
        for (String pid : appliedPids) {
            if (!applied.contains(pid)) {
                // an etc/ file that took the configuration over owns it now
                Configuration[] gone = cm.listConfigurations(
                        "(&(service.pid=" + pid + ")(!(felix.fileinstall.filename=*)))");
                if (gone != null) {
                    for (Configuration c : gone) {
                        c.delete();
                    }
                    LOG.info("Configuration {} deleted: it is no longer in {}", pid, FILE);
                }
            }
        }
        appliedPids = applied;
    }

    /** True when an etc/ file defines database {@code default}: the built-in fallback then steps aside. */
    private boolean otherDefaultExists() throws IOException, InvalidSyntaxException {
        Configuration[] all = cm.listConfigurations(
                "(&(service.factoryPid=" + DATABASE_FACTORY_PID + ")(name=default)(felix.fileinstall.filename=*))");
        return all != null && all.length > 0;
    }

    private static boolean same(Dictionary<String, Object> current, Map<String, Object> wanted) {
        if (current == null) {
            return false;
        }
        Map<String, Object> have = new HashMap<>();
        for (String key : java.util.Collections.list(current.keys())) {
            if (!key.startsWith("service.")) {
                have.put(key, current.get(key));
            }
        }
        if (!have.keySet().equals(wanted.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> e : wanted.entrySet()) {
            if (!Objects.equals(String.valueOf(have.get(e.getKey())), String.valueOf(e.getValue()))) {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static void deepMerge(Map<String, Object> into, Map<String, Object> over) {
        for (Map.Entry<String, Object> e : over.entrySet()) {
            Object mine = into.get(e.getKey());
            if (mine instanceof Map && e.getValue() instanceof Map) {
                Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) mine);
                deepMerge(copy, (Map<String, Object>) e.getValue());
                into.put(e.getKey(), copy);
            } else {
                into.put(e.getKey(), e.getValue());
            }
        }
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}
