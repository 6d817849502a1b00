package serv.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class BundleSyncTest {

    /**
     * Of several jars of one extension in deploy/, the one the cluster gets is the one serv.core runs: the highest
     * version, then the one copied last, then the name that sorts last; a jar that is no bundle is none of them.
     */
    @Test
    void theJarThatServesHereIsTheOneSharedNotTheLastByName() {
        Map<String, String[]> local = new TreeMap<>();
        local.put("clash-1.1.jar", new String[] { "c1", "x.clash", "1.1.0", "1000/10" });
        local.put("clash-old.jar", new String[] { "c2", "x.clash", "0.9.0", "9000/10" }); // copied later, older
        local.put("zz-rebuild.jar", new String[] { "c3", "x.other", "1.0.0", "1000/10" });
        local.put("aa-rebuild.jar", new String[] { "c4", "x.other", "1.0.0", "2000/10" }); // copied last
        local.put("a-twin.jar", new String[] { "c5", "x.twin", "1.0.0", "1000/10" });
        local.put("b-twin.jar", new String[] { "c6", "x.twin", "1.0", "1000/10" }); // same version, name last
        local.put("commons-lib.jar", new String[] { "c7", null, null, "5000/10" });
        local.put("bad.jar", new String[] { "c8", "x.bad", "one", "5000/10" });
        assertEquals(Map.of("x.clash", "clash-1.1.jar", "x.other", "aa-rebuild.jar", "x.twin", "b-twin.jar"),
                BundleSync.serving(local));
    }
}
