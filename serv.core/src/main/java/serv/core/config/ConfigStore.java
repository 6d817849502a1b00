package serv.core.config;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A configuration store shared by several servers (a cluster): what the Web Console's forms, the admin API and the
 * command line save goes here instead of this server's Configuration Admin, and every server applies it (the store
 * is also a {@link ConfigSource}). Each configuration is a record with a version; a write names the version it was
 * made on (compare-and-set), and a write made on an older version is refused, never applied over the newer one.
 * Registered only when the server is part of a cluster.
 */
@ProviderType
public interface ConfigStore {

    /** An expected version that accepts whatever is stored (a forced write). */
    long ANY = -1;
    /** An expected version that accepts only a configuration that does not exist (an add). */
    long ABSENT = 0;

    /** The store's name as a {@link ConfigSource} (the {@code .serv.source} of what it made): "cluster". */
    String name();

    /** The version of a configuration ({@link Desired#pid()}) as this server last read it; 0 when there is none. */
    long version(String pid);

    /**
     * Stores a configuration, secrets sealed or as {@code ${VAR}} references (never in clear); returns its new
     * version.
     *
     * @throws Conflict when the stored version is not {@code expected}
     * @throws Unavailable when the store cannot be reached (nothing was stored)
     * @throws IllegalArgumentException when a secret is in clear, or sealed with a key the other servers do not
     *             have (the message names the key and the fix)
     */
    long put(Desired desired, long expected) throws Conflict, Unavailable;

    /** Removes a configuration; returns the version of its removal. */
    long remove(String pid, long expected) throws Conflict, Unavailable;

    /**
     * The store's state as this server sees it (reachable or since when not, and why; the store's version and the
     * version this server applied), for /health, the console and the command line.
     */
    Map<String, Object> status();

    /**
     * The cluster's nodes as the store knows them: id, address, Serv version, last heartbeat, the version each has
     * applied, its databases' states. Empty while the store cannot be reached.
     */
    java.util.List<Map<String, Object>> nodes();

    /** A write made on another version than the stored one: nothing was written. */
    final class Conflict extends Exception {
        private static final long serialVersionUID = 1L;
        private final long current;

        public Conflict(String message, long current) {
            super(message);
            this.current = current;
        }

        /** The version stored now (0: none). */
        public long current() {
            return current;
        }
    }

    /** The store cannot be reached: nothing was written. */
    final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message) {
            super(message);
        }
    }
}
