package serv.core.internal.server;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.core.runtime.DeployedJars;

/**
 * The jars of {@code deploy/}, installed so that the folder's content decides what runs: FileInstall watches the
 * folder (and waits until a file stops growing) and hands every {@code *.jar} of it to this installer, which keeps one
 * bundle per extension (symbolic name) while a jar of it is in the folder.
 *
 * <p>Why not FileInstall's own bundle installer: it ties each file to a bundle. Two jars of one extension and one
 * version (a rebuild, another project's extension of the same name) were one bundle updated by the second, and
 * removing either file uninstalled it although the other was still there; two versions ran side by side, the older
 * one keeping the routes. A jar that is no bundle (a plain library, a fat jar, one cut short) was skipped without a
 * word. Here: of several jars of one extension the highest version serves, then the one copied last (the latest
 * modification time), then the name that sorts last ({@link DeployedJar#SERVES_FIRST}: the same choice after a
 * restart, from the files alone); the others are not installed, and a WARN names all of them and the fix. Removing
 * the one that serves updates the bundle from the next one (an update's outage: its routes answer 503 meanwhile, not
 * 404): it keeps its id and its data, and its location, which still names the removed jar, so which jar it runs from
 * is told by {@link #servingJar} (the console, the admin API and the command line name that one). Removing the last
 * jar uninstalls it, unless a new jar of it lies in the folder that FileInstall did not report yet (it reports a new
 * file a poll late, a removed one at once: a jar written in the place of another, as an upload or a cluster's new
 * version does): that one updates it, as above, and the extension is not installed anew. A jar that is no bundle is
 * named with why, and so is one the framework refuses. While it stands, each of these is a warning of {@code /health}
 * ({@code configuration.warnings}) and of {@code serv status}.
 *
 * <p>Otherwise this does what FileInstall did: a new bundle is started (unless {@link StoppedExtensions} holds it),
 * an updated one is stopped transiently, updated, refreshed and started again, and one that could not start is tried
 * again when other bundles change (an import that arrives later). A bundle uninstalled by other means (the Web
 * Console) is not installed again until one of its jars changes, as FileInstall did.
 */
@Component(immediate = true, service = { ArtifactInstaller.class, DeployFolder.class, DeployedJars.class },
        property = "service.ranking:Integer=100")
public final class DeployFolder implements ArtifactInstaller, DeployedJars {

    /** The framework's work waits this long after FileInstall's last word: one scan's files are one change. */
    static final long SETTLE_MS = 100;
    /**
     * How long an extension whose last jar FileInstall reported removed stays installed while another jar of it lies
     * in the folder that FileInstall has not reported yet: it reports a new file a poll after it appeared (once it
     * stopped growing), a removed one at once, so a jar written in place of another (an upload, a cluster's new
     * version) would otherwise uninstall the extension for a second and install it anew, with another bundle id.
     */
    static final long COMING_MS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(DeployFolder.class);

    /** The bundle installed for an extension, from which jar, as it was then. */
    private record Served(long bundleId, Path file, String stamp) {
    }

    private record Refusal(String stamp, String why) {
    }

