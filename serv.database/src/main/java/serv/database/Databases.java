package serv.database;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Opens databases from settings given in code, rather than from a {@code serv.database} configuration: what
 * tenants do (a tenant's pool opens on its first request and closes when idle, without a configuration event). A
 * database opened here is published and behaves exactly like a configured one (states, probes, migrations,
 * {@code /health}); only its life is in the caller's hands.
 *
 * @since 1.4
 */
@ProviderType
public interface Databases {

    /**
     * Opens a database. The settings are the keys of a {@code serv.database} configuration ({@code name},
     * {@code url}, {@code user}, {@code password}, {@code tenant}, {@code schema}, {@code min_size}, ...), with their
     * values in clear (resolve references before); they are kept in memory only. Returns at once: the pool starts in
     * the background, and the database's state says when it is {@link DatabaseState#UP}.
     */
    Handle open(Map<String, ?> settings);

    /**
     * What is wrong with database settings (references resolved, secrets in clear), in the words the database would
     * use to refuse them, each naming the key and the fix; empty when nothing is. For checking a configuration before
     * it is saved.
     */
    java.util.List<String> problems(Map<String, ?> settings);

    /** A database opened by {@link #open}. */
    interface Handle extends AutoCloseable {

        /** The database (also published as a {@link Database} service while the handle is open). */
        Database database();

        /**
         * Applies new settings, as a configuration change would: sizes in place, a new URL or credentials through a
         * pending pool; wrong settings are refused while the last good ones serve.
         */
        void update(Map<String, ?> settings);

        /** Closes the database: its service goes at once, its pool once the borrowed connections came back. */
        @Override
        void close();
    }
}
