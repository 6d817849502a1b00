package serv.core.internal.config;

import java.io.IOException;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.core.config.ConfigSource;
import serv.core.config.Desired;
import serv.core.config.Snapshot;

/**
 * Applies every {@link ConfigSource} to Configuration Admin, by one rule. Each configuration a source wants is
 * created or updated (only when it differs) and marked with the source's name ({@value #SOURCE}, a private
 * property); a marked configuration that no source wants any more is deleted, unless its source cannot be read
 * right now. When two sources want the same configuration, the higher {@code service.ranking} wins. A
 * configuration that an {@code etc/} file of FileInstall owns is left to that file.
 *
 * <p>With no database {@code default} anywhere, {@code default} is the embedded SQLite file {@code data/app.db}.
 * All work runs on one thread, in the order the sources changed.
 */
@Component(immediate = true, service = ConfigReconciler.class)
public final class ConfigReconciler {

    /** Private property of the configurations a source made: the source's name. */
    static final String SOURCE = ".serv.source";
    static final String EMBEDDED = "serv.embedded";
    static final String DEFAULT_DATABASE_URL = "sqlite:///data/app.db";
    /** Set by FileInstall on the configurations of etc/ files. */
    private static final String FILEINSTALL = "felix.fileinstall.filename";

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReconciler.class);

    private final ConfigurationAdmin cm;
    private final Map<ServiceReference<ConfigSource>, ConfigSource> sources = new java.util.concurrent.ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "serv-config");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean queued = new AtomicBoolean();
    /** The problems of each source last reported, so that each is logged once. */
    private final Map<String, List<String>> reported = new HashMap<>();

    @Activate
    public ConfigReconciler(@Reference ConfigurationAdmin cm) {
        this.cm = cm;
        reconcileSoon();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        worker.shutdownNow();
        worker.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindSource(ServiceReference<ConfigSource> ref, ConfigSource source) {
        sources.put(ref, source);
        reconcileSoon();
    }

    void updatedSource(ServiceReference<ConfigSource> ref, ConfigSource source) {
        reconcileSoon();
    }

    void unbindSource(ServiceReference<ConfigSource> ref, ConfigSource source) {
        // What the source made stays: a source goes away when its bundle stops, not because it wants nothing.
        sources.remove(ref);
    }

    /** Reconciles on the worker thread; requests made while one is queued are served by it. */
    private void reconcileSoon() {
        if (queued.compareAndSet(false, true)) {
            try {
                worker.execute(() -> {
                    queued.set(false);
                    try {
                        reconcile();
                    } catch (IOException | InvalidSyntaxException | RuntimeException e) {
                        LOG.error("The configuration could not be applied: {}", e.toString());
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                queued.set(false);
            }
        }
    }

    /** A configuration some source wants, and the source that wins it. */
    private record Wanted(Desired desired, String source) {
    }

    private void reconcile() throws IOException, InvalidSyntaxException {
        Map<String, Wanted> wanted = new LinkedHashMap<>();
        Set<String> unreadable = new HashSet<>();
        // ServiceReference order is ranking order: the highest ranking first.
        for (Map.Entry<ServiceReference<ConfigSource>, ConfigSource> e : new TreeMap<>(sources).descendingMap()
                .entrySet()) {
            String name = String.valueOf(e.getKey().getProperty(ConfigSource.NAME));
            Snapshot snapshot = e.getValue().snapshot();
            report(name, snapshot.problems(), snapshot.valid());
            if (!snapshot.valid()) {
                unreadable.add(name);
                continue;
            }
            for (Desired d : snapshot.desired()) {
                Wanted before = wanted.putIfAbsent(key(d.kind(), d.name()), new Wanted(d, name));
                if (before != null && !before.source().equals(name)) {
                    LOG.warn("{} {} is defined in {} and in {}; {} wins", label(d.kind()), d.name(), before.source(),
                            name, before.source());
                }
            }
        }
        if (!wanted.containsKey(key(Desired.Kind.DATABASE, "default")) && !fileDefinesDefault()) {
            wanted.put(key(Desired.Kind.DATABASE, "default"), new Wanted(new Desired(Desired.Kind.DATABASE,
                    "default", Map.of("url", DEFAULT_DATABASE_URL)), EMBEDDED));
        }
        for (Wanted w : wanted.values()) {
            apply(w);
        }
        Configuration[] marked = cm.listConfigurations("(" + SOURCE + "=*)");
        for (Configuration c : marked == null ? new Configuration[0] : marked) {
            Dictionary<String, Object> props = c.getProperties();
            Object owner = props == null ? null : props.get(SOURCE);
            if (owner == null || unreadable.contains(owner.toString()) || props.get(FILEINSTALL) != null) {
                continue;
            }
            if (!wanted.containsKey(key(c))) {
                c.delete();
                LOG.info("Configuration {} deleted: it is no longer in {}", c.getPid(), owner);
            }
        }
    }

    private void apply(Wanted w) throws IOException {
        Desired d = w.desired();
        Configuration config = d.kind().factoryPid() != null
                ? cm.getFactoryConfiguration(d.kind().factoryPid(), d.name(), "?")
                : cm.getConfiguration(d.name(), "?");
        Dictionary<String, Object> current = config.getProperties();
        if (current != null && current.get(FILEINSTALL) != null) {
            return; // an etc/ file owns it
        }
        Hashtable<String, Object> props = new Hashtable<>();
        d.properties().forEach((k, v) -> {
            if (v != null) {
                props.put(k, v);
            }
        });
        switch (d.kind()) {
            case DATABASE -> props.put("name", d.name());
            case TENANT -> props.put("id", d.name());
            case EXTENSION -> {
                // its PID names it
            }
        }
        props.put(SOURCE, w.source());
        if (!same(current, props)) {
            config.update(props);
            LOG.info("{} {}: configuration applied from {}", label(d.kind()), d.name(), w.source());
        }
    }

    /** True when an etc/ file defines database {@code default}: the built-in fallback then steps aside. */
    private boolean fileDefinesDefault() throws IOException, InvalidSyntaxException {
        Configuration[] all = cm.listConfigurations("(&(service.factoryPid=" + Desired.Kind.DATABASE.factoryPid()
                + ")(name=default)(" + FILEINSTALL + "=*))");
        return all != null && all.length > 0;
    }

    private void report(String source, List<String> problems, boolean valid) {
        List<String> before = reported.put(source, problems);
        if (problems.equals(before)) {
            return;
        }
        for (String p : problems) {
            if (before == null || !before.contains(p)) {
                if (valid) {
                    LOG.warn("{}: {}", source, p);
                } else {
                    LOG.error("{}", p);
                }
            }
        }
    }

    private static String key(Desired.Kind kind, String name) {
        return kind.name() + "/" + name;
    }

    /** The key of an existing configuration: its kind and name, from its PID. */
    private static String key(Configuration c) {
        String factory = c.getFactoryPid();
        if (factory != null) {
            String pid = c.getPid();
            int tilde = pid.indexOf('~');
            String name = tilde < 0 ? pid : pid.substring(tilde + 1);
            for (Desired.Kind kind : Desired.Kind.values()) {
                if (factory.equals(kind.factoryPid())) {
                    return key(kind, name);
                }
            }
            return "OTHER/" + pid;
        }
        return key(Desired.Kind.EXTENSION, c.getPid());
    }

    private static String label(Desired.Kind kind) {
        return switch (kind) {
            case DATABASE -> "Database";
            case TENANT -> "Tenant";
            case EXTENSION -> "Extension configuration";
        };
    }

    /** Whether the stored properties are the wanted ones (Configuration Admin's own keys aside). */
    static boolean same(Dictionary<String, Object> current, Map<String, Object> wanted) {
        if (current == null) {
            return false;
        }
        Map<String, Object> have = new HashMap<>();
        for (String key : Collections.list(current.keys())) {
            if (!key.startsWith("service.")) {
                have.put(key, current.get(key));
            }
        }
        if (!have.keySet().equals(wanted.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> e : wanted.entrySet()) {
            if (!text(have.get(e.getKey())).equals(text(e.getValue()))) {
                return false;
            }
        }
        return true;
    }

    /** A value as text, arrays element by element, so that 20 and "20" or two equal arrays compare the same. */
    private static String text(Object value) {
        if (value instanceof Object[] array) {
            return java.util.Arrays.deepToString(array);
        }
        return String.valueOf(value);
    }
}
