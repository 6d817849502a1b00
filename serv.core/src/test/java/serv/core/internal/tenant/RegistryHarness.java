package serv.core.internal.tenant;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import serv.core.internal.config.EnvInterpolation;
import serv.core.internal.config.SecretBox;
import serv.database.Databases;

/**
 * A {@link TenantRegistry} on fakes: a Configuration Admin that holds its configurations in a map (and answers
 * filters), databases that open nothing, the tenants' clock. The test hands configurations over as Configuration Admin
 * would ({@link #tenant}).
 */
final class RegistryHarness implements AutoCloseable {

    final Path home;
    /** Stored configurations by PID, in the order they were stored. */
    final Map<String, Hashtable<String, Object>> stored = new LinkedHashMap<>();
    final ConfigurationAdmin cm;
    final TenantClock clock = new TenantClock();
    final TenantRegistry registry;

    RegistryHarness(Path home) throws Exception {
        this.home = home;
        this.cm = (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { ConfigurationAdmin.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "listConfigurations" -> list((String) args[0]);
                    case "getConfiguration", "getFactoryConfiguration" -> configuration(args[0] + (method.getName()
                            .startsWith("getFactory") ? "~" + args[1] : ""));
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { BundleContext.class }, (proxy, method, args) -> {
                    if (method.getName().equals("getProperty")) {
                        return "serv.home".equals(args[0]) ? home.toString() : null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        EnvInterpolation env = new EnvInterpolation(new SecretBox(context));
        Databases databases = (Databases) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { Databases.class }, (proxy, method, args) -> {
                    if (method.getName().equals("problems")) {
                        return List.of();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        TenancyConfiguration tenancy = (TenancyConfiguration) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { TenancyConfiguration.class }, (proxy, method, args) -> "site");
        registry = new TenantRegistry(cm, databases, clock, env, tenancy, home);
    }

    /** Stores a database configuration of the server (no tenant). */
    void database(String name, String url) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("service.factoryPid", "serv.database");
        p.put("service.pid", "serv.database~" + name);
        p.put("name", name);
        if (url != null) {
            p.put("url", url);
        }
        stored.put("serv.database~" + name, p);
        registry.serverDatabasesChanged();
        registry.sharedDefaultChanged();
    }

    /** Stores a tenant configuration and hands it to the registry, as Configuration Admin does. */
    void tenant(String pid, Map<String, ?> props) {
        Hashtable<String, Object> p = new Hashtable<>(props);
        p.put("service.factoryPid", TenantSettings.FACTORY_PID);
        p.put("service.pid", pid);
        stored.put(pid, p);
        registry.updated(pid, p);
    }

    /**
     * Stores a tenant configuration as a save through the admin API does, without handing it over yet: Configuration
     * Admin tells its synchronous listeners on the saving thread, and the registry later, on its own.
     */
    void save(String pid, Map<String, ?> props) {
        Hashtable<String, Object> p = new Hashtable<>(props);
        p.put("service.factoryPid", TenantSettings.FACTORY_PID);
        p.put("service.pid", pid);
        stored.put(pid, p);
        @SuppressWarnings("unchecked")
        org.osgi.framework.ServiceReference<ConfigurationAdmin> ref = (org.osgi.framework.ServiceReference<
                ConfigurationAdmin>) Proxy.newProxyInstance(getClass().getClassLoader(),
                        new Class<?>[] { org.osgi.framework.ServiceReference.class }, (proxy, method, args) -> null);
        registry.configurationEvent(new org.osgi.service.cm.ConfigurationEvent(ref,
                org.osgi.service.cm.ConfigurationEvent.CM_UPDATED, TenantSettings.FACTORY_PID, pid));
    }

    /** Hands a stored configuration over, as Configuration Admin does after {@link #save}. */
    void handOver(String pid) {
        registry.updated(pid, new Hashtable<>(stored.get(pid)));
    }

    /** What a save through the admin API is checked with. */
    List<String> check(Map<String, ?> props) {
        try {
            TenantConfigCheck check = new TenantConfigCheck();
            java.lang.reflect.Field f = TenantConfigCheck.class.getDeclaredField("tenants");
            f.setAccessible(true);
            f.set(check, registry);
            return check.problems(props);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private Configuration[] list(String filter) throws Exception {
        Filter f = FrameworkUtil.createFilter(filter);
        List<Configuration> out = new ArrayList<>();
        for (Map.Entry<String, Hashtable<String, Object>> e : stored.entrySet()) {
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
                    case "hashCode" -> pid.hashCode();
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Override
    public void close() {
        registry.deactivate();
        clock.deactivate();
    }
}
