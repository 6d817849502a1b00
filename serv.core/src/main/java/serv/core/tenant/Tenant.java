package serv.core.tenant;

import java.util.List;
import java.util.Set;

/**
 * A tenant as configured: which requests are its, and which extensions it has. Its data is in its own database
 * (or its own schema of the shared {@code default} database), published as a {@code serv.database.Database} service
 * with {@code serv.tenant=<id>} while its pool is open.
 *
 * @param id the tenant's id: lower-case letters, digits and '-'
 * @param name its display name
 * @param hosts the Host header values that select it ({@code *.example.com} for every subdomain)
 * @param pathPrefix the path prefix that selects it, or null
 * @param extensions the bundle symbolic names of the extensions it has; empty for all
 * @param schema its schema in the shared {@code default} database, or null when it has a database of its own
 * @param databaseUrl its own database's URL (never with a password), or null for a schema of the shared one
 * @param idleTimeoutSeconds seconds without a request before its pool closes; 0: always open
 */
public record Tenant(String id, String name, List<String> hosts, String pathPrefix, Set<String> extensions,
        String schema, String databaseUrl, long idleTimeoutSeconds) {

    public Tenant {
        hosts = List.copyOf(hosts);
        extensions = Set.copyOf(extensions);
    }

    /** A tenant in a schema of the shared database named after its id, closed after 300 s without a request. */
    public Tenant(String id, String name, List<String> hosts, String pathPrefix, Set<String> extensions) {
        this(id, name, hosts, pathPrefix, extensions, id.replace('-', '_'), null, 300);
    }
}
