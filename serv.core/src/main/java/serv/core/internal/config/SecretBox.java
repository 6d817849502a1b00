package serv.core.internal.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.core.config.Secrets;

/**
 * {@link Secrets} with AES-256-GCM from the JDK: a sealed value is {@value #PREFIX} followed by the Base64 of a
 * random 12-byte nonce and the ciphertext with its tag. The key is {@code SERV_SECRET_KEY} (any text; its SHA-256 is
 * the key), else {@code data/secret.key} (32 random bytes, readable by the owner only), made at first start.
 *
 * <p>It needs no other Serv service: the configuration plugin that unseals values for their consumers depends on
 * it, and Configuration Admin delivers nothing before that plugin is up.
 */
@Component(service = { Secrets.class, SecretBox.class })
public final class SecretBox implements Secrets {

    static final String PREFIX = "{serv-sealed}";
    static final String KEY_FILE = "data/secret.key";

    private static final Logger LOG = LoggerFactory.getLogger(SecretBox.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    @Activate
    public SecretBox(BundleContext context) throws IOException {
        String env = System.getenv("SERV_SECRET_KEY");
        byte[] raw;
        if (env != null && !env.isBlank()) {
            raw = sha256(env.strip().getBytes(StandardCharsets.UTF_8));
        } else {
            String h = context.getProperty("serv.home");
            raw = keyFile(Path.of(h == null ? "." : h).toAbsolutePath().normalize().resolve(KEY_FILE));
        }
        key = new SecretKeySpec(raw, "AES");
    }

    /** For tests: a box with this key. */
    SecretBox(byte[] raw) {
        key = new SecretKeySpec(raw, "AES");
    }

    @Override
    public String seal(String secret) {
        if (secret == null || secret.isEmpty() || isSealed(secret) || EnvInterpolation.isReference(secret)) {
            return secret;
        }
        try {
            byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            byte[] sealed = c.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is missing from this JVM", e);
        }
    }

    @Override
    public java.util.Map<String, Object> sealAll(java.util.Map<String, ?> properties) {
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>(properties);
        ConfigReconciler.movePasswordOutOfUrl(out, "url", "password");
        ConfigReconciler.movePasswordOutOfUrl(out, "database_url", "database_password");
        out.replaceAll((k, v) -> Secrets.isSecretKey(k) && v instanceof String s ? seal(s) : v);
        return out;
    }

    @Override
    public boolean isSealed(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    /** The secret in a sealed value; a value that is not sealed is given back as it is. */
    String unseal(String value) {
        if (!isSealed(value)) {
            return value;
        }
        try {
            byte[] in = Base64.getDecoder().decode(value.substring(PREFIX.length()));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, 12));
            return new String(c.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("a sealed value cannot be opened with this server's key (was it sealed"
                    + " with another SERV_SECRET_KEY or data/secret.key?); set the secret again");
        }
    }

    /** A keyed digest (HMAC-SHA256, hex): it tells whether two texts are the same without showing either. */
    String digest(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    private static byte[] keyFile(Path file) throws IOException {
        if (Files.isRegularFile(file)) {
            byte[] raw = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
            if (raw.length == 32) {
                return raw;
            }
            throw new IOException(file + " is not a key of 32 bytes in Base64; restore it, or delete it (and set the"
                    + " sealed passwords again)");
        }
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Base64.getEncoder().encodeToString(raw) + "\n", StandardCharsets.US_ASCII);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // the folder's own permissions protect it
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        LOG.info("Made {}: the key that seals the passwords Serv stores (keep it with data/, or set SERV_SECRET_KEY)",
                KEY_FILE);
        return raw;
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
