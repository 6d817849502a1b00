package serv.console.internal;

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
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ManagedService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import serv.core.security.ClientAddress;
import serv.core.security.OperatorLogin;
import serv.core.security.Passwords;

/**
 * The Web Console's only way in. The runtime sets {@code felix.webconsole.security.providers=serv}, so the console
 * is not mounted at all until this provider is registered and its built-in admin/admin login is never used.
 *
 * <p>Credentials, first found wins: {@code SERV_CONSOLE_USER}/{@code SERV_CONSOLE_PASSWORD}; the configuration
 * {@code serv.console}; else {@code data/console.credentials}, created on first start with a random password that
 * is printed once. Passwords are kept only as {@link Passwords} hashes.
 *
 * <p>Every request of the console comes here first: a change sent from another site's page (its {@code Origin}, or
 * {@code Referer}, names another origin) is refused with a 403 before the login is looked at ({@link SameOrigin}).
 *
 * <p>The same login, with the same limit of wrong logins per address ({@link LoginThrottle}), is the runtime's
 * {@link OperatorLogin}: what {@code /health} asks before it shows its details. The address is the client's as
 * serv.core's {@link ClientAddress} resolves it: behind a trusted proxy, the client it forwarded, not the proxy.
 */
@Component(service = { SecurityProvider.class, OperatorLogin.class },
        property = SecurityProvider.PROPERTY_ID + "=serv")
public final class ConsoleSecurity implements SecurityProvider, OperatorLogin {

    static final String PID = "serv.console";
    static final String CREDENTIALS_FILE = "data/console.credentials";
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleSecurity.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    @ObjectClassDefinition(id = PID, pid = PID, name = "Serv Web Console login",
            description = "Who may use /system/console. Environment variables SERV_CONSOLE_USER and "
                    + "SERV_CONSOLE_PASSWORD win over this configuration.")
    @interface Config {
        @AttributeDefinition(name = "User name")
        String username() default "admin";

