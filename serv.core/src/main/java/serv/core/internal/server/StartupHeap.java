package serv.core.internal.server;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the heap that starting the server took back to the operating system, once, when the framework has started
 * its bundles. Starting allocates far more than the server then keeps (bundle resolution, class loading, YAML,
 * metatype, JPA metadata: on the 2-core machine of issue #16, 96 MiB of heap committed for 19 MiB live), and G1
 * keeps what it committed: after one full collection with a low maximum free ratio it commits about 36 MiB. The
 * ratios are set back to what they were right after, so the heap grows under load as it would have. The collection
 * pauses the server once, for tens of milliseconds, as its first requests come in. The C heap's free memory is then
 * trimmed (glibc), at once and a minute later, when the JIT's first busy seconds have freed theirs (in one run 4
 * MiB at start, 20 MiB a minute later; what the JIT needs again it takes back). Resident memory when ready, 7 runs
 * on that machine: 137 MiB against 181 MiB without (bench/startup.sh).
 *
 * <p>It is skipped when the JVM's own options decide: a collector other than G1, {@code -XX:+DisableExplicitGC}, or
 * {@code MinHeapFreeRatio} / {@code MaxHeapFreeRatio} given on the command line; and when the framework property
 * {@value #PROPERTY} is {@code false}. The ratios are set through the platform MBean server (the HotSpot diagnostic
 * MBean), not {@code com.sun.management}, which the framework does not export to bundles.
 */
@Component(immediate = true, service = {})
public final class StartupHeap {

    /** The framework property that turns this off ({@code false}). */
    static final String PROPERTY = "serv.heap.compact_after_start";

    private static final Logger LOG = LoggerFactory.getLogger(StartupHeap.class);
    private static final long POLL_MS = 200;
    /** A start still going after this long is not waited for any more (a bundle that never starts). */
    private static final long GIVE_UP_MS = 10 * 60_000;
    /** When the C heap is trimmed a second time, after the start. */
    private static final long TRIM_AGAIN_S = 60;

    private final ScheduledExecutorService timer;

    @Activate
    public StartupHeap(BundleContext context) {
        if ("false".equalsIgnoreCase(String.valueOf(context.getProperty(PROPERTY)).strip())) {
            timer = null;
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "serv-startup-heap");
            t.setDaemon(true);
            return t;
        });
        FrameworkStart start = new FrameworkStart(context);
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GIVE_UP_MS);
        timer.schedule(new Runnable() {
            @Override
            public void run() {
                if (start.starting() && System.nanoTime() < giveUp) {
                    timer.schedule(this, POLL_MS, TimeUnit.MILLISECONDS);
                } else if (!start.starting() && compact()) {
                    // the JIT's busiest seconds follow the start and free their C memory: trimmed once more
                    timer.schedule(() -> {
                        LOG.debug("C heap trimmed a minute after start: {}",
                                trimNativeHeap(ManagementFactory.getPlatformMBeanServer()));
                        timer.shutdown();
                    }, TRIM_AGAIN_S, TimeUnit.SECONDS);
                } else {
                    timer.shutdown();
                }
            }
        }, POLL_MS, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /**
     * One full collection with G1 told to keep at most 30% of its heap free; the JVM's ratios back afterwards. True
     * when it collected. Once per JVM: the ratios' origin is then no longer the default.
     */
    static boolean compact() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName hotspot = new ObjectName("com.sun.management:type=HotSpotDiagnostic");
            if (!server.isRegistered(hotspot) || !"true".equals(option(server, hotspot, "UseG1GC")[0])
                    || "true".equals(option(server, hotspot, "DisableExplicitGC")[0])) {
                LOG.debug("Heap after start: left as it is (not G1, or explicit collections disabled)");
                return false;
            }
            String[] min = option(server, hotspot, "MinHeapFreeRatio");
            String[] max = option(server, hotspot, "MaxHeapFreeRatio");
            if (!"DEFAULT".equals(min[1]) || !"DEFAULT".equals(max[1])) {
                LOG.debug("Heap after start: left as it is (the JVM's options set its free ratios)");
                return false;
            }
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            long before = memory.getHeapMemoryUsage().getCommitted();
            long start = System.nanoTime();
            try {
                set(server, hotspot, "MinHeapFreeRatio", "10"); // the minimum first: it may not exceed the maximum
                set(server, hotspot, "MaxHeapFreeRatio", "30");
                System.gc();
            } finally {
                set(server, hotspot, "MaxHeapFreeRatio", max[0]);
                set(server, hotspot, "MinHeapFreeRatio", min[0]);
            }
            long after = memory.getHeapMemoryUsage().getCommitted();
            String trimmed = trimNativeHeap(server);
            LOG.info("Heap after start: {} MiB committed, {} MiB before; one collection of {} ms{}", after >> 20,
                    before >> 20, (System.nanoTime() - start) / 1_000_000,
                    trimmed.isEmpty() ? "" : "; C heap trimmed, " + trimmed);
            return true;
        } catch (JMException | RuntimeException e) {
            LOG.debug("Heap after start: left as it is ({})", e.toString());
            return false;
        }
    }

    /**
     * Hands the C heap's free memory back too ({@code jcmd <pid> System.trim_native_heap}: glibc keeps what class
     * loading, unzipping and the JIT freed); what it says ("RSS+Swap: 185M->181M (-3588K)"), or "" where the JVM
     * has no such command or the C library no such call.
     */
    private static String trimNativeHeap(MBeanServer server) {
        try {
            // a JVM without the command answers a ReflectionException (a JMException)
            Object said = server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "systemTrimNativeHeap", new Object[] { new String[0] }, new String[] { String[].class.getName() });
            // "Trim native heap: RSS+Swap: 141M->125M (-16736K)", or why not (another C library)
            String text = String.valueOf(said).strip();
            int at = text.indexOf("RSS");
            return at < 0 ? "" : text.substring(at);
        } catch (JMException | RuntimeException e) {
            return "";
        }
    }

    /** A VM option's value and origin. */
    private static String[] option(MBeanServer server, ObjectName hotspot, String name) throws JMException {
        CompositeData o = (CompositeData) server.invoke(hotspot, "getVMOption", new Object[] { name },
                new String[] { String.class.getName() });
        return new String[] { String.valueOf(o.get("value")), String.valueOf(o.get("origin")) };
    }

    private static void set(MBeanServer server, ObjectName hotspot, String name, String value) throws JMException {
        server.invoke(hotspot, "setVMOption", new Object[] { name, value },
                new String[] { String.class.getName(), String.class.getName() });
    }
}
