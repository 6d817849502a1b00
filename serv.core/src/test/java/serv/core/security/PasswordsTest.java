package serv.core.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

import org.junit.jupiter.api.Test;

class PasswordsTest {

    @Test
    void passwordsAreKeptAsSaltedPbkdf2AtOwaspStrength() {
        String a = Passwords.hash("s3cret");
        String b = Passwords.hash("s3cret");
        assertTrue(a.startsWith("pbkdf2-sha256$600000$"), a);
        assertFalse(a.contains("s3cret"));
        assertNotEquals(a, b, "each hash has its own salt");
        assertTrue(Passwords.verify("s3cret", a));
        assertNull(Passwords.check("s3cret", a).upgraded(), "a hash at today's strength stays");
        assertFalse(Passwords.verify("admin", a));
        assertFalse(Passwords.verify("s3cret", "not-a-hash"));
        assertFalse(Passwords.verify("s3cret", "pbkdf2-sha256$x$y$z"));
        assertFalse(Passwords.verify("s3cret", "pbkdf2-sha256$2000000000$AAAA$AAAA"), "absurd iterations are refused");
    }

    @Test
    void anOlderHashVerifiesAndIsUpgraded() throws Exception {
        byte[] salt = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        byte[] derived = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec("s3cret".toCharArray(), salt, 210_000, 256)).getEncoded();
        String old = "pbkdf2-sha256$210000$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(derived);

        Passwords.Check check = Passwords.check("s3cret", old);
        assertTrue(check.matches());
        assertTrue(check.upgraded().startsWith("pbkdf2-sha256$600000$"), check.upgraded());
        assertTrue(Passwords.verify("s3cret", check.upgraded()));
        assertEquals(new Passwords.Check(false, null), Passwords.check("wrong", old));
    }
}
