package serv.core.config;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A source of Serv's configuration: the databases, tenants and extension settings it wants to exist. Register an
 * implementation as a service with the property {@value #NAME}; Serv's reconciler applies every source to
 * Configuration Admin with one rule, and removes what a source made once the source no longer wants it. When two
 * sources want the same configuration, the one with the higher {@code service.ranking} wins. When a source's
 * content changes, change its service property {@value #VERSION} ({@code ServiceRegistration.setProperties}): the
 * reconciler then reads its {@link #snapshot()} again.
 *
 * <p>Serv's own sources: {@code serv.config.yaml} with its profile overlay (ranking 0), and the files of
 * {@code etc/} (ranking 10). A cluster store is another.
 */
@ConsumerType
public interface ConfigSource {

    /** Service property: the source's name, shown to operators (a file name, "cluster"). */
    String NAME = "serv.config.source";

    /** Service property: changes whenever the source's content changes. */
    String VERSION = "serv.config.version";

    /** What the source wants now. Called by the reconciler, on its own thread, whenever {@value #VERSION} changes. */
    Snapshot snapshot();

    /**
     * What this server must have from this source before it serves, and does not have yet; null when nothing. A new
     * node of a cluster, for one, has none of the cluster's tenants until it has read the store (answering meanwhile,
     * it would give a tenant's request the server's own site, and its own databases), nor the cluster's extensions
     * until they are installed. While a source is awaited, {@code /health} says {@code STARTING} with this reason,
     * and routes with a database, and paths no route serves, answer 503 with {@code Retry-After}. Once null, it
     * stays null. The reconciler asks when the source registers and after each of its runs: a source that stops
     * being awaited outside {@link #snapshot()} changes its {@value #VERSION}. Default: null.
     */
    default String awaiting() {
        return null;
    }
}
