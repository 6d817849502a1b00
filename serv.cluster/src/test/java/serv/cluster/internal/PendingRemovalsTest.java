package serv.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PendingRemovalsTest {

    private static final long S = 1_000_000_000L;
    private static final long T0 = 42 * S; // nanoTime has no origin: any value

    /** A jar gone with nothing in its place leaves the cluster once it has been gone for the grace, not before. */
    @Test
    void aRemovalWaitsForTheGraceThenGoes() {
        PendingRemovals r = new PendingRemovals();
        assertTrue(r.waits("blog-1.0.jar", "serv.blog", null, T0));
        assertTrue(r.pending("blog-1.0.jar"));
        assertTrue(r.waits("blog-1.0.jar", "serv.blog", null, T0 + 2 * S));
        assertTrue(r.waits("blog-1.0.jar", "serv.blog", null, T0 + PendingRemovals.GRACE_NANOS - 1));
        assertFalse(r.waits("blog-1.0.jar", "serv.blog", null, T0 + PendingRemovals.GRACE_NANOS));
    }

    /**
     * A new jar of the extension in deploy/ holds the removal however long it takes to serve (the store gets it then);
     * gone again, the grace starts anew from then.
     */
    @Test
    void aNewJarOfTheExtensionHoldsTheRemovalAndItsGoingStartsTheGraceAgain() {
        PendingRemovals r = new PendingRemovals();
        assertTrue(r.waits("blog-1.0.jar", "serv.blog", null, T0));
        assertTrue(r.waits("blog-1.0.jar", "serv.blog", "blog-1.1.jar", T0 + S));
        assertTrue(r.waits("blog-1.0.jar", "serv.blog", "blog-1.1.jar", T0 + 60 * S));
        assertTrue(r.waits("blog-1.0.jar", "serv.blog", null, T0 + 61 * S));
        assertTrue(r.waits("blog-1.0.jar", "serv.blog", null, T0 + 63 * S));
        assertFalse(r.waits("blog-1.0.jar", "serv.blog", null, T0 + 64 * S));
    }

    /** A jar back in deploy/ (an editor, a move away and back) is forgotten: gone again, it waits the whole grace. */
    @Test
    void aJarBackIsForgottenAndGoneAgainWaitsAnew() {
        PendingRemovals r = new PendingRemovals();
        assertTrue(r.waits("blog-1.0.jar", "serv.blog", null, T0));
        r.forget("blog-1.0.jar");
        assertFalse(r.pending("blog-1.0.jar"));
        assertTrue(r.waits("blog-1.0.jar", "serv.blog", null, T0 + 10 * S));
        assertTrue(r.waits("blog-1.0.jar", "serv.blog", null, T0 + 12 * S));
        assertFalse(r.waits("blog-1.0.jar", "serv.blog", null, T0 + 13 * S));
    }
}
