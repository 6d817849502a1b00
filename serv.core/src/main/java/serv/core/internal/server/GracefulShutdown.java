package serv.core.internal.server;

import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the OSGi framework in order when the JVM is asked to stop (SIGTERM, Ctrl-C): in-flight requests finish,
 * pools drain and close, before the process exits. The bnd launcher's own hook only deletes its temporary files.
 */
@Component(immediate = true, service = {})
public final class GracefulShutdown {

    /** Longest wait for the framework to stop before the JVM exits anyway. */
    static final long STOP_TIMEOUT_MS = 20_000;
    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);

    private final Thread hook;

    @Activate
    public GracefulShutdown(BundleContext context) {
        Bundle system = context.getBundle(0);
        hook = new Thread(() -> stop(system), "serv-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Deactivate
    void deactivate() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it is what stops us
        }
    }

    private static void stop(Bundle system) {
        if (system.getState() != Bundle.ACTIVE) {
            return;
        }
        LOG.info("Stopping Serv");
        long start = System.nanoTime();
        try {
            system.stop();
            if (system instanceof Framework framework) {
                framework.waitForStop(STOP_TIMEOUT_MS);
            }
        } catch (BundleException | InterruptedException | IllegalStateException e) {
            LOG.warn("Serv did not stop cleanly: {}", e.getMessage());
            return;
        }
        // This line goes to stderr: the logging bundles are stopped by now.
        System.err.printf("Serv stopped in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
}
