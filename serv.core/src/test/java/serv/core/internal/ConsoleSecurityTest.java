package serv.core.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConsoleSecurityTest {

    @Test
    void passwordsAreKeptAsSaltedPbkdf2() {
        String a = ConsoleSecurity.hash("s3cret");
        String b = ConsoleSecurity.hash("s3cret");
        assertTrue(a.startsWith("pbkdf2-sha256$120000$"), a);
        assertFalse(a.contains("s3cret"));
        assertNotEquals(a, b, "each hash has its own salt");
        assertTrue(ConsoleSecurity.verify("s3cret", a));
        assertFalse(ConsoleSecurity.verify("admin", a));
        assertFalse(ConsoleSecurity.verify("s3cret", "not-a-hash"));
    }
}
