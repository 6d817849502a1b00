package serv.core.internal.health;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import serv.core.runtime.RouteInfo;
import serv.database.DatabaseState;

/**
 * Whether the server's own (shared, not a tenant's) databases take the node out of a load balancer's rotation. The
 * rule: <b>the node is DOWN when some route it would serve cannot serve because of a database</b>. A shared database
 * that is not UP counts only when a route of the site names it ({@link RouteInfo#databasesInUse}: any route of an
 * extension that is not stopped). One that no route uses (an operator added {@code databases.analytics} with a typo
 * in its host, for an extension not deployed yet) serves nothing: the node stays UP, and /health lists it with
 * {@code "unused": true} and, once it has failed or retries, a warning among {@code configuration.warnings} naming it
 * and the fix. Otherwise a typo in a configuration that every node of a cluster shares would take every node out
 * although every route still serves.
 *
 * <p>{@code default} is no exception: the routes that use it name it ({@code @Route(database = "default")}, or their
 * extension's {@code database} setting), so it counts as soon as one does (the blog's, on a new server). When none
 * does (the only extensions use no database, or the blog was moved to another one), a {@code default} that is down
 * makes no route answer 503 on the site. The tenants whose data is a schema of it open pools of their own with its
 * settings: those are tenants' databases, which are listed (and counted on the tenant's own /health) and do not take
 * the node out, as a tenant's database never does: one customer's outage is not the node's.
 */
final class SiteDatabases {

    /**
     * What the shared databases say about the node.
     *
     * @param up whether no database that a route uses is down
     * @param unused the shared databases that are not up and that no route uses, by name, with their state
     */
    record Verdict(boolean up, Map<String, DatabaseState> unused) {
    }

    private SiteDatabases() {
    }

    /**
     * The verdict.
     *
     * @param shared the server's own open databases, by name, with their state
     * @param routes the site's routes, as {@link serv.core.runtime.Routes#routes()} lists them
     */
    static Verdict judge(Map<String, DatabaseState> shared, List<RouteInfo> routes) {
        Map<String, Set<String>> inUse = RouteInfo.databasesInUse(routes);
        boolean up = true;
        Map<String, DatabaseState> unused = new TreeMap<>();
        for (Map.Entry<String, DatabaseState> e : shared.entrySet()) {
            if (e.getValue() == DatabaseState.UP) {
                continue;
            }
            if (inUse.containsKey(e.getKey())) {
                up = false;
            } else {
                unused.put(e.getKey(), e.getValue());
            }
        }
        return new Verdict(up, unused);
    }

    /** The warning for a shared database that is not up and that no route uses: what it means and the fix. */
    static String warning(String name, DatabaseState state) {
        return "database " + name + " is " + state + " and no route uses it, so this node stays UP (its reason is"
                + " under databases." + name + "); once a route uses it, /health answers 503 DOWN while it is not"
                + " UP: fix its settings (databases." + name + " in serv.config.yaml, or its serv.database"
                + " configuration), or remove it while nothing needs it";
    }
}
