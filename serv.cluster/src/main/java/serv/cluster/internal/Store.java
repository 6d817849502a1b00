package serv.cluster.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import serv.core.config.ConfigStore;

/**
 * The cluster's truth, in PostgreSQL schema {@value #SCHEMA}: one row per cluster with its version, which every
 * write raises by one; the configurations (databases, tenants, extension settings) and the extension bundles as
 * records carrying the version of their last write (a removal is a record too, so that a removal has a version
 * and a node that was down learns of it); and the nodes ({@link NodeRegistry}). A write checks the version it was made on
 * (compare-and-set, under the cluster row's lock) and sends {@code NOTIFY} {@value #CHANNEL} once committed.
 * Nothing here is an event log: a node reads the records, so a missed notification costs nothing.
 */
final class Store {

    static final String SCHEMA = "serv_cluster";
    static final String CHANNEL = "serv_cluster";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String[] DDL = {
        "CREATE SCHEMA IF NOT EXISTS " + SCHEMA,
        "CREATE TABLE IF NOT EXISTS " + SCHEMA + ".clusters (name text PRIMARY KEY, version bigint NOT NULL DEFAULT 0,"
                + " key_check text, created_at timestamptz NOT NULL DEFAULT now())",
        "CREATE TABLE IF NOT EXISTS " + SCHEMA + ".records (cluster text NOT NULL REFERENCES " + SCHEMA
                + ".clusters(name), pid text NOT NULL, factory_pid text, name text NOT NULL, version bigint NOT NULL,"
                + " properties jsonb, deleted boolean NOT NULL DEFAULT false, updated_at timestamptz NOT NULL DEFAULT"
                + " now(), updated_by text, PRIMARY KEY (cluster, pid))",
        "CREATE TABLE IF NOT EXISTS " + SCHEMA + ".bundles (cluster text NOT NULL REFERENCES " + SCHEMA
                + ".clusters(name), symbolic_name text NOT NULL, file_name text NOT NULL, bundle_version text,"
                + " checksum text NOT NULL, content bytea, removed boolean NOT NULL DEFAULT false, version bigint NOT"
                + " NULL, updated_at timestamptz NOT NULL DEFAULT now(), updated_by text,"
                + " PRIMARY KEY (cluster, symbolic_name))",
        "CREATE TABLE IF NOT EXISTS " + SCHEMA + ".nodes (cluster text NOT NULL, id text NOT NULL, address text,"
                + " serv_version text, started_at timestamptz, heartbeat_at timestamptz NOT NULL DEFAULT now(),"
                + " applied_version bigint NOT NULL DEFAULT 0, databases jsonb, PRIMARY KEY (cluster, id))",
    };

    /** A configuration record (deleted: a removal, with its version). */
    record Record(String pid, String factoryPid, String name, long version, boolean deleted,
            Map<String, Object> properties) {
    }

    /** An extension bundle's record, without its bytes. */
    record BundleRecord(String symbolicName, String fileName, String bundleVersion, String checksum, boolean removed,
            long version) {
    }

    /** Everything at one version of the cluster. */
    record State(long version, List<Record> records, List<BundleRecord> bundles) {
    }

    private final String cluster;

    Store(String cluster) {
        this.cluster = cluster;
    }

    String cluster() {
        return cluster;
    }

