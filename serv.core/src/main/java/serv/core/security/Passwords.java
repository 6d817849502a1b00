package serv.core.security;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashing for extensions and for the runtime itself: salted PBKDF2-HMAC-SHA256 from the JDK at OWASP's
 * recommended {@value #ITERATIONS} iterations, stored as {@code pbkdf2-sha256$<iterations>$<salt>$<hash>} (Base64).
 * Keep only the hash; never log, return or store the password. A hash made with fewer iterations (an older Serv)
 * still verifies, and {@link #check} gives its replacement at today's strength.
 */
public final class Passwords {

    /** Iterations of new hashes (OWASP Password Storage Cheat Sheet, PBKDF2-HMAC-SHA256). */
    public static final int ITERATIONS = 600_000;
    /** The prefix of every hash this class makes. */
    public static final String PREFIX = "pbkdf2-sha256$";
    /** Stored hashes claiming more iterations are refused: a planted hash must not stall the server. */
    private static final int MAX_ITERATIONS = 10_000_000;

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * The outcome of checking a password against a stored hash.
     *
     * @param matches whether the password is the one the hash was made from
     * @param upgraded when it matches and the hash is weaker than today's: a new hash to store instead; else null
     */
    public record Check(boolean matches, String upgraded) {
    }

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
        return check(password, stored).matches();
    }

    /**
     * Checks {@code password} against {@code stored}; when it matches a hash of fewer than {@value #ITERATIONS}
     * iterations, the result carries a new hash at today's strength, to store in place of the old one.
     */
    public static Check check(String password, String stored) {
        String[] parts = stored == null ? new String[0] : stored.split("\\$");
        if (parts.length != 4 || !stored.startsWith(PREFIX)) {
            return new Check(false, null);
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            if (iterations < 1 || iterations > MAX_ITERATIONS) {
                return new Check(false, null);
            }
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            byte[] actual = derive(password, Base64.getDecoder().decode(parts[2]), iterations);
            if (!MessageDigest.isEqual(expected, actual)) {
                return new Check(false, null);
            }
            return new Check(true, iterations < ITERATIONS ? hash(password) : null);
        } catch (IllegalArgumentException malformed) {
            return new Check(false, null);
        }
    }

    /** Whether {@code stored} is one of this class's hashes, at any strength. */
    public static boolean isHash(String stored) {
        return stored != null && stored.startsWith(PREFIX) && stored.split("\\$").length == 4;
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
