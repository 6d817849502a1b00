package serv.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import serv.database.MigrationException;

class MigrationErrorsTest {

    private static String answer(String message) {
        return MigrationErrors.describe("a test", new MigrationException(message));
    }

    @Test
    void theDatabasesOwnMessageStaysInTheLog() {
        String a = answer("the rollback's hold could not be removed: ERROR: invalid byte sequence for encoding"
                + " \"UTF8\": 0x00\n  Where: unnamed portal parameter $1");
        assertTrue(a.startsWith("the rollback's hold could not be removed; the database's own message is in the"
                + " server's log (error id "), a);
        assertFalse(a.contains("0x00") || a.contains("portal") || a.contains("UTF8"), a);
    }

    @Test
    void aFailedDownScriptSaysWhichAndWhatWasRolledBack() {
        String a = answer("down script of serv.blog V3 (add done) failed and was rolled back (already rolled back:"
                + " 5, 4; not applied again while this version of serv.blog is deployed): ERROR: column \"done\""
                + " does not exist");
        assertTrue(a.startsWith("down script of serv.blog V3 (add done) failed and was rolled back (already rolled"
                + " back: 5, 4; not applied again while this version of serv.blog is deployed); the database's own"
                + " message is in the server's log (error id "), a);
        assertFalse(a.contains("column"), a);
        assertFalse(answer("rollback could not run: [SQLITE_BUSY] The database file is locked").contains("SQLITE"));
        assertFalse(answer("something new: ERROR: relation \"x\" does not exist").contains("relation"));
    }

    @Test
    void theServicesOwnWordsAreKept() {
        String none = "migration serv.blog V3 has no down script (U3__....sql) or undoable Java migration; nothing was"
                + " rolled back";
        assertEquals(none, answer(none));
        String busy = "another server is applying migrations to this database (it holds the migration lock); waiting"
                + " for it";
        assertEquals(busy, answer(busy));
    }
}
