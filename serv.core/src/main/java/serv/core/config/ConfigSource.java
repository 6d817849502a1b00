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
     * Whether this server must not serve before it has read this source: true while the source was never read here,
     * nor anything of it ever applied (a new node of a cluster whose store is out of reach at its start: it has
     * none of the cluster's tenants, so a request for one would get the server's own site, and its own databases).
     * While a source is awaited, {@code /health} says {@code STARTING} and routes with a database answer 503 with
     * {@code Retry-After}. A source becomes not awaited in its {@link #snapshot()}, when the reconciler reads it;
     * it must not become awaited again. Default: false.
     */
    default boolean awaited() {
        return false;
    }
}
