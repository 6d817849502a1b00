package serv.core.internal.server;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;

/**
 * Whether the framework is still starting the runtime's bundles. Neither the system bundle's state nor the
 * framework's STARTED event says it under the bnd launcher: it starts the framework at start level 1 (ACTIVE,
 * STARTED) and only then raises the start level to the bundles' own, one level after the other. So the test is
 * the bundles themselves: some installed bundle's start level is above the framework's active one. Then FileInstall
 * installs the jars of deploy/ on its own thread: the server is starting until those found at the start are started.
 */
public final class FrameworkStart {

    private final BundleContext context;
    /** Once started, always started: the levels fall again only when the framework stops (that is draining). */
    private volatile boolean started;

    public FrameworkStart(BundleContext context) {
        this.context = context;
        DeployedAtStart.of(context); // made now, before FileInstall's level: it sees the extensions' start events
    }

    /**
     * {@link #starting(BundleContext)}, or an extension found in deploy/ at the start not started yet
     * ({@link DeployedAtStart}); asked until it first says no (a look at every bundle before, none after).
     */
    public boolean starting() {
        if (started) {
            return false;
        }
        boolean starting;
        try {
            starting = starting(context) || DeployedAtStart.of(context).pending();
        } catch (IllegalStateException stopping) {
            starting = false; // this bundle is stopping: the framework is not starting
        }
        started = !starting;
        return starting;
    }

    /** Whether the framework runs: neither starting nor stopping (whose bundle stops are not the operator's). */
    static boolean running(BundleContext context) {
        try {
            Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
            return system != null && system.getState() == Bundle.ACTIVE;
        } catch (IllegalStateException stopping) {
            return false;
        }
    }

    /**
     * True while a bundle's start level is above the framework's: the start levels are still being raised. An
     * extension the operator stopped, held at {@link StoppedExtensions#HELD_START_LEVEL}, does not count.
     */
    public static boolean starting(BundleContext context) {
        try {
            Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
            if (system == null) {
                return false;
            }
            if (system.getState() == Bundle.STARTING) {
                return true;
            }
            FrameworkStartLevel framework = system.adapt(FrameworkStartLevel.class);
            if (framework == null) {
                return false;
            }
            int active = framework.getStartLevel();
            for (Bundle b : context.getBundles()) {
                BundleStartLevel level = b.adapt(BundleStartLevel.class);
                if (level != null && level.getStartLevel() > active && b.getState() != Bundle.UNINSTALLED
                        && level.getStartLevel() != StoppedExtensions.HELD_START_LEVEL) {
                    return true;
                }
            }
            return false;
        } catch (IllegalStateException stopping) {
            return false; // this bundle is stopping: the framework is not starting
        }
    }
}
