package serv.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class ClusterKeyTest {

    @Test
    void aSecretInClearNeverGoesToTheStore() {
        ClusterKey key = new ClusterKey("shared-key");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> key.check(Map.of("database_password", "hunter2")));
        assertTrue(e.getMessage().contains("database_password"), e.getMessage());
        assertTrue(!e.getMessage().contains("hunter2"), e.getMessage());
        assertDoesNotThrow(() -> key.check(Map.of("database_password", "{serv-sealed}AAAA", "password",
                "${DB_PASSWORD}", "name", "not a secret")));
    }

    @Test
    void aSealedSecretNeedsTheClustersKey() {
        ClusterKey own = new ClusterKey(null); // sealed with data/secret.key: no other node can open it
        assertThrows(IllegalArgumentException.class, () -> own.check(Map.of("password", "{serv-sealed}AAAA")));
        assertDoesNotThrow(() -> own.check(Map.of("password", "${DB_PASSWORD}")));

        ClusterKey mine = new ClusterKey("key-a");
        ClusterKey other = new ClusterKey("key-b");
        assertEquals(16, mine.fingerprint().length());
        assertTrue(!mine.fingerprint().contains("key-a"));
        assertNull(mine.compare(mine.fingerprint()));
        assertNotNull(other.compare(mine.fingerprint()));
        assertThrows(IllegalArgumentException.class, () -> other.check(Map.of("password", "{serv-sealed}AAAA")));
    }
}
