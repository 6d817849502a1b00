package serv.core.internal.server;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * An extension the operator stopped stays stopped when the server restarts, until the operator starts it again.
 * The launcher starts the framework on a clean storage at every start (what the server runs comes from its files),
 * so the framework's own memory of a stopped bundle does not last: this component keeps it in
 * {@code data/stopped-extensions.json}, with the routes the extension had, so that they answer 503 naming it after
 * a restart, as before it (not 404).
 *
 * <p>A stop counts when it is the operator's: the bundle is no longer marked to start (a persistent stop, as the
 * console's and the admin API's stop make it, or the Web Console's Bundles page), while the framework runs. An
 * update or a refresh stops a bundle transiently and does not count; neither does the server's own stop. Starting
 * the extension (anyhow) forgets the stop; so does removing it.
 *
 * <p>How a stopped extension is kept from starting at the next start: the framework starts the runtime's bundles at
 * their start levels and FileInstall starts each jar of {@code deploy/} it installs, whatever it was before. So the
 * extension is moved to a start level the framework never reaches ({@link #HELD_START_LEVEL}) the moment it is
 * installed (or, for one inside serv.jar, before its start level comes) and marked stopped. Started again by anyone
 * (the console, the admin API, the Web Console's Bundles page: the bundle is then marked to start), it gets its own
 * start level back and the framework starts it, within {@value #WATCH_MS} ms. Why not a resolver hook: an extension
 * that cannot resolve fails FileInstall's start with an error in the log and shows as broken; a held one is resolved
 * and stopped, as it was.
 */
@Component(immediate = true, service = StoppedExtensions.class)
public final class StoppedExtensions implements SynchronousBundleListener {

    /** The start level of a held extension: above any the framework is set to. */
    public static final int HELD_START_LEVEL = Integer.MAX_VALUE;
    static final String FILE = "data/stopped-extensions.json";
    static final long WATCH_MS = 500;

    private static final Logger LOG = LoggerFactory.getLogger(StoppedExtensions.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /**
     * Serv's runtime bundles: a restart brings them back, whatever was done to them (serv.cluster too: a node that
     * came back without it would serve its own configuration instead of the cluster's).
     */
    private static final Set<String> RUNTIME = Set.of("serv.core", "serv.database", "serv.jpa", "serv.console",
            "serv.cluster");
    private static final Pattern IMPORTS_SERV_API = Pattern.compile("(^|,)\\s*serv\\.(core|database)\\s*(;|,|$)");

    /**
     * A route of a stopped extension, as it was bound before the stop, with its {@code service.ranking}: a route that
     * overrode another one's path holds it across a restart as before it (0 in files written before it was kept).
     */
    public record StoppedRoute(String path, Set<String> methods, String database, int ranking) {

        public StoppedRoute(String path, Set<String> methods, String database) {
            this(path, methods, database, 0);
        }
    }

    /** One stopped extension, as recorded. */
    record Stop(@JsonProperty("stopped_at") String stoppedAt, List<StoppedRoute> routes) {
    }

    /** What the route table gives and takes: the routes a stopping extension leaves, and those a held one had. */
    public interface RouteMemory {

        /** The routes of {@code bundle} that now answer 503 (it is stopping). */
        List<StoppedRoute> routesOf(Bundle bundle);

        /** {@code bundle} is held stopped: its recorded routes answer 503 naming it. */
        void restore(Bundle bundle, List<StoppedRoute> routes);
    }

    private final BundleContext context;
    /** The system bundle's context: where this listens to bundle events (see the constructor). */
    private final BundleContext events;
    private final Path file;
    /** The stopped extensions by symbolic name; written to {@link #file} at each change. */
    private final Map<String, Stop> stops = new TreeMap<>();
    /** Held bundles (by id) and the start level each had. */
    private final Map<Long, Integer> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "serv-stopped-extensions");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> watch;
    /** The held bundles this has tried to resolve. */
    private final Set<Long> resolveTried = ConcurrentHashMap.newKeySet();
    private volatile RouteMemory routes;

    @Activate
    public StoppedExtensions(BundleContext context) {
        this.context = context;
        this.file = ServerHome.home(context).resolve(FILE);
        stops.putAll(read(file));
        // On the system bundle's context, after the launcher's own listener: that one gives every bundle installed
        // or updated the launcher's default start level, and the framework calls the synchronous listeners of one
        // context in the order they were added (of different contexts, in no set order).
        this.events = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).getBundleContext();
        events.addBundleListener(this);
        for (Bundle b : context.getBundles()) {
            holdIfStopped(b);
        }
    }

    @Deactivate
    void deactivate() {
        try {
            events.removeBundleListener(this);
        } catch (IllegalStateException stopping) {
            // the framework is gone already
        }
        timer.shutdownNow();
    }

    /** The route table is there: the held extensions' routes answer 503 from now on. */
    public void attach(RouteMemory memory) {
        this.routes = memory;
        for (Long id : held.keySet()) {
            Bundle b = context.getBundle(id);
            Stop stop = b == null ? null : stop(b.getSymbolicName());
            if (stop != null) {
                memory.restore(b, stop.routes());
            }
        }
    }

    public void detach(RouteMemory memory) {
        if (routes == memory) {
            routes = null;
        }
    }

    /** Whether the operator stopped this extension and it is held at {@link #HELD_START_LEVEL}. */
    public static boolean held(Bundle b) {
        BundleStartLevel level = b.adapt(BundleStartLevel.class);
        return level != null && level.getStartLevel() == HELD_START_LEVEL;
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        Bundle b = event.getBundle();
        switch (event.getType()) {
            case BundleEvent.INSTALLED -> holdIfStopped(b);
            case BundleEvent.UPDATED -> {
                // A new jar of a held extension: still held (the launcher gave it its default start level).
                BundleStartLevel level = b.adapt(BundleStartLevel.class);
                if (held.containsKey(b.getBundleId()) && level != null && !level.isPersistentlyStarted()) {
                    level.setStartLevel(HELD_START_LEVEL);
                    resolveTried.remove(b.getBundleId()); // the new revision is resolved as the first was
                    watch();
                } else if (level != null && !level.isPersistentlyStarted()) {
                    holdUpdated(b, level);
                }
            }
            case BundleEvent.UNRESOLVED -> {
                if (held.containsKey(b.getBundleId())) {
                    resolveTried.remove(b.getBundleId()); // refreshed (FileInstall after an install): resolved again
                    watch();
                }
            }
            case BundleEvent.STOPPED -> {
                BundleStartLevel level = b.adapt(BundleStartLevel.class);
                if (level != null && !level.isPersistentlyStarted() && FrameworkStart.running(context)
                        && isExtension(b)) {
                    RouteMemory memory = routes;
                    List<StoppedRoute> gone = memory == null ? List.of() : memory.routesOf(b);
                    record(b.getSymbolicName(), new Stop(Instant.now().toString(), gone));
                    LOG.info("Extension {} stopped by the operator: it stays stopped after a restart until it is"
                            + " started again ({})", b.getSymbolicName(), FILE);
                }
            }
            case BundleEvent.STARTED -> {
                held.remove(b.getBundleId());
                if (forget(b.getSymbolicName())) {
                    LOG.info("Extension {} started: no longer kept stopped at a restart", b.getSymbolicName());
                }
            }
            case BundleEvent.UNINSTALLED -> {
                held.remove(b.getBundleId());
                if (FrameworkStart.running(context) && forget(b.getSymbolicName())) {
                    LOG.info("Extension {} removed: its stop is forgotten", b.getSymbolicName());
                }
            }
            default -> {
                // nothing to do
            }
        }
    }

    /** A bundle the operator had stopped: kept from starting, its routes answering 503. */
    private void holdIfStopped(Bundle b) {
        Stop stop = stop(b.getSymbolicName());
        if (stop == null || b.getState() == Bundle.ACTIVE || b.getState() == Bundle.UNINSTALLED
                || b.getHeaders("").get(Constants.FRAGMENT_HOST) != null || held.containsKey(b.getBundleId())) {
            return;
        }
        BundleStartLevel level = b.adapt(BundleStartLevel.class);
        if (level == null) {
            return;
        }
        int own = level.getStartLevel();
        held.put(b.getBundleId(), own == HELD_START_LEVEL ? 1 : own);
        level.setStartLevel(HELD_START_LEVEL); // recorded at once: no start of it from here on
        try {
            b.stop(); // marked stopped: a start by anyone from now on marks it to start again
        } catch (Exception e) {
            LOG.debug("Marking {} stopped: {}", b.getSymbolicName(), e.toString());
        }
        RouteMemory memory = routes;
        if (memory != null) {
            memory.restore(b, stop.routes());
        }
        LOG.info("Extension {} {} kept stopped, as the operator left it on {}; start it on the console's Extensions"
                + " page or with `serv extension start {}`", b.getSymbolicName(), b.getVersion(), stop.stoppedAt(),
                b.getSymbolicName());
        watch();
    }

    /**
     * A new jar of an extension the operator stopped while the server ran: held as one stopped before a restart, so
     * that it stays stopped (nobody starts it; FileInstall does not start a bundle that is not marked to start) and is
     * resolved and shown as stopped by the operator, not as installed but not resolved, until it is started. Its
     * routes still answer 503 naming it (the route table keeps them across the update).
     */
    private void holdUpdated(Bundle b, BundleStartLevel level) {
        Stop stop = stop(b.getSymbolicName());
        if (stop == null || b.getState() == Bundle.ACTIVE || b.getState() == Bundle.UNINSTALLED
                || b.getHeaders("").get(Constants.FRAGMENT_HOST) != null || held.containsKey(b.getBundleId())) {
            return;
        }
        int own = level.getStartLevel();
        held.put(b.getBundleId(), own == HELD_START_LEVEL ? 1 : own);
        level.setStartLevel(HELD_START_LEVEL);
        LOG.info("Extension {} {} deployed: kept stopped, as the operator stopped it on {}; start it on the console's"
                + " Extensions page or with `serv extension start {}`", b.getSymbolicName(), b.getVersion(),
                stop.stoppedAt(), b.getSymbolicName());
        watch();
    }

    /** While extensions are held: resolves them (so they show as stopped, not broken) and lets go those started. */
    private synchronized void watch() {
        if (watch == null || watch.isDone()) {
            try {
                watch = timer.scheduleWithFixedDelay(this::look, WATCH_MS, WATCH_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                // deactivated
            }
        }
    }

    private void look() {
        try {
            List<Bundle> unresolved = new ArrayList<>();
            for (Map.Entry<Long, Integer> e : held.entrySet()) {
                Bundle b = context.getBundle(e.getKey());
                if (b == null || b.getState() == Bundle.UNINSTALLED) {
                    held.remove(e.getKey());
                    continue;
                }
                BundleStartLevel level = b.adapt(BundleStartLevel.class);
                if (level != null && level.isPersistentlyStarted()) {
                    // Someone started it: its own start level back, and the framework starts it.
                    held.remove(e.getKey());
                    LOG.info("Extension {} is being started", b.getSymbolicName());
                    level.setStartLevel(e.getValue());
                } else if (b.getState() == Bundle.INSTALLED && resolveTried.add(e.getKey())) {
                    unresolved.add(b); // once: one whose imports nothing provides says so on the Extensions page
                }
            }
            if (!unresolved.isEmpty()) {
                FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION)
                        .adapt(FrameworkWiring.class);
                wiring.resolveBundles(unresolved);
            }
            synchronized (this) {
                if (held.isEmpty() && watch != null) {
                    watch.cancel(false);
                }
            }
        } catch (IllegalStateException stopping) {
            // the framework is stopping
        } catch (RuntimeException e) {
            LOG.warn("Looking at the stopped extensions failed: {}", e.toString());
        }
    }


    /** An extension of Serv, not one of its runtime bundles: it uses Serv's API or brings migrations. */
    static boolean isExtension(Bundle b) {
        String name = b.getSymbolicName();
        if (name == null || b.getBundleId() == 0 || RUNTIME.contains(name)) {
            return false;
        }
        Object imports = b.getHeaders("").get(Constants.IMPORT_PACKAGE);
        return (imports != null && IMPORTS_SERV_API.matcher(imports.toString()).find())
                || b.getEntry("serv/migrations/") != null;
    }

    private synchronized Stop stop(String symbolicName) {
        return symbolicName == null ? null : stops.get(symbolicName);
    }

    private synchronized void record(String symbolicName, Stop stop) {
        stops.put(symbolicName, stop);
        write();
    }

    private synchronized boolean forget(String symbolicName) {
        if (symbolicName == null || stops.remove(symbolicName) == null) {
            return false;
        }
        write();
        return true;
    }

    /** Written whole into a temporary file, then moved over the old one: a crash leaves one or the other. */
    private void write() {
        try {
            if (stops.isEmpty()) {
                Files.deleteIfExists(file);
                return;
            }
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), stops);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warn("{} could not be written ({}): the stopped extensions {} start again at the next start", file,
                    e.toString(), stops.keySet());
        }
    }

    /** The recorded stops; an unreadable file is named in the log and counts as none (every extension starts). */
    static Map<String, Stop> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Map.of();
        }
        try {
            Map<String, Stop> read = JSON.readValue(file.toFile(), new TypeReference<TreeMap<String, Stop>>() {
            });
            Map<String, Stop> valid = new TreeMap<>();
            read.forEach((name, stop) -> {
                if (name != null && stop != null) {
                    valid.put(name, new Stop(stop.stoppedAt() == null ? "an unknown date" : stop.stoppedAt(),
                            stop.routes() == null ? List.of() : stop.routes().stream()
                                    .filter(r -> r != null && r.path() != null && r.methods() != null)
                                    .map(r -> new StoppedRoute(r.path(), new TreeSet<>(r.methods()),
                                            r.database() == null ? "" : r.database(), r.ranking()))
                                    .toList()));
                }
            });
            return valid;
        } catch (IOException e) {
            LOG.warn("{} cannot be read ({}): the extensions stopped before the restart start; delete or fix the"
                    + " file", file, e.getMessage());
            return Map.of();
        }
    }
}
