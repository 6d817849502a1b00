package serv.cluster.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import serv.core.config.Secrets;

/**
 * The rule for secrets in the cluster's store: a secret is stored sealed with the key every node gets from
 * {@code SERV_SECRET_KEY}, or as a {@code ${VAR}} reference each node resolves; never in clear, and never sealed with
 * a node's own {@code data/secret.key}. The key's fingerprint (a SHA-256 of it, never the key) tells a node whose key
 * is not the cluster's.
 */
final class ClusterKey {

    private static final String SEALED = "{serv-sealed}";

    private final String fingerprint;
    private volatile String problem;

    /** {@code key}: this node's SERV_SECRET_KEY, or null. */
    ClusterKey(String key) {
        fingerprint = key == null || key.isBlank() ? null : sha256("serv-cluster-key-check\n" + key.strip())
                .substring(0, 16);
    }

    /** What this node writes to {@code clusters.key_check}; null without SERV_SECRET_KEY. */
    String fingerprint() {
        return fingerprint;
    }

    /** Compares this node's key with the cluster's ({@code stored}); the problem, or null. */
    String compare(String stored) {
        problem = fingerprint != null && stored != null && !stored.equals(fingerprint)
                ? "this node's SERV_SECRET_KEY is not the cluster's: it cannot open the secrets other nodes sealed;"
                        + " give every node the same SERV_SECRET_KEY"
                : null;
        return problem;
    }

    /** Why this node's key is not the cluster's, or null. */
    String problem() {
        return problem;
    }

    /** Refuses (IllegalArgumentException, naming the key and the fix) settings whose secrets cannot be stored. */
    void check(Map<String, Object> props) {
        for (Map.Entry<String, Object> e : props.entrySet()) {
            if (!Secrets.isSecretKey(e.getKey()) || !(e.getValue() instanceof String s) || s.isEmpty()
                    || s.contains("${")) {
                continue;
            }
            if (!s.startsWith(SEALED)) {
                throw new IllegalArgumentException("key '" + e.getKey() + "': a secret goes to the cluster sealed or"
                        + " as a ${VAR} reference, never in clear");
            }
            if (fingerprint == null) {
                throw new IllegalArgumentException("key '" + e.getKey() + "': this node seals secrets with its own"
                        + " data/secret.key, which the other nodes do not have; give every node the same"
                        + " SERV_SECRET_KEY, or write the secret as a ${VAR} reference each node resolves");
            }
            if (problem != null) {
                throw new IllegalArgumentException("key '" + e.getKey() + "': " + problem);
            }
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                    text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
