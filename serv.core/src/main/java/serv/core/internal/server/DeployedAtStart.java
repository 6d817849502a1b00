package serv.core.internal.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extensions in {@code deploy/} when the server started, until they are started. The launcher starts the
 * framework on a clean storage, so FileInstall installs every jar of {@code deploy/} again at each start, on its own
 * thread and after the runtime's start levels are reached: before this, a server answered {@code /health} 200 while
 * an extension's routes still answered 404 (for up to a second here), and a load balancer sent them requests. Until
 * each jar found at the start is started (a fragment: resolved), the server is starting ({@link FrameworkStart}); one
 * that does not start (its imports cannot be wired, its activator throws) is given up after {@value #STUCK_S} s
 * installed, and all after {@value #GIVE_UP_S} s, with a warning naming them; the console's Extensions page says why.
 *
 * <p>Why not FileInstall's own word: it says nothing when its first scan is done. The jars are read here (their
 * symbolic name and version), as FileInstall reads them: *.jar files whose names do not start with a dot.
 */
final class DeployedAtStart {

    static final int STUCK_S = 3;
    static final int GIVE_UP_S = 30;
    private static final Logger LOG = LoggerFactory.getLogger(DeployedAtStart.class);
    /** One per framework: the framework this bundle runs in, and this bundle's classes, go together. */
    private static DeployedAtStart instance;

    private record Jar(String file, String symbolicName, Version version) {
    }

    private final BundleContext context;
    private final List<Jar> expected;
    private final long since = System.nanoTime();
    /** When each jar's bundle was first seen installed and not started, by file. */
    private final Map<String, Long> seenStuck = new HashMap<>();
    private boolean done;

    /**
     * The bundles whose STARTED event was delivered to an asynchronous listener, so after every synchronous one:
     * SCR's too, which activates their components and registers their routes. A bundle is ACTIVE before that
     * (here, about 10 ms before its route was bound: a 404 after a 200 on /health).
     */
    private final Set<Long> startedEvents = ConcurrentHashMap.newKeySet();
    private final BundleListener starts = event -> {
        if (event.getType() == BundleEvent.STARTED) {
            startedEvents.add(event.getBundle().getBundleId());
        }
    };

    private DeployedAtStart(BundleContext context, List<Jar> expected) {
        this.context = context;
        this.expected = expected;
        done = expected.isEmpty();
        if (!done) {
            context.addBundleListener(starts);
            for (Bundle b : context.getBundles()) {
                if (b.getState() == Bundle.ACTIVE) {
                    startedEvents.add(b.getBundleId()); // started before this looked
                }
            }
        }
    }

    static synchronized DeployedAtStart of(BundleContext context) {
        if (instance == null) {
            instance = new DeployedAtStart(context, jars(ServerHome.deployFolder(context)));
        }
        return instance;
    }

    /**
     * The bundles among the jars of {@code deploy}: their file, symbolic name and version; of several jars of one
     * extension, the one {@link DeployFolder} installs.
     */
    private static List<Jar> jars(Path deploy) {
        List<Jar> jars = new ArrayList<>();
        for (DeployedJar j : DeployFolder.serving(deploy)) {
            jars.add(new Jar(j.file().getFileName().toString(), j.symbolicName(), j.version()));
        }
        return jars;
    }

    /** Whether an extension of deploy/ found at the start is not started yet (and not given up). */
    synchronized boolean pending() {
        if (done) {
            return false;
        }
        long now = System.nanoTime();
        Bundle[] installed = context.getBundles();
        List<String> waiting = new ArrayList<>();
        List<String> stuck = new ArrayList<>();
        for (Jar jar : expected) {
            Bundle b = find(installed, jar);
            if (b == null) {
                waiting.add(jar.file());
                continue;
            }
            boolean fragment = b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
            if (fragment ? (b.getState() & (Bundle.RESOLVED | Bundle.ACTIVE)) != 0
                    : b.getState() == Bundle.ACTIVE && startedEvents.contains(b.getBundleId())) {
                continue;
            }
            if (StoppedExtensions.held(b)) {
                continue; // the operator stopped it: it stays stopped
            }
            long first = seenStuck.computeIfAbsent(jar.file(), f -> now);
            if (now - first > TimeUnit.SECONDS.toNanos(STUCK_S)) {
                stuck.add(jar.file() + " (" + jar.symbolicName() + ")");
            } else {
                waiting.add(jar.file());
            }
        }
        boolean late = now - since > TimeUnit.SECONDS.toNanos(GIVE_UP_S);
        if (!waiting.isEmpty() && !late) {
            return true;
        }
        done = true;
        try {
            context.removeBundleListener(starts);
        } catch (IllegalStateException stopping) {
            // this bundle is stopping
        }
        if (!stuck.isEmpty() || !waiting.isEmpty()) {
            stuck.addAll(waiting);
            LOG.warn("Extension(s) of deploy/ {} did not start ({} s); serving without them: see the console's"
                    + " Extensions page, or FileInstall's log line, for why", stuck, late ? GIVE_UP_S : STUCK_S);
        } else {
            LOG.debug("The {} extension(s) of deploy/ are started", expected.size());
        }
        return false;
    }

    private static Bundle find(Bundle[] installed, Jar jar) {
        for (Bundle b : installed) {
            if (jar.symbolicName().equals(b.getSymbolicName()) && jar.version().equals(b.getVersion())) {
                return b;
            }
        }
        return null;
    }
}
