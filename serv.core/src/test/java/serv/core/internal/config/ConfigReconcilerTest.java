package serv.core.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.MetaTypeService;

import serv.core.config.ConfigSource;
import serv.core.config.Desired;
import serv.core.config.Snapshot;
import serv.core.internal.server.ServerHome;

/**
 * The reconciler on a Configuration Admin kept in a map, with etc/ (ranking 10, read from a folder) and a
 * serv.config.yaml source (ranking 0) whose snapshot the test sets: a file of etc/ that cannot be read holds what it
 * made, and only that, while the other files of etc/ apply.
 */
class ConfigReconcilerTest {

    @TempDir
    Path home;

    /** Stored configurations by PID. */
    private final Map<String, Hashtable<String, Object>> stored = Collections.synchronizedMap(new LinkedHashMap<>());
    private ConfigReconciler reconciler;
    private volatile Snapshot yaml = new Snapshot(true, List.of(), List.of());
    private ServiceReference<ConfigSource> etcRef;
    private ConfigSource etcSource;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(home.resolve("etc"));
        BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { BundleContext.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "getProperty" -> "serv.home".equals(args[0]) ? home.toString() : null;
                    case "getBundles" -> new Bundle[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        ConfigurationAdmin cm = (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { ConfigurationAdmin.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "listConfigurations" -> list((String) args[0]);
                    case "getConfiguration" -> configuration((String) args[0]);
                    case "getFactoryConfiguration" -> configuration(args[0] + "~" + args[1]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        MetaTypeService metatype = (MetaTypeService) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { MetaTypeService.class }, (proxy, method, args) -> null);
        ConfigSource file = () -> yaml;
        etcSource = () -> EtcDirectory.read(home.resolve("etc"));
        reconciler = new ConfigReconciler(context, cm, new SecretBox(new byte[32]), new ServerHome(context, cm),
                metatype, file, etcSource);
        etcRef = ref(EtcDirectory.NAME, 10);
        reconciler.bindSource(ref(ApplicationFile.FILE, 0), file);
        reconciler.bindSource(etcRef, etcSource);
        reconciler.awaitRuns();
    }

    @AfterEach
    void stop() throws Exception {
        reconciler.deactivate();
    }

    /** etc/ changed: the reconciler reads it again (as when its version changes) and applies it. */
    private void etcChanged() throws Exception {
        reconciler.updatedSource(etcRef, etcSource);
        reconciler.awaitRuns();
    }

    private void write(String file, String text) throws Exception {
        Files.writeString(home.resolve("etc").resolve(file), text, StandardCharsets.UTF_8);
    }

    private void writeLatin1(String file, String text) throws Exception {
        Files.write(home.resolve("etc").resolve(file), text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private Object stored(String pid, String key) {
        Hashtable<String, Object> p = stored.get(pid);
        return p == null ? null : p.get(key);
    }

    @Test
    void aFileThatCannotBeReadHoldsWhatItMadeWhileTheOtherFilesApply() throws Exception {
        write("serv.database-main.cfg", "url=sqlite:///data/main.db\npool_size=3\n");
        write("serv.database-analytics.cfg", "url=sqlite:///data/analytics.db\n");
        write("serv.tenant-acme.cfg", "hosts=acme.localhost\n");
        etcChanged();
        assertEquals("3", stored("serv.database~main", "pool_size"));
        assertEquals("sqlite:///data/analytics.db", stored("serv.database~analytics", "url"));
        assertEquals(List.of(), reconciler.warnings());

        // analytics saved in Latin-1, changed at the same time; main and a tenant changed, a tenant added
        writeLatin1("serv.database-analytics.cfg", "url=sqlite:///data/caf\u00e9.db\n");
        write("serv.database-main.cfg", "url=sqlite:///data/main.db\npool_size=5\n");
        write("serv.tenant-acme.cfg", "hosts=acme.example.com\n");
        write("serv.tenant-globex.cfg", "hosts=globex.localhost\n");
        etcChanged();

        assertEquals("5", stored("serv.database~main", "pool_size"), "another file's change is applied");
        assertEquals("acme.example.com", stored("serv.tenant~acme", "hosts"));
        assertEquals("globex.localhost", stored("serv.tenant~globex", "hosts"));
        assertEquals("sqlite:///data/analytics.db", stored("serv.database~analytics", "url"), "held as it was");
        assertEquals(List.of("etc/serv.database-analytics.cfg is not UTF-8 text (line 1, byte 0xE9): save it as"
                + " UTF-8; until then the file is not applied, and what it made stays as it is (the rest of etc/ is"
                + " applied)"), reconciler.warnings());

        // past the removal grace, it is still there: a held configuration is not one its source left out
        Thread.sleep(ConfigReconciler.REMOVAL_GRACE_NANOS / 1_000_000 + 300);
        etcChanged();
        assertEquals("sqlite:///data/analytics.db", stored("serv.database~analytics", "url"));
        assertEquals(EtcDirectory.NAME, stored("serv.database~analytics", ConfigReconciler.SOURCE));

        // fixed: applied, and the warning goes
        write("serv.database-analytics.cfg", "url=sqlite:///data/caf\u00e9.db\n");
        etcChanged();
        assertEquals("sqlite:///data/caf\u00e9.db", stored("serv.database~analytics", "url"));
        assertEquals(List.of(), reconciler.warnings());
    }

    @Test
    void aHeldConfigurationIsNotHandedToSourceOfALowerRanking() throws Exception {
        write("serv.database-analytics.cfg", "url=sqlite:///data/etc.db\n");
        yaml = new Snapshot(true, List.of(Desired.database("analytics", Map.of("url", "sqlite:///data/yaml.db")),
                Desired.database("reports", Map.of("url", "sqlite:///data/reports.db"))), List.of());
        etcChanged();
        assertEquals("sqlite:///data/etc.db", stored("serv.database~analytics", "url"), "etc/ wins");

        write("serv.database-analytics.cfg", "url=C:\\users\\etc.db\n");
        yaml = new Snapshot(true, List.of(Desired.database("analytics", Map.of("url", "sqlite:///data/yaml.db")),
                Desired.database("reports", Map.of("url", "sqlite:///data/reports2.db"))), List.of());
        etcChanged();

        assertEquals("sqlite:///data/etc.db", stored("serv.database~analytics", "url"));
        assertEquals(EtcDirectory.NAME, stored("serv.database~analytics", ConfigReconciler.SOURCE));
        assertEquals("sqlite:///data/reports2.db", stored("serv.database~reports", "url"), "the file applies");
        List<String> warnings = reconciler.warnings();
        assertTrue(warnings.contains("database analytics is defined in etc and in serv.config.yaml; etc wins: define"
                + " it in one place"), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("etc/serv.database-analytics.cfg (line 1, key"
                + " 'url'): a backslash followed by 'u'")), warnings.toString());
    }

    @Test
    void aFileThatWasNeverReadableMakesNothingAndTakesNothingFromAnotherSource() throws Exception {
        yaml = new Snapshot(true, List.of(Desired.database("reports", Map.of("url", "sqlite:///data/one.db"))),
                List.of());
        write("serv.database-main.cfg", "url=sqlite:///data/main.db\n");
        writeLatin1("serv.database-analytics.cfg", "url=sqlite:///data/caf\u00e9.db\n");
        writeLatin1("serv.database-reports.cfg", "url=sqlite:///data/caf\u00e9.db\n");
        etcChanged();

        assertNull(stored.get("serv.database~analytics"));
        assertEquals("sqlite:///data/main.db", stored("serv.database~main", "url"));
        assertEquals("sqlite:///data/one.db", stored("serv.database~reports", "url"));

        yaml = new Snapshot(true, List.of(Desired.database("reports", Map.of("url", "sqlite:///data/two.db"))),
                List.of());
        etcChanged();
        assertEquals("sqlite:///data/two.db", stored("serv.database~reports", "url"), "serv.config.yaml's to change");
        assertEquals(ApplicationFile.FILE, stored("serv.database~reports", ConfigReconciler.SOURCE));
    }

    @Test
    void aNewServersDefaultIsNotMadeWhileTheFileThatConfiguresItCannotBeRead() throws Exception {
        assertEquals(ConfigReconciler.DEFAULT_DATABASE_URL, stored("serv.database~default", "url"));
        stored.remove("serv.database~default"); // as a new home before its first run
        writeLatin1("serv.database-default.cfg", "url=sqlite:///data/caf\u00e9.db\n");
        etcChanged();
        assertNull(stored.get("serv.database~default"), "not the embedded SQLite meanwhile");
        assertFalse(reconciler.warnings().isEmpty());
    }

    private Configuration[] list(String filter) throws Exception {
        Filter f = FrameworkUtil.createFilter(filter);
        List<Configuration> out = new ArrayList<>();
        for (Map.Entry<String, Hashtable<String, Object>> e : new ArrayList<>(stored.entrySet())) {
            if (f.match(e.getValue())) {
                out.add(configuration(e.getKey()));
            }
        }
        return out.isEmpty() ? null : out.toArray(Configuration[]::new);
    }

    private Configuration configuration(String pid) {
        return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { Configuration.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "getPid" -> pid;
                    case "getProperties" -> {
                        Dictionary<String, Object> p = stored.get(pid);
                        yield p == null ? null : new Hashtable<>(stored.get(pid));
                    }
                    case "update" -> {
                        @SuppressWarnings("unchecked")
                        Dictionary<String, Object> d = (Dictionary<String, Object>) args[0];
                        Hashtable<String, Object> p = new Hashtable<>();
                        for (String k : Collections.list(d.keys())) {
                            p.put(k, d.get(k));
                        }
                        p.put(Constants.SERVICE_PID, pid);
                        int tilde = pid.indexOf('~');
                        if (tilde > 0) {
                            p.put("service.factoryPid", pid.substring(0, tilde));
                        }
                        stored.put(pid, p);
                        yield null;
                    }
                    case "delete" -> {
                        stored.remove(pid);
                        yield null;
                    }
                    case "hashCode" -> pid.hashCode();
                    case "equals" -> proxy == args[0];
                    case "toString" -> "Configuration " + pid;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A source's service reference: its name and ranking; the higher ranking compares greater, as the framework's. */
    @SuppressWarnings("unchecked")
    private static ServiceReference<ConfigSource> ref(String name, int ranking) {
        return (ServiceReference<ConfigSource>) Proxy.newProxyInstance(ConfigReconcilerTest.class.getClassLoader(),
                new Class<?>[] { ServiceReference.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "getProperty" -> switch ((String) args[0]) {
                        case ConfigSource.NAME -> name;
                        case Constants.SERVICE_RANKING -> ranking;
                        default -> null;
                    };
                    case "compareTo" -> Integer.compare(ranking, (Integer) ((ServiceReference<?>) args[0])
                            .getProperty(Constants.SERVICE_RANKING));
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "ConfigSource " + name;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
