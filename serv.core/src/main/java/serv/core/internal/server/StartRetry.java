package serv.core.internal.server;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts again a bundle whose start the framework gave up on for a reason of its own, not the bundle's: Felix fails a
 * bundle start with "Unable to acquire global lock for resolve" when the starting thread is interrupted while it waits
 * for another thread's resolve (seen in the integration tests on Felix's start-level thread, with
 * serv.blog left RESOLVED and every route 404 until a restart). The bundle is not at fault, and the framework does not
 * try again: this component does, a few times, for bundles that are meant to run (persistently started, within the
 * active start level), and says so in the log.
 */
@Component(immediate = true, service = {})
public final class StartRetry implements FrameworkListener {

    private static final Logger LOG = LoggerFactory.getLogger(StartRetry.class);
    private static final String LOCK_RACE = "Unable to acquire global lock";
    private static final int TRIES = 5;

    private final BundleContext context;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "serv-start-retry");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public StartRetry(BundleContext context) {
        this.context = context;
        context.addFrameworkListener(this);
    }

    @Deactivate
    void deactivate() {
        context.removeFrameworkListener(this);
        timer.shutdownNow();
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.ERROR && event.getBundle() != null
                && event.getThrowable() instanceof BundleException e && e.getMessage() != null
                && e.getMessage().contains(LOCK_RACE)) {
            Bundle bundle = event.getBundle();
            LOG.warn("Bundle {} did not start (the framework's resolve lock was not granted: {}); starting it again",
                    bundle.getSymbolicName(), e.getMessage());
            schedule(bundle, 1);
        }
    }

    private void schedule(Bundle bundle, int attempt) {
        try {
            timer.schedule(() -> retry(bundle, attempt), 200L * attempt, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // deactivated: the framework is stopping
        }
    }

    private void retry(Bundle bundle, int attempt) {
        if (!meantToRun(bundle)) {
            return;
        }
        try {
            bundle.start();
            LOG.info("Bundle {} started on try {}", bundle.getSymbolicName(), attempt + 1);
        } catch (BundleException | IllegalStateException | SecurityException e) {
            if (attempt < TRIES && e.getMessage() != null && e.getMessage().contains(LOCK_RACE)) {
                schedule(bundle, attempt + 1);
            } else {
                LOG.error("Bundle {} could not be started: {}", bundle.getSymbolicName(), e.getMessage());
            }
        }
    }

    /** Installed, not active, marked to start, and within the start level the framework is at. */
    private boolean meantToRun(Bundle bundle) {
        if ((bundle.getState() & (Bundle.INSTALLED | Bundle.RESOLVED)) == 0) {
            return false;
        }
        BundleStartLevel level = bundle.adapt(BundleStartLevel.class);
        FrameworkStartLevel framework = context.getBundle(0).adapt(FrameworkStartLevel.class);
        return level != null && framework != null && level.isPersistentlyStarted()
                && level.getStartLevel() <= framework.getStartLevel();
    }
}
