package serv.core.internal.health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import serv.core.security.OperatorLogin;

/**
 * What {@code /health} tells a client that is not the operator (with {@code health.details: authorized}, the
 * default): what a load balancer or a status page needs and nothing an attacker could use. The status, the server's own
 * databases (or, on a tenant's host, that tenant's) by name with their state only, the tenants' databases counted by
 * state, the cluster store's state, and how to get the rest. Left out: reasons, refused and pending changes, failed
 * extensions, pool figures, dialects (texts that may name database hosts, URLs, files, and the server's capacity),
 * tenant names (a multi-tenant server's customer list), the configuration's warnings and what is awaited.
 */
final class PublicHealth {

    /** How to get the details, by what the request's credentials were. */
    static final String ASK = "send the Web Console's user and password (HTTP Basic) for the details";
    static final String WRONG = "the credentials sent are not the Web Console's: no details";
    static final String NO_LOGIN = "no operator login here (serv.console is not running): set health.details to"
            + " always for the details";

    private PublicHealth() {
    }

    /** What {@code details} says for a request whose credentials were {@code check} (null: nobody to ask). */
    static String details(OperatorLogin.Check check) {
        if (check == null) {
            return NO_LOGIN;
        }
        return switch (check.outcome()) {
            case WRONG -> WRONG;
            case THROTTLED -> "too many wrong console logins from this address: try again in "
                    + check.retryAfterSeconds() + " s";
            default -> ASK;
        };
    }

    /**
     * The public body.
     *
     * @param status the status ({@code UP}, {@code DOWN}, {@code STARTING}, {@code DRAINING})
     * @param databases the operator's {@code databases}: name (the server's view: {@code tenant/name} for a tenant's)
     *            to its entry, which has {@code state}, and {@code tenant} for a tenant's database
     * @param tenantView whether the request selected a tenant (its databases are listed by name then)
     * @param cluster the cluster store's status, or null when this server is not in a cluster
     * @param details what {@code details} says
     */
    static Map<String, Object> body(String status, Map<String, Object> databases, boolean tenantView,
            Map<String, Object> cluster, String details) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        Map<String, Object> own = new LinkedHashMap<>();
        Map<String, Integer> tenants = new TreeMap<>();
        databases.forEach((name, value) -> {
            Map<?, ?> entry = (Map<?, ?>) value;
            String state = String.valueOf(entry.get("state"));
            if (!tenantView && entry.containsKey("tenant")) {
                tenants.merge(state, 1, Integer::sum);
            } else {
                own.put(name, Map.of("state", state));
            }
        });
        body.put("databases", own);
        if (!tenants.isEmpty()) {
            body.put("tenant_databases", tenants);
        }
        if (cluster != null && cluster.get("store") != null) {
            body.put("cluster", Map.of("store", String.valueOf(cluster.get("store"))));
        }
        body.put("details", details);
        return body;
    }
}
