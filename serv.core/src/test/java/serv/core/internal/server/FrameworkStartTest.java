package serv.core.internal.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;

/**
 * The bnd launcher's start: the framework ACTIVE at level 1 while the levels are raised to the bundles' own, which
 * the system bundle's state does not show.
 */
class FrameworkStartTest {

    /** A framework at {@code active} whose system bundle is in {@code state}, with bundles at {@code levels}. */
    private static BundleContext framework(int state, int active, int... levels) {
        return framework(state, () -> active, levels);
    }

    private static BundleContext framework(int state, IntSupplier active, int... levels) {
        List<Bundle> bundles = new ArrayList<>();
        Bundle system = bundle(state, 0, active);
        bundles.add(system);
        for (int level : levels) {
            bundles.add(bundle(level < 0 ? Bundle.UNINSTALLED : Bundle.RESOLVED, Math.abs(level), active));
        }
        return (BundleContext) Proxy.newProxyInstance(FrameworkStartTest.class.getClassLoader(),
                new Class<?>[] { BundleContext.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "getBundle" -> Constants.SYSTEM_BUNDLE_LOCATION.equals(args[0]) ? system : null;
                    case "getBundles" -> bundles.toArray(Bundle[]::new);
                    // no deploy/ folder: no extension to wait for (DeployedAtStart)
                    case "getProperty" -> "felix.fileinstall.dir".equals(args[0]) ? "target/no-deploy-folder" : null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static Bundle bundle(int state, int level, IntSupplier active) {
        return (Bundle) Proxy.newProxyInstance(FrameworkStartTest.class.getClassLoader(), new Class<?>[] { Bundle.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "getState" -> state;
                    case "adapt" -> args[0] == FrameworkStartLevel.class ? startLevel(FrameworkStartLevel.class, active.getAsInt())
                            : args[0] == BundleStartLevel.class ? startLevel(BundleStartLevel.class, level) : null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static Object startLevel(Class<?> type, int level) {
        return Proxy.newProxyInstance(FrameworkStartTest.class.getClassLoader(), new Class<?>[] { type },
                (proxy, method, args) -> {
                    if (method.getName().equals("getStartLevel")) {
                        return level;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void anActiveFrameworkBelowItsBundlesLevelsIsStillStarting() {
        assertTrue(FrameworkStart.starting(framework(Bundle.ACTIVE, 1, 10, 320, 999)));
        assertTrue(FrameworkStart.starting(framework(Bundle.ACTIVE, 560, 10, 320, 590, 999)));
    }

    @Test
    void everyLevelReachedIsStarted() {
        assertFalse(FrameworkStart.starting(framework(Bundle.ACTIVE, 1000, 10, 320, 999)));
        // a bundle installed later (deploy/) at the framework's level or below does not make it "starting"
        assertFalse(FrameworkStart.starting(framework(Bundle.ACTIVE, 1000, 10, 1000)));
    }

    @Test
    void aSystemBundleStillStartingIsStarting() {
        assertTrue(FrameworkStart.starting(framework(Bundle.STARTING, 1000, 10)));
    }

    @Test
    void anUninstalledBundleAboveTheLevelDoesNotCount() {
        assertFalse(FrameworkStart.starting(framework(Bundle.ACTIVE, 1000, 10, -1200)));
    }

    @Test
    void onceStartedItStaysStartedWhileTheLevelsFallAtStop() {
        AtomicInteger active = new AtomicInteger(300);
        FrameworkStart start = new FrameworkStart(framework(Bundle.ACTIVE, active::get, 10, 320, 999));
        assertTrue(start.starting());
        active.set(1000);
        assertFalse(start.starting());
        active.set(500); // stopping: the framework lowers its start level
        assertFalse(start.starting());
    }
}