    private final BundleContext context;
    private final Path deploy;
    /** The jars FileInstall reported, by file. */
    private final Map<Path, DeployedJar> files = new HashMap<>();
    /** Jars that became unreadable while a bundle was served from them: the bundle stays as it was. */
    private final Map<Path, String> unreadable = new HashMap<>();
    /** By symbolic name. Changed on the worker thread only; read by {@link #servingJar}. */
    private final Map<String, Served> served = new ConcurrentHashMap<>();
    /** Extensions without a reported jar kept installed for a jar not reported yet, since when (nanoTime). */
    private final Map<String, Long> coming = new HashMap<>();
    /** Extensions uninstalled by other means than their jars: not installed again until a jar of theirs changes. */
    private final Set<String> dropped = ConcurrentHashMap.newKeySet();
    /** Jars the framework refused, as they were then, with why: tried again when they change. Worker thread only. */
    private final Map<Path, Refusal> refused = new TreeMap<>();
    /** Bundles that did not start, tried again when others change, with the last reason logged. */
    private final Map<Long, String> notStarted = new ConcurrentHashMap<>();
    private volatile List<String> warnings = List.of();
    private final Set<String> logged = new LinkedHashSet<>();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "serv-deploy");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> pending;
    private final BundleListener changes = event -> {
        int type = event.getType();
        if (!notStarted.isEmpty() && (type == BundleEvent.INSTALLED || type == BundleEvent.RESOLVED
                || type == BundleEvent.UNINSTALLED || type == BundleEvent.UPDATED || type == BundleEvent.STARTED)) {
            schedule();
        }
    };

    @Activate
    public DeployFolder(BundleContext context) {
        this.context = context;
        this.deploy = ServerHome.deployFolder(context);
        context.addBundleListener(changes);
    }

    @Deactivate
    void deactivate() {
        try {
            context.removeBundleListener(changes);
        } catch (IllegalStateException stopping) {
            // the framework is gone already
        }
        worker.shutdownNow();
    }

    /** What an operator should fix in deploy/: jars that are no bundle, refused, or more than one per extension. */
    public List<String> warnings() {
        return warnings;
    }

    /** The jars of deploy/ that hold {@code symbolicName}, the one that serves first. */
    @Override
    public synchronized List<Path> jarsOf(String symbolicName) {
        List<DeployedJar> of = DeployedJar.byExtension(files.values()).get(symbolicName);
        return of == null ? List.of() : of.stream().map(DeployedJar::file).toList();
    }

    /** The jar the bundle was installed or last updated from, which its location does not say after a hand-over. */
    @Override
    public Optional<Path> servingJar(long bundleId) {
        return served.values().stream().filter(s -> s.bundleId() == bundleId).map(Served::file).findFirst();
    }

    @Override
    public boolean canHandle(File artifact) {
        Path file = artifact.toPath().toAbsolutePath().normalize();
        String name = file.getFileName().toString();
        return name.toLowerCase(java.util.Locale.ROOT).endsWith(".jar") && !name.startsWith(".")
                && deploy.equals(file.getParent()) && !Files.isDirectory(file);
    }

    @Override
    public void install(File artifact) {
        changed(artifact);
    }

    @Override
    public void update(File artifact) {
        changed(artifact);
    }

    @Override
    public void uninstall(File artifact) {
        synchronized (this) {
            Path file = path(artifact);
            files.remove(file);
            unreadable.remove(file);
        }
        schedule();
    }

    private void changed(File artifact) {
        Path file = path(artifact);
        DeployedJar jar = DeployedJar.read(file);
        synchronized (this) {
            DeployedJar before = files.get(file);
            if (!jar.bundle() && before != null && before.bundle()) {
                // Being written over, or cut short: what was installed from it stays until it is whole again.
                unreadable.put(file, jar.problem());
            } else {
                files.put(file, jar);
                unreadable.remove(file);
            }
            if (jar.bundle()) {
                dropped.remove(jar.symbolicName());
            }
        }
        schedule();
    }

    private static Path path(File artifact) {
        return artifact.toPath().toAbsolutePath().normalize();
    }

    private synchronized void schedule() {
        if (pending != null) {
            pending.cancel(false);
        }
        try {
            pending = worker.schedule(this::apply, SETTLE_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException deactivated) {
            // stopping
        }
    }

    /** Makes the framework hold what the folder says: one bundle per extension, from the jar that serves first. */
    private void apply() {
        try {
            Map<String, List<DeployedJar>> wanted;
            List<DeployedJar> problems;
            Map<Path, String> cut;
            synchronized (this) {
                wanted = DeployedJar.byExtension(files.values());
                problems = files.values().stream().filter(j -> !j.bundle()).toList();
                cut = new TreeMap<>(unreadable);
            }
            Set<String> names = new java.util.TreeSet<>(wanted.keySet());
            names.addAll(served.keySet());
            refused.entrySet().removeIf(e -> !stillRefused(wanted, e.getKey(), e.getValue()));
            List<Bundle> refresh = new ArrayList<>();
            List<Bundle> start = new ArrayList<>();
            for (String name : names) {
                List<DeployedJar> jars = wanted.get(name);
                Served s = served.get(name);
                Bundle b = s == null ? null : context.getBundle(s.bundleId());
                if (s != null && (b == null || b.getState() == Bundle.UNINSTALLED)) {
                    served.remove(name); // uninstalled by someone else: not again until a jar of it changes
                    dropped.add(name);
                    LOG.debug("Extension {} was uninstalled by other means than deploy/", name);
                    s = null;
                    b = null;
                }
                if (jars == null) {
                    if (b != null && coming(name)) {
                        continue; // a jar of it is there, not reported yet: the bundle is updated from it
                    }
                    coming.remove(name);
                    if (b != null) {
                        LOG.info("Extension {} uninstalled: no jar of it in deploy/ any more", name);
                        b.uninstall();
                        refresh.add(b);
                        served.remove(name);
                    }
                    continue;
                }
                coming.remove(name);
                if (dropped.contains(name)) {
                    continue;
                }
                DeployedJar jar = firstInstallable(jars);
                if (jar == null) {
                    continue;
                }
                if (b == null) {
                    Bundle installed = install(jar);
                    if (installed != null) {
                        served.put(name, new Served(installed.getBundleId(), jar.file(), jar.stamp()));
                        start.add(installed);
                    }
                } else if (!jar.file().equals(s.file()) || !jar.stamp().equals(s.stamp())) {
                    boolean persistent = persistentlyStarted(b);
                    LOG.info("Extension {} updated from {} ({})", name, jar.shown(), jar.version());
                    try (InputStream in = Files.newInputStream(jar.file())) {
                        if (b.getHeaders("").get(Constants.FRAGMENT_HOST) == null) {
                            b.stop(Bundle.STOP_TRANSIENT); // started once, after the refresh
                        }
                        b.update(in);
                        served.put(name, new Served(b.getBundleId(), jar.file(), jar.stamp()));
                        refresh.add(b);
                    } catch (BundleException | IOException e) {
                        refused.put(jar.file(), new Refusal(jar.stamp(), refusal(jar, e)));
                    }
                    if (persistent) {
                        start.add(b);
                    }
                }
            }
            warn(wanted, problems, cut); // before the starts: said by the time the extension serves
            refresh(refresh);
            for (Bundle b : start) {
                start(b);
            }
            retryStarts();
        } catch (IllegalStateException stopping) {
            // the framework or this bundle is stopping
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | BundleException e) {
            LOG.warn("Applying deploy/ failed: {}", e.toString());
        }
    }

    /**
     * Whether a jar of the extension lies in deploy/ that FileInstall has not reported (yet), for at most
     * {@link #COMING_MS}: then this is looked at again.
     */
    private boolean coming(String name) {
        long now = System.nanoTime();
        Long since = coming.get(name);
        if (since != null && now - since > TimeUnit.MILLISECONDS.toNanos(COMING_MS)) {
            return false;
        }
        Set<Path> known;
        synchronized (this) {
            known = Set.copyOf(files.keySet());
        }
        try (var list = Files.newDirectoryStream(deploy, "*.jar")) {
            for (Path f : list) {
                Path file = f.toAbsolutePath().normalize();
                if (!known.contains(file) && canHandle(file.toFile()) && Files.isRegularFile(file)) {
                    DeployedJar jar = DeployedJar.read(file);
                    if (jar.bundle() && name.equals(jar.symbolicName())) {
                        if (since == null) {
                            coming.put(name, now);
                            LOG.debug("Extension {}: its jar was removed, {} not reported yet: kept", name,
                                    jar.shown());
                        }
                        worker.schedule(this::apply, 1_000, TimeUnit.MILLISECONDS); // in case it never is
                        return true;
                    }
                }
            }
        } catch (IOException | RejectedExecutionException e) {
            return false;
        }
        return false;
    }

    /** Whether the refused jar is still there as it was refused. */
    private static boolean stillRefused(Map<String, List<DeployedJar>> wanted, Path file, Refusal r) {
        return wanted.values().stream().flatMap(List::stream)
                .anyMatch(j -> j.file().equals(file) && j.stamp().equals(r.stamp()));
    }

    /** The jar that serves first, passing over those the framework refused (until they change). */
    private DeployedJar firstInstallable(List<DeployedJar> jars) {
        for (DeployedJar j : jars) {
            if (!refused.containsKey(j.file())) { // a refused one changed is no longer listed (see apply)
                return j;
            }
        }
        return null;
    }

    private Bundle install(DeployedJar jar) {
        try (InputStream in = Files.newInputStream(jar.file())) {
            Bundle b = context.installBundle(jar.file().toUri().normalize().toString(), in);
            LOG.info("Extension {} {} installed from {}", jar.symbolicName(), jar.version(), jar.shown());
            return b;
        } catch (BundleException | IOException | SecurityException e) {
            refused.put(jar.file(), new Refusal(jar.stamp(), refusal(jar, e)));
            return null;
        }
    }

    private static String refusal(DeployedJar jar, Exception e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof BundleException be && be.getType() == BundleException.DUPLICATE_BUNDLE_ERROR) {
            why = "a bundle " + jar.symbolicName() + " " + jar.version() + " is already part of the server";
        }
        return "the framework refused it (" + why + "), so nothing is installed from it; fix the jar or remove it";
    }

    private static boolean persistentlyStarted(Bundle b) {
        BundleStartLevel level = b.adapt(BundleStartLevel.class);
        return level != null && level.isPersistentlyStarted();
    }

    /** Starts a bundle as FileInstall did, unless held stopped ({@link StoppedExtensions}) or a fragment. */
    private void start(Bundle b) {
        BundleStartLevel level = b.adapt(BundleStartLevel.class);
        if (b.getState() == Bundle.UNINSTALLED || b.getHeaders("").get(Constants.FRAGMENT_HOST) != null
                || (level != null && level.getStartLevel() == StoppedExtensions.HELD_START_LEVEL)) {
            notStarted.remove(b.getBundleId());
            return;
        }
        try {
            b.start(Bundle.START_ACTIVATION_POLICY);
            notStarted.remove(b.getBundleId());
        } catch (BundleException e) {
            String why = e.getMessage();
            if (!why.equals(notStarted.put(b.getBundleId(), why))) {
                LOG.warn("Extension {} {} of deploy/ does not start: {} (tried again when other bundles change)",
                        b.getSymbolicName(), b.getVersion(), why);
            }
        } catch (IllegalStateException gone) {
            notStarted.remove(b.getBundleId());
        }
    }

    private void retryStarts() {
        for (Long id : List.copyOf(notStarted.keySet())) {
            Bundle b = context.getBundle(id);
            if (b == null || b.getState() == Bundle.ACTIVE || b.getState() == Bundle.STARTING
                    || !persistentlyStarted(b)) {
                notStarted.remove(id);
            } else {
                start(b);
            }
        }
    }

    private void refresh(List<Bundle> bundles) throws InterruptedException {
        if (bundles.isEmpty()) {
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class)
                .refreshBundles(bundles, event -> done.countDown());
        if (!done.await(60, TimeUnit.SECONDS)) {
            LOG.warn("Refreshing {} took more than 60 s", bundles);
        }
    }

    /** The warnings as they stand; each logged once while it stands. */
    private void warn(Map<String, List<DeployedJar>> wanted, List<DeployedJar> problems, Map<Path, String> cut) {
        List<String> now = new ArrayList<>();
        for (DeployedJar p : problems) {
            now.add(p.shown() + ": " + p.problem());
        }
        cut.forEach((file, why) -> now.add("deploy/" + file.getFileName() + ": " + why
                + " (what was installed from it before goes on running)"));
        refused.forEach((file, r) -> now.add("deploy/" + file.getFileName() + ": " + r.why()));
        wanted.forEach((name, jars) -> {
            if (jars.size() > 1) {
                now.add(DeployedJar.duplicate(name, jars));
            }
        });
        now.sort(null);
        for (String w : now) {
            if (!logged.contains(w)) {
                LOG.warn("{}", w);
            }
        }
        logged.retainAll(now);
        logged.addAll(now);
        warnings = List.copyOf(now);
    }

    /** For tests and for {@link DeployedAtStart}: the jars of a folder that would serve, one per extension. */
    static List<DeployedJar> serving(Path folder) {
        List<DeployedJar> all = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return all;
        }
        try (var list = Files.newDirectoryStream(folder, "*.jar")) {
            for (Path f : list) {
                if (!f.getFileName().toString().startsWith(".") && Files.isRegularFile(f)) {
                    all.add(DeployedJar.read(f));
                }
            }
        } catch (IOException e) {
            LOG.warn("{} cannot be listed ({})", folder, e.toString());
        }
        return DeployedJar.byExtension(all).values().stream().map(l -> l.get(0)).toList();
    }
}
