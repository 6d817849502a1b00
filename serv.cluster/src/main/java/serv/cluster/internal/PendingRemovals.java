package serv.cluster.internal;

import java.util.HashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jars agreed with the cluster's store that are gone from this node's {@code deploy/}, whose removal from the
 * cluster waits: for {@link #GRACE_NANOS}, and for as long as another jar of the extension lies in {@code deploy/}
 * (a replacement by hand: {@code rm deploy/blog-1.0.jar}, then {@code cp blog-1.1.jar deploy/}; the store gets the new
 * jar once it serves here, and the removal is then none). Used by {@link BundleSync}'s thread only.
 */
final class PendingRemovals {

    /**
     * How long a jar must be gone, with no other jar of its extension there, before the extension leaves the cluster:
     * the grace serv.core gives a configuration its file left out (its ConfigReconciler's REMOVAL_GRACE_NANOS, 3 s).
     */
    static final long GRACE_NANOS = 3_000_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(PendingRemovals.class);

    /** By file: since when it is gone (or its replacement is), nanoTime. */
    private final Map<String, Long> since = new HashMap<>();
    /** By file: the jar of deploy/ that replaces it, as last logged. */
    private final Map<String, String> replacedBy = new HashMap<>();

    /**
     * Whether the removal of {@code file} (a jar of {@code bsn}) still waits at {@code now}.
     *
     * @param successor a jar of the same extension in deploy/ now, or null
     */
    boolean waits(String file, String bsn, String successor, long now) {
        Long from = since.putIfAbsent(file, now);
        if (successor != null) {
            if (!successor.equals(replacedBy.put(file, successor))) {
                LOG.info("Extension {}: deploy/{} removed and deploy/{} there: the cluster gets the new jar once it"
                        + " serves here, and keeps the old one until then", bsn, file, successor);
            }
            return true;
        }
        if (replacedBy.remove(file) != null) {
            from = null; // its replacement went too: the grace starts again
            since.put(file, now);
        }
        if (from == null) {
            LOG.info("Extension {}: deploy/{} removed: it is removed from the cluster in {} s unless a new jar of it"
                    + " comes into deploy/", bsn, file, GRACE_NANOS / 1_000_000_000L);
            return true;
        }
        return now - from < GRACE_NANOS;
    }

    /** Whether {@code file}'s removal waits (it is not to be written back from the store meanwhile). */
    boolean pending(String file) {
        return since.containsKey(file);
    }

    /** Done with {@code file}: back in deploy/, removed from the cluster, or replaced in the store. */
    void forget(String file) {
        since.remove(file);
        replacedBy.remove(file);
    }
}
