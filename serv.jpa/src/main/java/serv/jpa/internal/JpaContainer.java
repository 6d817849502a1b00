package serv.jpa.internal;

import java.util.Collection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.hooks.service.ListenerHook;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the JPA container (Apache Aries JPA) the first time JPA is needed, not with the server. The container reads
 * every persistence unit of the bundles it finds and has EclipseLink build the unit's metadata at once (its
 * "dummy" EntityManagerFactory, which weaving needs before an entity class loads): some 1,400 classes and a good
 * part of a second of CPU on the way to the first request, for a server whose extensions may not use JPA at all
 * (the blog's default repository is JDBC). So the container is installed at a start level after serv.jpa's
 * ({@code cnf/runtime.bndrun}); when this component activates, before that level comes, it marks the container
 * stopped (so that the framework does not start it at its level) and starts it here when:
 * <ul>
 * <li>a request asks {@code EntityManagers} for a unit that is not there yet ({@link #start(String)}, on that
 * request's thread: the container reads the units and registers their builders before it returns, so the request
 * goes on with its unit and the entities it then loads are woven);</li>
 * <li>or another bundle listens for a JPA service itself (an {@code EntityManagerFactory} or
 * {@code EntityManagerFactoryBuilder} reference, the OSGi JPA way without serv.jpa): seen by this listener hook,
 * the container is started on a thread of its own, and that component is satisfied when its unit is there.</li>
 * </ul>
 * Weaving works as before for an entity class that is first loaded through its EntityManager; one that an extension
 * loaded before it ever asked for its unit is not woven ({@link PersistenceUnits} says so when it builds the unit).
 * Once started, the container stays.
 */
// Immediate: it holds the container as serv.jpa starts, before the container's own start level comes.
@Component(service = { JpaContainer.class, ListenerHook.class }, immediate = true)
public final class JpaContainer implements ListenerHook {

    private static final Logger LOG = LoggerFactory.getLogger(JpaContainer.class);

    /** The OSGi JPA extender capability (OSGi Compendium 127) the container provides. */
    static final String EXTENDER = "osgi.jpa";

    private final BundleContext context;
    private final ExecutorService starter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "serv-jpa-container");
        t.setDaemon(true);
        return t;
    });
    /** Set once the container ran (or could not be found): nothing to do any more. */
    private volatile boolean done;

    @Activate
    public JpaContainer(BundleContext context) {
        this.context = context;
        hold();
    }

    /**
     * Keeps the container from starting with the server: marked stopped (a stop of a bundle that does not run only
     * records that it is not to be started), before the framework reaches its start level. Once serv.jpa does not
     * run, it stays as it is (started, if JPA was used).
     */
    private synchronized void hold() {
        Bundle container = container();
        if (container != null && (container.getState() & (Bundle.ACTIVE | Bundle.STARTING)) == 0) {
            try {
                container.stop();
            } catch (BundleException | IllegalStateException e) {
                LOG.debug("The JPA container starts with the server: {}", e.toString());
            }
        }
    }

    @Deactivate
    void deactivate() {
        starter.shutdownNow();
    }

    /**
     * Starts the JPA container now, on this thread, unless it runs already: its persistence units are then
     * registered (the container reads them while it starts). {@code why} says what needs it, for the log.
     */
    public void start(String why) {
        if (done) {
            return;
        }
        synchronized (this) {
            if (done) {
                return;
            }
            try {
                Bundle container = container();
                if (container == null) {
                    LOG.error("No JPA container (a bundle providing osgi.extender={}) is installed: {} cannot be"
                            + " served; serv.jar includes Apache Aries JPA, check that nothing removed it", EXTENDER,
                            why);
                } else if ((container.getState() & (Bundle.ACTIVE | Bundle.STARTING)) == 0) {
                    long begin = System.nanoTime();
                    container.start();
                    LOG.info("JPA container {} {} started for {} in {} ms", container.getSymbolicName(),
                            container.getVersion(), why, (System.nanoTime() - begin) / 1_000_000);
                }
                done = true;
            } catch (BundleException | IllegalStateException e) {
                // done stays false: the next request that needs JPA tries again (503 meanwhile)
                LOG.error("The JPA container could not be started for {}: {}", why, e.getMessage());
            }
        }
    }

    private Bundle container() {
        for (Bundle b : context.getBundles()) {
            BundleRevision revision = b.adapt(BundleRevision.class);
            if (revision == null || b.getState() == Bundle.UNINSTALLED) {
                continue;
            }
            for (BundleCapability c : revision.getDeclaredCapabilities("osgi.extender")) {
                if (EXTENDER.equals(c.getAttributes().get("osgi.extender"))) {
                    return b;
                }
            }
        }
        return null;
    }

    @Override
    public void added(Collection<ListenerInfo> listeners) {
        if (done) {
            return;
        }
        for (ListenerInfo info : listeners) {
            String filter = info.getFilter();
            if (filter != null && !info.isRemoved() && wantsJpaService(filter)
                    && info.getBundleContext().getBundle().getBundleId() != context.getBundle().getBundleId()) {
                String who = info.getBundleContext().getBundle().getSymbolicName();
                try {
                    starter.execute(() -> start(who + "'s reference " + filter));
                } catch (RejectedExecutionException stopping) {
                    // serv.jpa is stopping
                }
                return;
            }
        }
    }

    @Override
    public void removed(Collection<ListenerInfo> listeners) {
        // nothing: the container stays once started
    }

    /** Whether a service listener's filter looks for a service of the JPA container. */
    static boolean wantsJpaService(String filter) {
        return filter.contains("javax.persistence.EntityManagerFactory")
                || filter.contains("org.osgi.service.jpa.EntityManagerFactoryBuilder");
    }
}
