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
 *
 * <p>Behind a load balancer, a node must leave its pool before it stops taking requests: for
 * {@code SERV_DRAIN_SECONDS} (framework property {@code serv.drain.seconds}; default 0, and 5 in a cluster) after
 * SIGTERM, {@code /health} answers 503 {@code DRAINING} while every request is still served; only then does the
 * framework stop.
 */
@Component(immediate = true, service = GracefulShutdown.class)
public final class GracefulShutdown {

    /** The drain of a node in a cluster when SERV_DRAIN_SECONDS does not say. */
    static final int CLUSTER_DRAIN_SECONDS = 5;
    /** The longest drain asked for that is kept; more is taken as this. */
    static final int MAX_DRAIN_SECONDS = 300;
    private volatile boolean draining;
    private final Bundle system;
    private final FrameworkStart start;

    /** Longest wait for the framework to stop before the JVM exits anyway. */
    static final long STOP_TIMEOUT_MS = 20_000;
    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);

    private final Thread hook;

    @Activate
    public GracefulShutdown(BundleContext context) {
        Bundle system = context.getBundle(0);
        this.system = system;
        this.start = new FrameworkStart(context);
        hook = new Thread(() -> {
            drain(context);
            stop(this.system);
        }, "serv-shutdown");
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

    /**
     * Whether the server is still starting: the framework is still raising its start level to its bundles'
     * ({@link FrameworkStart}), so some extensions' routes may not be there. /health answers 503 meanwhile, so
     * that a load balancer (or a script waiting for the server) sends it nothing its routes are not there for yet.
     */
    public boolean starting() {
        return start.starting();
    }

    /** Whether the server is stopping: /health answers 503 so that load balancers send it nothing more. */
    public boolean draining() {
        return draining;
    }

    private void drain(BundleContext context) {
        int seconds;
        try {
            seconds = drainSeconds(context);
        } catch (IllegalStateException stopped) {
            return;
        }
        if (seconds <= 0) {
            return;
        }
        draining = true;
        LOG.info("Draining for {} s: /health answers 503, requests are still served", seconds);
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int drainSeconds(BundleContext context) {
        String v = context.getProperty("serv.drain.seconds");
        if (v == null) {
            v = System.getenv("SERV_DRAIN_SECONDS");
        }
        if (v != null && !v.isBlank()) {
            try {
                int asked = Integer.parseInt(v.strip());
                int seconds = Math.max(0, Math.min(MAX_DRAIN_SECONDS, asked));
                if (seconds != asked) {
                    LOG.warn("SERV_DRAIN_SECONDS={} is out of range; draining {} s (give 0 to {})", asked, seconds,
                            MAX_DRAIN_SECONDS);
                }
                return seconds;
            } catch (NumberFormatException e) {
                LOG.warn("SERV_DRAIN_SECONDS={} is not a whole number of seconds; using the default", v);
            }
        }
        return context.getServiceReference(serv.core.config.ConfigStore.class) != null ? CLUSTER_DRAIN_SECONDS : 0;
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
