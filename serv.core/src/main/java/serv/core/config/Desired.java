package serv.core.config;

import java.util.Map;

/**
 * One configuration a {@link ConfigSource} wants to exist.
 *
 * @param kind what it configures
 * @param name the database's or tenant's name, or the extension's configuration PID ({@code serv.blog})
 * @param properties its settings, as the configuration's properties (values as written: {@code ${VAR}} references
 *            stay unresolved; Serv resolves them where they are used)
 */
public record Desired(Kind kind, String name, Map<String, Object> properties) {

    /** What a configuration configures, and under which PID it lives in Configuration Admin. */
    public enum Kind {
        /** A database: the factory configuration {@code serv.database~<name>}. */
        DATABASE("serv.database"),
        /** A tenant: the factory configuration {@code serv.tenant~<id>}. */
        TENANT("serv.tenant"),
        /** An extension's settings: the configuration of PID {@code <name>}. */
        EXTENSION(null);

        private final String factoryPid;

        Kind(String factoryPid) {
            this.factoryPid = factoryPid;
        }

        /** The factory PID of this kind's configurations; null when each has a PID of its own. */
        public String factoryPid() {
            return factoryPid;
        }
    }

    public Desired {
        properties = Map.copyOf(properties);
    }
}
