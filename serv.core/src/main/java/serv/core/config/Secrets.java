package serv.core.config;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Seals secrets before they are stored: a configuration written by Serv (from serv.config.yaml, etc/, the Web
 * Console or the admin API) keeps its passwords sealed, and only what is handed to the consumer (the pool) is in
 * clear. The key comes from the environment variable {@code SERV_SECRET_KEY}, or else from {@code data/secret.key}
 * in the server's home, made at first start.
 */
@ProviderType
public interface Secrets {

    /** A sealed value: safe to store or show. Sealing a sealed value, or a {@code ${VAR}} reference, gives it back. */
    String seal(String secret);

    /** Whether {@code value} is a sealed value. */
    boolean isSealed(String value);

    /**
     * A configuration's properties ready to be stored: a password written inside a URL ({@code url},
     * {@code database_url}) moved to its password key, and every secret sealed.
     */
    Map<String, Object> sealAll(Map<String, ?> properties);

    /** Whether a configuration key holds a secret: {@code password}, or a key ending in {@code _password}. */
    static boolean isSecretKey(String key) {
        return key.equals("password") || key.endsWith("_password") || key.endsWith(".password");
    }
}