    /** Makes the schema and this cluster's row (once; nodes starting together wait for each other). */
    void prepare(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(hashtext('" + SCHEMA + "'))");
            for (String ddl : DDL) {
                st.execute(ddl);
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + SCHEMA + ".clusters (name) VALUES (?)"
                    + " ON CONFLICT DO NOTHING")) {
                ps.setString(1, cluster);
                ps.executeUpdate();
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** The cluster's version: raised by every write. */
    long version(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM " + SCHEMA + ".clusters WHERE name = ?")) {
            ps.setString(1, cluster);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** Every record at one version (one snapshot of the database). */
    State read(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
            long version = version(c);
            List<Record> records = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT pid, factory_pid, name, version, deleted,"
                    + " properties::text FROM " + SCHEMA + ".records WHERE cluster = ? ORDER BY pid")) {
                ps.setString(1, cluster);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        records.add(new Record(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                                rs.getBoolean(5), properties(rs.getString(6))));
                    }
                }
            }
            List<BundleRecord> bundles = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT symbolic_name, file_name, bundle_version, checksum,"
                    + " removed, version FROM " + SCHEMA + ".bundles WHERE cluster = ? ORDER BY symbolic_name")) {
                ps.setString(1, cluster);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        bundles.add(new BundleRecord(rs.getString(1), rs.getString(2), rs.getString(3),
                                rs.getString(4), rs.getBoolean(5), rs.getLong(6)));
                    }
                }
            }
            c.commit();
            return new State(version, records, bundles);
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /**
     * Writes a configuration (properties null: removes it) if its stored version is {@code expected}
     * ({@link ConfigStore#ANY}: whatever it is; {@link ConfigStore#ABSENT}: none, or removed); returns the new version.
     */
    long write(Connection c, String pid, String factoryPid, String name, Map<String, Object> properties, long expected,
            String by) throws SQLException, ConfigStore.Conflict {
        return inTransaction(c, () -> {
            long next = lockAndRaise(c);
            long current = 0;
            boolean deleted = true;
            try (PreparedStatement ps = c.prepareStatement("SELECT version, deleted FROM " + SCHEMA + ".records"
                    + " WHERE cluster = ? AND pid = ? FOR UPDATE")) {
                ps.setString(1, cluster);
                ps.setString(2, pid);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        current = rs.getLong(1);
                        deleted = rs.getBoolean(2);
                    }
                }
            }
            long have = deleted ? 0 : current;
            if (expected != ConfigStore.ANY && expected != have) {
                throw new ConfigStore.Conflict(label(pid) + " was changed meanwhile (its version is " + have
                        + ", this change was made on version " + expected + "); nothing was saved: reload it and"
                        + " make the change again", have);
            }
            if (properties == null && have == 0) {
                throw new ConfigStore.Conflict(label(pid) + " is not in the cluster", 0);
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + SCHEMA + ".records (cluster, pid,"
                    + " factory_pid, name, version, properties, deleted, updated_at, updated_by) VALUES (?, ?, ?, ?, ?,"
                    + " ?::jsonb, ?, now(), ?) ON CONFLICT (cluster, pid) DO UPDATE SET version = excluded.version,"
                    + " properties = excluded.properties, deleted = excluded.deleted, updated_at = now(),"
                    + " updated_by = excluded.updated_by")) {
                ps.setString(1, cluster);
                ps.setString(2, pid);
                ps.setString(3, factoryPid);
                ps.setString(4, name);
                ps.setLong(5, next);
                ps.setString(6, properties == null ? null : json(properties));
                ps.setBoolean(7, properties == null);
                ps.setString(8, by);
                ps.executeUpdate();
            }
            return next;
        });
    }

    /** Stores an extension's jar as the one every node runs; returns the new version. */
    long putBundle(Connection c, String symbolicName, String fileName, String bundleVersion, String checksum,
            byte[] content, String by) throws SQLException, ConfigStore.Conflict {
        return inTransaction(c, () -> {
            long next = lockAndRaise(c);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + SCHEMA + ".bundles (cluster, symbolic_name,"
                    + " file_name, bundle_version, checksum, content, removed, version, updated_at, updated_by) VALUES"
                    + " (?, ?, ?, ?, ?, ?, false, ?, now(), ?) ON CONFLICT (cluster, symbolic_name) DO UPDATE SET"
                    + " file_name = excluded.file_name, bundle_version = excluded.bundle_version, checksum ="
                    + " excluded.checksum, content = excluded.content, removed = false, version = excluded.version,"
                    + " updated_at = now(), updated_by = excluded.updated_by")) {
                ps.setString(1, cluster);
                ps.setString(2, symbolicName);
                ps.setString(3, fileName);
                ps.setString(4, bundleVersion);
                ps.setString(5, checksum);
                ps.setBytes(6, content);
                ps.setLong(7, next);
                ps.setString(8, by);
                ps.executeUpdate();
            }
            return next;
        });
    }

    /** Marks an extension removed from every node, if the stored jar is still {@code checksum}. */
    long removeBundle(Connection c, String symbolicName, String checksum, String by)
            throws SQLException, ConfigStore.Conflict {
        return inTransaction(c, () -> {
            long next = lockAndRaise(c);
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + SCHEMA + ".bundles SET removed = true, content ="
                    + " NULL, version = ?, updated_at = now(), updated_by = ? WHERE cluster = ? AND symbolic_name = ?"
                    + " AND checksum = ? AND NOT removed")) {
                ps.setLong(1, next);
                ps.setString(2, by);
                ps.setString(3, cluster);
                ps.setString(4, symbolicName);
                ps.setString(5, checksum);
                if (ps.executeUpdate() == 0) {
                    throw new ConfigStore.Conflict("extension " + symbolicName + " was replaced or removed meanwhile",
                            0);
                }
            }
            return next;
        });
    }

    /** The bytes of an extension's jar, or null when it was replaced or removed meanwhile. */
    byte[] bundleContent(Connection c, String symbolicName, String checksum) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT content FROM " + SCHEMA + ".bundles WHERE cluster = ?"
                + " AND symbolic_name = ? AND checksum = ? AND NOT removed")) {
            ps.setString(1, cluster);
            ps.setString(2, symbolicName);
            ps.setString(3, checksum);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    private interface Work {
        long run() throws SQLException, ConfigStore.Conflict;
    }

    private static long inTransaction(Connection c, Work work) throws SQLException, ConfigStore.Conflict {
        c.setAutoCommit(false);
        try {
            long v = work.run();
            c.commit();
            return v;
        } catch (SQLException | ConfigStore.Conflict | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Locks the cluster's row, raises its version and announces it at commit; returns the new version. */
    private long lockAndRaise(Connection c) throws SQLException {
        long next;
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + SCHEMA + ".clusters SET version = version + 1"
                + " WHERE name = ? RETURNING version")) {
            ps.setString(1, cluster);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("cluster " + cluster + " is not in the store");
                }
                next = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, CHANNEL);
            ps.setString(2, cluster + ":" + next);
            ps.execute();
        }
        return next;
    }

    static String label(String pid) {
        int tilde = pid.indexOf('~');
        if (tilde < 0) {
            return "configuration " + pid;
        }
        String f = pid.substring(0, tilde);
        String kind = f.equals("serv.tenant") ? "tenant" : f.equals("serv.database") ? "database" : f;
        return kind + " " + pid.substring(tilde + 1);
    }

    static String json(Map<String, Object> properties) {
        Map<String, Object> plain = new TreeMap<>();
        properties.forEach((k, v) -> plain.put(k, v != null && v.getClass().isArray() && !(v instanceof Object[])
                ? primitiveList(v) : v));
        try {
            return JSON.writeValueAsString(plain);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("settings that are not text, numbers or lists: " + e.getOriginalMessage());
        }
    }

    private static List<Object> primitiveList(Object array) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < java.lang.reflect.Array.getLength(array); i++) {
            out.add(java.lang.reflect.Array.get(array, i));
        }
        return out;
    }

    /** Stored settings as configuration values: lists become arrays of strings. */
    static Map<String, Object> properties(String json) {
        if (json == null) {
            return null;
        }
        try {
            Map<String, Object> m = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
            m.replaceAll((k, v) -> v instanceof List<?> l ? l.stream().map(String::valueOf).toArray(String[]::new)
                    : v instanceof Map ? v : v);
            return m;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a record of the cluster's store is not JSON: " + e.getOriginalMessage());
        }
    }
}
