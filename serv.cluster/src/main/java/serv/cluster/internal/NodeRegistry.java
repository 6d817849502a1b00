package serv.cluster.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's nodes in the store ({@value Store#SCHEMA}{@code .nodes}): each node's heartbeat, written every second
 * with where it is, what it runs, the version it applied and its databases' states; and the fingerprint of the key
 * that seals the cluster's secrets ({@code clusters.key_check}), which the first node sets and the others compare.
 */
final class NodeRegistry {

    private static final String SCHEMA = Store.SCHEMA;
    private final String cluster;

    NodeRegistry(String cluster) {
        this.cluster = cluster;
    }

    /** This node's heartbeat: where it is, what it runs, the version it applied, its databases' states. */
    void heartbeat(Connection c, String id, String address, String servVersion, java.time.Instant startedAt,
            long applied, Map<String, Object> databases) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + SCHEMA + ".nodes (cluster, id, address,"
                + " serv_version, started_at, heartbeat_at, applied_version, databases) VALUES (?, ?, ?, ?, ?, now(), ?,"
                + " ?::jsonb) ON CONFLICT (cluster, id) DO UPDATE SET address = excluded.address, serv_version ="
                + " excluded.serv_version, started_at = excluded.started_at, heartbeat_at = now(), applied_version ="
                + " excluded.applied_version, databases = excluded.databases")) {
            ps.setString(1, cluster);
            ps.setString(2, id);
            ps.setString(3, address);
            ps.setString(4, servVersion);
            ps.setTimestamp(5, java.sql.Timestamp.from(startedAt));
            ps.setLong(6, applied);
            ps.setString(7, Store.json(databases));
            ps.executeUpdate();
        }
    }

    /** The nodes, the freshest heartbeat first, with the seconds since each one's heartbeat. */
    List<Map<String, Object>> nodes(Connection c) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, address, serv_version, started_at, heartbeat_at,"
                + " extract(epoch FROM now() - heartbeat_at), applied_version, databases::text FROM " + SCHEMA
                + ".nodes WHERE cluster = ? ORDER BY heartbeat_at DESC, id")) {
            ps.setString(1, cluster);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> n = new LinkedHashMap<>();
                    n.put("id", rs.getString(1));
                    n.put("address", rs.getString(2));
                    n.put("serv_version", rs.getString(3));
                    n.put("started_at", rs.getTimestamp(4) == null ? null : rs.getTimestamp(4).toInstant().toString());
                    n.put("heartbeat_at", rs.getTimestamp(5).toInstant().toString());
                    n.put("heartbeat_age_s", Math.round(rs.getDouble(6) * 10) / 10.0);
                    n.put("applied_version", rs.getLong(7));
                    n.put("databases", Store.properties(rs.getString(8)));
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** The fingerprint of the key that seals the cluster's secrets: the first node sets it, the others compare. */
    String keyCheck(Connection c, String mine) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + SCHEMA + ".clusters SET key_check = ? WHERE name = ?"
                + " AND key_check IS NULL")) {
            ps.setString(1, mine);
            ps.setString(2, cluster);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT key_check FROM " + SCHEMA + ".clusters WHERE name = ?")) {
            ps.setString(1, cluster);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

}
