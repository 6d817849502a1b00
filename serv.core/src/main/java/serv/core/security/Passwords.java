package serv.core;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashing for extensions and for the runtime itself: salted PBKDF2-HMAC-SHA256 from the JDK, stored as
 * {@code pbkdf2-sha256$<iterations>$<salt>$<hash>} (Base64). Keep only the hash; never log, return or store the
 * password.
 */
public final class Passwords {

    /** Iterations of new hashes. */
    public static final int ITERATIONS = 210_000;
    /** The prefix of every hash this class makes. */
    public static final String PREFIX = "pbkdf2-sha256$";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {
    }

    /** A new salted hash of {@code password}; takes a few hundred milliseconds by design. */
    public static String hash(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return PREFIX + ITERATIONS + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(derive(password, salt, ITERATIONS));
    }

    /** True when {@code password} matches {@code stored} (in constant time); false for a malformed hash. */
    public static boolean verify(String password, String stored) {
        String[] parts = stored == null ? new String[0] : stored.split("\\$");
        if (parts.length != 4 || !stored.startsWith(PREFIX)) {
            return false;
        }
        try {
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            byte[] actual = derive(password, Base64.getDecoder().decode(parts[2]), Integer.parseInt(parts[1]));
            return MessageDigest.isEqual(expected, actual);
        } catch (IllegalArgumentException malformed) {
            return false;
        }
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JVM", e);
        }
    }
}