        @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD,
                description = "A password (only its hash is kept), or its hash as pbkdf2-sha256$iterations$salt$hash.")
        String password();
    }

    private final Path home;
    /** Who a request's client is (serv.core's trusted proxies): what wrong logins are counted by. */
    private final ClientAddress clients;
    /** Basic-auth headers already verified, keyed by their SHA-256, so PBKDF2 runs once per credential. */
    private final Set<String> verified = ConcurrentHashMap.newKeySet();
    private volatile String username;
    /** The PBKDF2 hash, computed off the start-up path (a derivation takes a few hundred milliseconds). */
    private volatile CompletableFuture<String> hash = CompletableFuture.completedFuture(null);
    /** The file the hash is kept in, when it comes from one: an older hash is upgraded there once it verifies. */
    private volatile Path storedIn;

    private final ServiceRegistration<ManagedService> configuration;
    /**
     * The derivation of a generated login's hash, until it has begun: it waits {@value #SETTLE_SECONDS} s after
     * the login is generated (or for the first login, or the server stopping, if that comes sooner). On a first
     * start it is half a second of CPU that would otherwise compete, on a machine of few cores, with the bundles
     * starting and with the first requests (issue #16: begun at the framework's STARTED event, which the bnd
     * launcher fires at start level 1, it ran beside the first request's databases and routes; begun 5 s later, it
     * and the JIT's compiling of it, 1.8 s of CPU, fell into the first seconds of load, which the JIT needs for the
     * routes). A server killed before then generates a new login at its next start, and logs it.
     */
    private final AtomicReference<Runnable> deferred = new AtomicReference<>();
    static final int SETTLE_SECONDS = 30;

    /**
     * The configuration {@value #PID} comes through a {@link ManagedService} of its own, not the component's
     * configuration: SCR would show it (and the password or its hash) on its status page and as a property of the
     * security provider's service.
     */
    @Activate
    public ConsoleSecurity(BundleContext context, @Reference ClientAddress clients) {
        this.clients = clients;
        String h = context.getProperty("serv.home");
        home = Path.of(h == null ? "." : h).toAbsolutePath().normalize();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_PID, PID);
        configuration = context.registerService(ManagedService.class, this::updated, props);
    }

    @Deactivate
    void deactivate() {
        beginDeferred(); // a generated login is kept in its file all the same, before the server stops
        try {
            hash.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Web Console: the generated login was not kept ({}); a new one is generated at the next start",
                    e.toString());
        }
        try {
            configuration.unregister();
        } catch (IllegalStateException stopping) {
            // the bundle is stopping
        }
    }

    private void updated(Dictionary<String, ?> properties) {
        Map<String, Object> props = new HashMap<>();
        if (properties != null) {
            for (String key : Collections.list(properties.keys())) {
                props.put(key, properties.get(key));
            }
        }
        try {
            configure(props);
        } catch (IOException e) {
            LOG.error("Web Console login: {} cannot be read ({}); fix or delete it", CREDENTIALS_FILE, e.getMessage());
        }
    }

    private synchronized void configure(Map<String, Object> props) throws IOException {
        deferred.set(null); // a generated login not derived yet is replaced by what this configuration says
        verified.clear();
        storedIn = null;
        String envUser = System.getenv("SERV_CONSOLE_USER");
        String envPassword = System.getenv("SERV_CONSOLE_PASSWORD");
        if (envUser != null && !envUser.isBlank() && envPassword != null && !envPassword.isEmpty()) {
            username = envUser;
            hash = CompletableFuture.supplyAsync(() -> Passwords.hash(envPassword));
            LOG.info("Web Console login: user {} from SERV_CONSOLE_USER/SERV_CONSOLE_PASSWORD", envUser);
            return;
        }
        if ((envUser == null) != (envPassword == null)) {
            LOG.error("Web Console: set both SERV_CONSOLE_USER and SERV_CONSOLE_PASSWORD, or neither; ignoring them");
        }
        Object pw = props.get("password");
        if (pw != null && !pw.toString().isEmpty()) {
            Object user = props.get("username");
            username = user == null || user.toString().isBlank() ? "admin" : user.toString();
            String given = pw.toString();
            hash = given.startsWith(Passwords.PREFIX) ? CompletableFuture.completedFuture(given)
                    : CompletableFuture.supplyAsync(() -> Passwords.hash(given));
            LOG.info("Web Console login: user {} from configuration {}", username, PID);
            return;
        }
        Path file = home.resolve(CREDENTIALS_FILE);
        if (Files.isRegularFile(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.size() >= 2 && lines.get(1).startsWith(Passwords.PREFIX)) {
                username = lines.get(0).strip();
                hash = CompletableFuture.completedFuture(lines.get(1).strip());
                storedIn = file;
                LOG.info("Web Console login: user {} from {}", username, CREDENTIALS_FILE);
                return;
            }
            LOG.error("Web Console: {} is malformed; delete it to generate new credentials", file);
            username = null;
            hash = CompletableFuture.completedFuture(null);
            return;
        }
        String generated = randomPassword();
        username = "admin";
        CompletableFuture<String> pending = new CompletableFuture<>();
        hash = pending;
        deferred.set(() -> CompletableFuture.runAsync(() -> {
            try {
                String h = Passwords.hash(generated);
                try {
                    store(file, "admin", h);
                    storedIn = file;
                } catch (IOException e) {
                    LOG.error("Web Console: the generated login could not be kept in {} ({}); it is valid until"
                            + " restart", file, e.getMessage());
                }
                pending.complete(h);
            } catch (RuntimeException | Error e) {
                pending.completeExceptionally(e);
            }
        }));
        CompletableFuture.delayedExecutor(SETTLE_SECONDS, TimeUnit.SECONDS).execute(this::beginDeferred);
        // Shown once: only the hash is kept.
        LOG.warn("Web Console login generated: user admin, password {} (shown once; its hash is kept in {})",
                generated, CREDENTIALS_FILE);
    }

    /** Begins the deferred derivation, if one waits (once). */
    private void beginDeferred() {
        Runnable derive = deferred.getAndSet(null);
        if (derive != null) {
            derive.run();
        }
    }

    private static void store(Path file, String user, String hash) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, user + "\n" + hash + "\n", StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // the folder's own permissions protect it
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Wrong logins by client address: a guesser is refused at once after a few (no PBKDF2 per guess). */
    private final LoginThrottle throttle = new LoginThrottle();

    @Override
    public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
        // Every request of the console passes here first (its pages, its plugins, the admin API): a change sent from
        // another site's page is refused before the login, its throttle and its 401 that asks for the password.
        String forged = SameOrigin.refusal(request);
        if (forged != null) {
            LOG.info("Web Console: {} {} refused: {}", Echo.cut(request.getMethod()), Echo.cut(request.getRequestURI()),
                    forged.substring(0, forged.indexOf(')') + 1));
            refuse(response, forged);
            return null;
        }
        ClientAddress.Client client = clients.resolve(request);
        Check check = check(request.getHeader("Authorization"), client);
        if (check.operator()) {
            return username;
        }
        if (check.outcome() == Outcome.THROTTLED) {
            response.setHeader("Retry-After", Long.toString(check.retryAfterSeconds()));
            try {
                response.sendError(429, "too many wrong console logins from this address: try again in "
                        + check.retryAfterSeconds() + " s");
            } catch (IOException ignored) {
                // the client went away
            }
            return null;
        }
        response.setHeader("WWW-Authenticate", "Basic realm=\"Serv console\", charset=\"UTF-8\"");
        try {
            response.sendError(401);
        } catch (IOException ignored) {
            // the client went away
        }
        return null;
    }

    /**
     * The console's login, for the console and for {@link OperatorLogin}'s callers: a header already verified is the
     * operator's at once; an address with too many wrong logins lately is not looked at; a wrong login is counted.
     */
    @Override
    public Check check(String header, String address) {
        return check(header, new ClientAddress.Client(address, null));
    }

    /** {@link #check(String, String)}, counted by the client's address; the log names the proxy too. */
    @Override
    public Check check(String header, ClientAddress.Client client) {
        String address = client.address();
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return new Check(Outcome.NONE, 0);
        }
        String key = sha256(header);
        if (verified.contains(key)) {
            return new Check(Outcome.OPERATOR, 0);
        }
        long wait = throttle.refusedFor(address, System.nanoTime());
        if (wait > 0) {
            return new Check(Outcome.THROTTLED, wait);
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()),
                    StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            String u = username;
            beginDeferred(); // a login before the derivation has begun: its hash is needed now
            String h = hash.join();
            if (colon > 0 && u != null && h != null
                    && MessageDigest.isEqual(u.getBytes(StandardCharsets.UTF_8),
                            decoded.substring(0, colon).getBytes(StandardCharsets.UTF_8))) {
                Passwords.Check check = Passwords.check(decoded.substring(colon + 1), h);
                if (check.matches()) {
                    upgrade(u, check.upgraded());
                    if (verified.size() < 64) {
                        verified.add(key);
                    }
                    return new Check(Outcome.OPERATOR, 0);
                }
            }
        } catch (IllegalArgumentException malformed) {
            // a wrong login like any other
        }
        if (throttle.failed(address, System.nanoTime())) {
            LOG.warn("Web Console login: {} wrong logins from {} within {} s: its logins are refused until the"
                    + " oldest is {} s old", LoginThrottle.LIMIT, client,
                    LoginThrottle.WINDOW_NANOS / 1_000_000_000L, LoginThrottle.WINDOW_NANOS / 1_000_000_000L);
        }
        return new Check(Outcome.WRONG, 0);
    }

    /** 403 with {@code {"error": message}}. */
    private static void refuse(HttpServletResponse response, String message) {
        try {
            byte[] body = JSON.writeValueAsBytes(Map.of("error", message));
            response.setStatus(HttpServletResponse.SC_FORBIDDEN);
            response.setContentType("application/json");
            response.setHeader("Cache-Control", "no-store");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            response.flushBuffer();
        } catch (IOException ignored) {
            // the client went away
        }
    }

    /** Keeps a hash made at today's strength in place of an older one that just verified (in its file). */
    private void upgrade(String user, String upgraded) {
        Path file = storedIn;
        if (upgraded == null) {
            return;
        }
        hash = CompletableFuture.completedFuture(upgraded);
        if (file != null) {
            try {
                store(file, user, upgraded);
                LOG.info("Web Console login: the password hash in {} was upgraded to {} iterations", CREDENTIALS_FILE,
                        Passwords.ITERATIONS);
            } catch (IOException e) {
                LOG.warn("Web Console login: the upgraded password hash could not be kept in {} ({})", file,
                        e.getMessage());
            }
        }
    }

    @Override
    public boolean authorize(Object user, String role) {
        return user != null && user.equals(username);
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response) {
        // Basic authentication has no server-side session to end.
    }

    private static String sha256(String text) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String randomPassword() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        StringBuilder out = new StringBuilder(20);
        for (int i = 0; i < 20; i++) {
            out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return out.toString();
    }
}
