package serv.core.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

class StartupHeapTest {

    @Test
    void aHeapFullOfStartupGarbageIsGivenBackAndTheJvmsRatiosStay() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        VMOption min = hotspot.getVMOption("MinHeapFreeRatio");
        VMOption max = hotspot.getVMOption("MaxHeapFreeRatio");
        boolean applies = "true".equals(hotspot.getVMOption("UseG1GC").getValue())
                && "false".equals(hotspot.getVMOption("DisableExplicitGC").getValue())
                && min.getOrigin() == VMOption.Origin.DEFAULT && max.getOrigin() == VMOption.Origin.DEFAULT;
        byte[][] garbage = new byte[64][];
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = new byte[1 << 20];
        }
        garbage = null;
        long before = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();

        assertEquals(applies, StartupHeap.compact());

        long after = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
        assertEquals(min.getValue(), hotspot.getVMOption("MinHeapFreeRatio").getValue());
        assertEquals(max.getValue(), hotspot.getVMOption("MaxHeapFreeRatio").getValue());
        if (applies) {
            assertTrue(after < before, "committed heap " + (before >> 20) + " MiB before, " + (after >> 20) + " after");
            assertEquals(false, StartupHeap.compact(), "once per JVM");
        }
    }
}
