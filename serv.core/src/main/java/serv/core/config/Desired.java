package serv.core.config;

import java.util.Map;

/**
 * One configuration a {@link ConfigSource} wants to exist in Configuration Admin.
 *
 * @param factoryPid the factory PID of a factory configuration ({@code serv.database}, {@code serv.tenant}); null
 *            for a configuration of its own PID
 * @param name the factory configuration's name (a database's or tenant's name), or the PID of a configuration of
 *            its own ({@code serv.blog})
 * @param properties its settings, as the configuration's properties (values as written: {@code ${VAR}} references
 *            stay unresolved; Serv resolves them where they are used)
 */
public record Desired(String factoryPid, String name, Map<String, Object> properties) {

    /** The factory PID of databases. */
    public static final String DATABASE = "serv.database";
    /** The factory PID of tenants. */
    public static final String TENANT = "serv.tenant";

    public Desired {
        properties = Map.copyOf(properties);
    }

    /** A database: the factory configuration {@code serv.database~<name>}. */
    public static Desired database(String name, Map<String, Object> properties) {
        return new Desired(DATABASE, name, properties);
    }

    /** A tenant: the factory configuration {@code serv.tenant~<id>}. */
    public static Desired tenant(String id, Map<String, Object> properties) {
        return new Desired(TENANT, id, properties);
    }

    /** The configuration of PID {@code pid} (an extension's settings, say {@code serv.blog}). */
    public static Desired configuration(String pid, Map<String, Object> properties) {
        return new Desired(null, pid, properties);
    }

    /** The PID it has in Configuration Admin: {@code factoryPid~name}, or the name. */
    public String pid() {
        return factoryPid == null ? name : factoryPid + "~" + name;
    }

    /** How an operator calls it: "database default", "tenant acme", "configuration serv.blog". */
    public String label() {
        if (DATABASE.equals(factoryPid)) {
            return "database " + name;
        }
        if (TENANT.equals(factoryPid)) {
            return "tenant " + name;
        }
        return factoryPid == null ? "configuration " + name : "configuration " + pid();
    }
}
