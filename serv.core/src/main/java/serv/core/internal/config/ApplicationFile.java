package serv.core.internal.config;

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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
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

import serv.core.config.ConfigSource;
import serv.core.config.Desired;
import serv.core.config.Snapshot;
import serv.core.internal.server.ServerHome;

/**
 * The application file {@code serv.config.yaml}, with {@code serv.<SERV_PROFILE>.config.yaml} merged over it, as a
 * {@link ConfigSource} (ranking 0): its databases, tenants and extension settings. The files are looked at every
 * second; a change bumps the source's version and the {@link ConfigReconciler} applies it.
 */
@Component(immediate = true, service = {})
public final class ApplicationFile implements ConfigSource {

    static final String FILE = "serv.config.yaml";

    private static final Logger LOG = LoggerFactory.getLogger(ApplicationFile.class);

    /** Loaded on first use: a server without serv.config.yaml does not pay for the YAML parser at start. */
    private static final class Yaml {
        static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());
    }

    private final Path home;
    private final String profile;
    private final ScheduledExecutorService watcher;
    private final ServiceRegistration<ConfigSource> registration;
    private volatile Map<Path, FileTime> stamps;
    private long version;

    @Activate
    public ApplicationFile(BundleContext context, @Reference ServerHome serverHome) {
        this.home = serverHome.home();
        String p = context.getProperty("serv.profile"); // embedders and tests; else the environment
        if (p == null) {
            p = System.getenv("SERV_PROFILE");
        }
        this.profile = p == null || p.isBlank() ? null : p.strip();
        this.stamps = stamps();
        registration = context.registerService(ConfigSource.class, this, properties());
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "serv-config-watch");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::checkForChanges, 1, 1, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        watcher.shutdownNow();
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping
        }
    }

    private synchronized Dictionary<String, Object> properties() {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(ConfigSource.NAME, FILE);
        props.put(ConfigSource.VERSION, version);
        props.put(Constants.SERVICE_RANKING, 0);
        return props;
    }

    private void checkForChanges() {
        Map<Path, FileTime> now = stamps();
        if (!now.equals(stamps)) {
            stamps = now;
            LOG.info("{} changed: applying it", FILE);
            synchronized (this) {
                version++;
            }
            registration.setProperties(properties());
        }
    }

    List<Path> files() {
        List<Path> files = new ArrayList<>();
        files.add(home.resolve(FILE));
        if (profile != null) {
            files.add(home.resolve("serv." + profile + ".config.yaml"));
        }
        return files;
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

    @Override
    public Snapshot snapshot() {
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
                return Snapshot.unreadable(f.getFileName() + " is not valid YAML (line "
                        + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + "): "
                        + e.getOriginalMessage() + "; fix the file, nothing of it was applied");
            } catch (IOException e) {
                return Snapshot.unreadable(f + " cannot be read: " + e.getMessage());
            }
        }
        try {
            List<Desired> desired = new ArrayList<>();
            databases(merged).forEach((name, settings) -> desired.add(
                    new Desired(Desired.Kind.DATABASE, name, flat(settings))));
            extensions(merged).forEach((pid, settings) -> desired.add(
                    new Desired(Desired.Kind.EXTENSION, pid, flat(settings))));
            tenants(merged).forEach((id, settings) -> desired.add(new Desired(Desired.Kind.TENANT, id, settings)));
            return new Snapshot(true, desired, List.of());
        } catch (IllegalArgumentException e) {
            return Snapshot.unreadable(FILE + ": " + e.getMessage() + "; nothing of it was applied");
        }
    }

    /** Settings as configuration values: maps and lists as their text, nulls left out. */
    private static Map<String, Object> flat(Map<String, Object> settings) {
        Map<String, Object> out = new LinkedHashMap<>();
        settings.forEach((k, v) -> {
            if (v != null) {
                out.put(k, v instanceof Map || v instanceof List ? v.toString() : v);
            }
        });
        return out;
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
            props.values().removeIf(java.util.Objects::isNull);
            props.replaceAll((k, v) -> v instanceof List<?> list
                    ? list.stream().map(String::valueOf).toArray(String[]::new)
                    : v instanceof Map ? v.toString() : v);
            out.put(id, props);
        }
        return out;
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
