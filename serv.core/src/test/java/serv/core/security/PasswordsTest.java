package serv.core.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import serv.core.Passwords;

class PasswordsTest {

    @Test
    void passwordsAreKeptAsSaltedPbkdf2() {
        String a = Passwords.hash("s3cret");
        String b = Passwords.hash("s3cret");
        assertTrue(a.startsWith("pbkdf2-sha256$210000$"), a);
        assertFalse(a.contains("s3cret"));
        assertNotEquals(a, b, "each hash has its own salt");
        assertTrue(Passwords.verify("s3cret", a));
        assertFalse(Passwords.verify("admin", a));
        assertFalse(Passwords.verify("s3cret", "not-a-hash"));
        assertFalse(Passwords.verify("s3cret", "pbkdf2-sha256$x$y$z"));
    }
}
