package serv.database.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.UnknownHostException;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;

class ErrorsTest {

    @Test
    void theChainWithoutClassNamesOrRepeats() {
        SQLException e = new SQLException("pool - Connection is not available: The connection attempt failed.",
                new SQLException("The connection attempt failed.", new UnknownHostException("db.example")));
        assertEquals("pool - Connection is not available: The connection attempt failed.: db.example",
                Errors.describe(e));
        assertEquals("unknown error", Errors.describe(new RuntimeException()));
    }

    /** A URL with a 100 KB host name: its reason is in /health, the console and every retry's log line. */
    @Test
    void aHugeMessageIsCut() {
        String host = "a".repeat(100_000);
        String d = Errors.describe(new SQLException("The connection attempt failed.", new UnknownHostException(host)));
        assertTrue(d.length() < 400, d.length() + " characters");
        assertTrue(d.startsWith("The connection attempt failed.: aaa"), d);
        assertTrue(d.endsWith("a... (100000 characters)"), d);
    }

    @Test
    void aCutNeverSplitsACharacter() {
        String m = "a".repeat(Errors.MESSAGE_MAX - 1) + "\uD83D\uDE00".repeat(10); // an emoji across the cut
        String d = Errors.describe(new SQLException(m));
        assertTrue(d.startsWith("a".repeat(Errors.MESSAGE_MAX - 1) + "... ("), d);
    }
}
