package serv.console.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.core.runtime.DeployedJars;

/**
 * Extensions as jars in the home's {@code deploy/} folder, which FileInstall installs, updates and uninstalls: what
 * the console or the command line installs survives a restart like a hand-dropped jar. A jar's manifest is checked
 * before it is written ({@link BundleManifest}); uploads and removals of one symbolic name go one at a time; an
 * answer names a file from the home ({@code deploy/notes.jar}), never by its whole path.
 */
final class Deployments {

    private static final Logger LOG = LoggerFactory.getLogger(Deployments.class);
    /** How long an install, update or removal waits for FileInstall (it looks every second). */
    static final long WAIT_MS = 15_000;
    private final long waitMs;

    /** What an upload did: the bundle, and whether it is new (else it replaced one, or came with another upload). */
    record Installed(Bundle bundle, boolean created) {
    }

    /** The uploads and removals of one symbolic name, one at a time, and the jar the last upload installed. */
    private static final class Slot {
        final ReentrantLock lock = new ReentrantLock();
        byte[] digest;
        long doneAt;
        long bundleId;
    }

    private final BundleContext context;
    /** serv.core's view of deploy/: which jar each extension runs from (null while it is not there). */
    private final Supplier<DeployedJars> jars;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();

    Deployments(BundleContext context) {
        this(context, () -> null, WAIT_MS);
    }

    Deployments(BundleContext context, Supplier<DeployedJars> jars) {
        this(context, jars, WAIT_MS);
    }

    Deployments(BundleContext context, Supplier<DeployedJars> jars, long waitMs) {
        this.context = context;
        this.jars = jars;
        this.waitMs = waitMs;
    }

    /**
     * The jar of deploy/ a deployed bundle runs from: serv.core's word, as the bundle's location names the jar it was
     * installed from, which may be gone (another jar of the extension took over); the location when serv.core does
     * not say.
     */
    private Path jarOf(Bundle b) {
        DeployedJars deployed = jars.get();
        java.util.Optional<Path> serving = deployed == null ? java.util.Optional.empty()
                : deployed.servingJar(b.getBundleId());
        return serving.orElseGet(() -> Path.of(URI.create(b.getLocation())));
    }

    /**
     * Installs an extension's jar, or replaces the deployed jar of the same symbolic name, and waits until FileInstall
     * has it in the framework. A jar the framework would refuse is a 400 and nothing is written. An upload that waited
     * while another installed the same bytes is answered with that install (200): eight uploads of one new jar at
     * once are one install (201) and seven answers that it is there.
     */
    Installed install(byte[] jar) throws ApiException {
        BundleManifest.Identity identity = BundleManifest.read(jar);
        String bsn = identity.symbolicName();
        long arrived = System.nanoTime();
        byte[] digest = sha256(jar);
        Slot slot = slots.computeIfAbsent(bsn, k -> new Slot());
        lock(slot, bsn, waitMs);
        try {
            if (slot.doneAt - arrived > 0 && Arrays.equals(slot.digest, digest)) {
                Bundle same = context.getBundle(slot.bundleId);
                if (same != null && bsn.equals(same.getSymbolicName()) && same.getState() != Bundle.UNINSTALLED) {
                    return new Installed(same, false);
                }
            }
            Installed done = deploy(jar, identity);
            slot.digest = digest;
            slot.doneAt = System.nanoTime();
            slot.bundleId = done.bundle().getBundleId();
            return done;
        } finally {
            slot.lock.unlock();
        }
    }

    /** Removes a deployed extension: its jar leaves deploy/, and FileInstall uninstalls it (waited for). */
    void uninstall(Bundle b) throws ApiException {
        if (!deployed(b)) {
            throw ApiException.conflict(b.getSymbolicName() + " is part of the server, not a deployed extension: stop"
                    + " it instead");
        }
        Slot slot = slots.computeIfAbsent(b.getSymbolicName(), k -> new Slot());
        lock(slot, b.getSymbolicName(), waitMs);
        try {
            slot.digest = null; // an upload after this removal installs again, even the same jar
            try {
                Files.deleteIfExists(jarOf(b));
                for (Path other : jarsOf(b.getSymbolicName(), null)) {
                    Files.deleteIfExists(other); // another jar of it would be installed in its place
                }
            } catch (IOException | IllegalArgumentException e) {
                LOG.error("Admin API: the jar of {} ({}) could not be removed", b.getSymbolicName(), b.getLocation(),
                        e);
                throw new ApiException(500, "the jar of " + b.getSymbolicName() + " could not be removed; see the"
                        + " server's log");
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
            while (b.getState() != Bundle.UNINSTALLED && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        } finally {
            slot.lock.unlock();
        }
    }

    private static void lock(Slot slot, String bsn, long waitMs) throws ApiException {
        try {
            if (!slot.lock.tryLock(waitMs, TimeUnit.MILLISECONDS)) {
                throw ApiException.conflict("another upload or removal of " + Echo.cut(bsn) + " is under way; send"
                        + " this one again once it is answered");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted: nothing was changed");
        }
    }

    /** Writes the jar into deploy/ and waits for FileInstall; when it does not come, deploy/ is put back as it was. */
    private Installed deploy(byte[] jar, BundleManifest.Identity identity) throws ApiException {
        String bsn = identity.symbolicName();
        Path deploy = folder();
        Bundle existing = null;
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                existing = b;
            }
        }
        if (existing != null && !deployed(existing, deploy)) {
            throw ApiException.conflict(bsn + " is part of the server, not a deployed extension: it is not replaced"
                    + " here");
        }
        Path target = existing != null ? jarOf(existing) : deploy.resolve(bsn + ".jar");
        long before = existing == null ? -1 : existing.getLastModified();
        byte[] previous;
        try {
            Files.createDirectories(deploy);
            previous = Files.exists(target) ? Files.readAllBytes(target) : null;
            write(deploy, target, bsn, jar);
            for (Path other : jarsOf(bsn, target)) {
                Files.deleteIfExists(other); // this upload replaces the extension: one jar of it in deploy/
                LOG.info("Admin API: {} removed, as {} replaces extension {}", shown(other), shown(target), bsn);
            }
        } catch (IOException e) {
            LOG.error("Admin API: the jar of {} could not be written to {}", bsn, target, e);
            throw new ApiException(500, "the jar could not be written to " + shown(target) + "; see the server's log");
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (System.nanoTime() < deadline) {
            for (Bundle b : context.getBundles()) {
                if (bsn.equals(b.getSymbolicName()) && (existing == null || b.getLastModified() != before)
                        && b.getVersion().equals(identity.version())) {
                    return new Installed(b, existing == null);
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // Not left there: a jar the framework refuses would be refused again, with an ERROR, at every start.
        String undone;
        try {
            if (previous == null) {
                Files.deleteIfExists(target);
                undone = "it was taken out of deploy/ again";
            } else {
                write(deploy, target, bsn, previous);
                undone = "the jar deployed before was put back";
            }
        } catch (IOException e) {
            LOG.error("Admin API: {} could not be put back as it was", target, e);
            undone = "it could not be taken out again";
        }
        LOG.warn("Admin API: FileInstall did not install {} from {} within {} ms; {}", bsn, target, waitMs, undone);
        throw new ApiException(504, "FileInstall did not install " + shown(target) + " within " + seconds(waitMs)
                + ", so " + undone + "; see the server's log");
    }

    /** The jars of deploy/ (but {@code except}) whose manifest names {@code bsn}. */
    List<Path> jarsOf(String bsn, Path except) throws IOException {
        List<Path> out = new java.util.ArrayList<>();
        try (var files = Files.newDirectoryStream(folder(), "*.jar")) {
            for (Path f : files) {
                if (f.getFileName().toString().startsWith(".") || f.equals(except) || !Files.isRegularFile(f)) {
                    continue;
                }
                try (java.util.jar.JarFile jar = new java.util.jar.JarFile(f.toFile(), false)) {
                    java.util.jar.Manifest m = jar.getManifest();
                    String name = m == null ? null : m.getMainAttributes().getValue("Bundle-SymbolicName");
                    if (name != null && name.split(";")[0].strip().equals(bsn)) {
                        out.add(f);
                    }
                } catch (IOException notAJar) {
                    // not a jar of this extension
                }
            }
        } catch (java.nio.file.NoSuchFileException none) {
            return out;
        }
        return out;
    }

    private static String seconds(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    /** Writes a jar in place at once (FileInstall never sees half of it). */
    private static void write(Path deploy, Path target, String bsn, byte[] jar) throws IOException {
        Path tmp = Files.createTempFile(deploy, "." + bsn, ".part"); // FileInstall skips dot files
        try {
            Files.write(tmp, jar);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The server's home, as an absolute path. */
    private Path home() {
        String home = context.getProperty("serv.home");
        return Path.of(home == null ? "." : home).toAbsolutePath().normalize();
    }

    /** The home's deploy folder (FileInstall's). */
    Path folder() {
        String dir = context.getProperty("felix.fileinstall.dir");
        return home().resolve(dir == null ? "deploy" : dir).normalize();
    }

    /** A file of the server as an answer names it: from the home ({@code deploy/x.jar}), never its whole path. */
    String shown(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path home = home();
        return abs.startsWith(home) ? home.relativize(abs).toString().replace('\\', '/')
                : String.valueOf(abs.getFileName());
    }

    /**
     * A bundle's location as an answer shows it: a file's from the home ({@code deploy/x.jar}), as {@link #shown}; for
     * an extension of deploy/, the jar it runs from (after a hand-over to another jar of it, not the one it was
     * installed from, which its location names).
     */
    String location(Bundle b) {
        if (deployed(b)) {
            try {
                return shown(jarOf(b));
            } catch (IllegalArgumentException e) {
                return b.getLocation();
            }
        }
        String location = b.getLocation();
        String file = location.startsWith("reference:") ? location.substring("reference:".length()) : location;
        if (!file.startsWith("file:")) {
            return location;
        }
        try {
            return shown(Path.of(URI.create(file)));
        } catch (IllegalArgumentException e) {
            return location;
        }
    }

    boolean deployed(Bundle b) {
        return deployed(b, folder());
    }

    /** Whether the bundle was installed from a jar in the deploy folder (FileInstall's location is its file URI). */
    static boolean deployed(Bundle b, Path deploy) {
        String location = b.getLocation();
        if (!location.startsWith("file:")) {
            return false;
        }
        try {
            return Path.of(URI.create(location)).toAbsolutePath().normalize().startsWith(deploy);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
