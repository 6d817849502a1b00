package serv.cluster.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.core.config.ConfigStore;
import serv.core.runtime.DeployedJars;

/**
 * The extensions of {@code deploy/} shared by the cluster: a jar dropped into (or uploaded to) one node's
 * {@code deploy/} is stored, and written into every other node's {@code deploy/} (FileInstall installs it there, and
 * its migrations run once, under the migration lock); a jar removed from one node's {@code deploy/} is marked removed
 * and leaves every node's. To tell its own changes from the cluster's, a node remembers in
 * {@value #MEMORY} the checksum of each file as it last agreed with the store: a file that differs from it was changed
 * here (it goes to the store), a file that is still as agreed follows the store (replaced or removed). So a node
 * that was down while a jar was removed removes it at start, and does not bring it back.
 *
 * <p>A jar removed here reaches the store only after {@link PendingRemovals#GRACE_NANOS}: an operator upgrading by hand
 * removes the old jar and copies the new one a few seconds later, and the removal alone would have every node
 * uninstall the extension meanwhile. A jar of the same extension that comes into deploy/ before the grace ends makes
 * it a replacement: the store gets the new jar once it serves here (the other nodes update in place), and keeps the
 * old one until then. Which of several jars of an extension serves here is serv.core's word ({@link DeployedJars}),
 * not a copy of its rule; while that service is away (serv.core restarting) nothing is decided.
 */
final class BundleSync {

    static final String MEMORY = "data/cluster/bundles.properties";
    private static final Logger LOG = LoggerFactory.getLogger(BundleSync.class);

    private final Path deploy;
    private final Path memoryFile;
    private final StoreAddress address;
    private final Store store;
    private final String node;
    private final Supplier<DeployedJars> deployed;
    private final PendingRemovals removals = new PendingRemovals();
    private boolean waitingLogged;
    /**
     * The store's version of each extension this node wrote, until a version read has it: an older record read
     * before is not followed (it would have the new jar, as agreed, removed as the old extension's other file).
     */
    private final Map<String, Long> wrote = new HashMap<>();
    /** file name to "checksum symbolic-name", as last agreed with the store. */
    private final Map<String, String> agreed = new TreeMap<>();
    /** checksums of local files by name and modification time, so a jar is hashed once. */
    private final Map<String, String[]> hashes = new HashMap<>();
    private volatile List<Store.BundleRecord> latest;

    BundleSync(Path home, Path deploy, StoreAddress address, Store store, String node,
            Supplier<DeployedJars> deployed) {
        this.deploy = deploy;
        this.deployed = deployed;
        this.memoryFile = home.resolve(MEMORY);
        this.address = address;
        this.store = store;
        this.node = node;
        load();
    }

    /** The store's bundles at a new version. */
    void stored(List<Store.BundleRecord> bundles) {
        latest = bundles;
    }

    /** One pass: local changes to the store, then the store's to deploy/. Runs on one thread. */
    synchronized void sync() {
        List<Store.BundleRecord> records = latest;
        if (records == null) {
            return; // the store was not read yet: nothing can be decided
        }
        DeployedJars jars = deployed.get();
        if (jars == null) {
            if (!waitingLogged) {
                LOG.debug("serv.core's DeployedJars is not there (yet): deploy/ is synchronised once it is");
                waitingLogged = true;
            }
            return; // which jar serves here is serv.core's word: without it, nothing is decided
        }
        waitingLogged = false;
        Map<String, Store.BundleRecord> byName = new HashMap<>();
        records.forEach(r -> byName.put(r.symbolicName(), r));
        Map<String, String[]> local = scan(); // file -> {checksum, bsn, version, stamp}
        boolean changed = false;
        try {
            for (Map.Entry<String, String[]> e : local.entrySet()) {
                String file = e.getKey();
                String[] f = e.getValue();
                String agreedSum = checksumOf(agreed.get(file));
                if (f[0].equals(agreedSum) || f[1] == null || !file.equals(serving(jars, f[1], local))) {
                    // as agreed, no bundle, or a jar of an extension of which another jar serves here (serv.core
                    // warns of the duplicate; or not reported to it yet): the cluster gets what serves, never a jar
                    // that would replace it
                    continue;
                }
                Store.BundleRecord r = byName.get(f[1]);
                if (r != null && !r.removed() && r.checksum().equals(f[0])) {
                    agreed.put(file, f[0] + " " + f[1]);
                    changed = true;
                    continue;
                }
                byte[] bytes = Files.readAllBytes(deploy.resolve(file));
                try (Connection c = address.connect()) {
                    long v = store.putBundle(c, f[1], file, f[2], f[0], bytes, node);
                    wrote.put(f[1], v);
                    LOG.info("Extension {} ({}) from deploy/{} stored in the cluster (version {}): every node installs"
                            + " it", f[1], f[2], file, v);
                }
                agreed.put(file, f[0] + " " + f[1]);
                changed = true;
            }
            for (String file : List.copyOf(agreed.keySet())) {
                if (local.containsKey(file)) {
                    removals.forget(file);
                    continue;
                }
                String[] was = agreed.get(file).split(" ", 2);
                Store.BundleRecord r = byName.get(was.length > 1 ? was[1] : "");
                if (r != null && !r.removed() && r.checksum().equals(was[0]) && r.fileName().equals(file)
                        && !stale(r)) {
                    String bsn = r.symbolicName();
                    if (removals.waits(file, bsn, successor(bsn, local), System.nanoTime())) {
                        continue; // the store keeps the jar until the grace ends, or the new jar replaces it
                    }
                    try (Connection c = address.connect()) {
                        long v = store.removeBundle(c, r.symbolicName(), r.checksum(), node);
                        wrote.put(r.symbolicName(), v);
                        LOG.info("Extension {} removed from deploy/: removed from the cluster (version {})",
                                r.symbolicName(), v);
                    } catch (ConfigStore.Conflict meanwhile) {
                        LOG.info("Extension {}: {}", r.symbolicName(), meanwhile.getMessage());
                    }
                }
                removals.forget(file);
                agreed.remove(file);
                changed = true;
            }
            for (Store.BundleRecord r : records) {
                if (!stale(r)) {
                    changed |= follow(r, local);
                }
            }
        } catch (IOException | SQLException | ConfigStore.Conflict e) {
            LOG.warn("Extensions could not be synchronised with the cluster (tried again in a second): {}",
                    e.getMessage());
        } finally {
            if (changed) {
                save();
            }
        }
    }

    /** A jar of {@code bsn} in deploy/ that serv.core can install (one that may replace a removed one), or null. */
    private static String successor(String bsn, Map<String, String[]> local) {
        return local.entrySet().stream().filter(e -> bsn.equals(e.getValue()[1]) && installable(e.getValue()[2]))
                .map(Map.Entry::getKey).findFirst().orElse(null);
    }

    /** Whether a record was read before this node wrote a newer version of its extension. */
    private boolean stale(Store.BundleRecord r) {
        Long w = wrote.get(r.symbolicName());
        if (w == null) {
            return false;
        }
        if (r.version() >= w) {
            wrote.remove(r.symbolicName());
            return false;
        }
        return true;
    }

    private static boolean installable(String version) {
        if (version == null) {
            return false;
        }
        try {
            Version.parseVersion(version.strip());
            return true;
        } catch (IllegalArgumentException notABundle) {
            return false; // serv.core does not install it
        }
    }

    /**
     * Makes deploy/ hold what the store says for one extension; true when it changed something. The store's jar is
     * written before the other jars of the extension leave: deploy/ never lacks a jar of an extension the cluster
     * keeps, as serv.core would uninstall it meanwhile (and install it anew from the new jar, with another bundle id
     * and without its data); with both there, serv.core runs the one of the higher version, and the store's once the
     * other is gone.
     */
    private boolean follow(Store.BundleRecord r, Map<String, String[]> local) throws IOException, SQLException {
        boolean changed = false;
        if (!r.removed()) {
            String[] have = local.get(r.fileName());
            if (have == null && removals.pending(r.fileName())) {
                return false; // removed here, its removal waiting for the grace: not written back
            }
            if (have == null || !have[0].equals(r.checksum())) {
                if (have != null && !have[0].equals(checksumOf(agreed.get(r.fileName())))) {
                    return false; // changed here and not stored yet: this node's change goes first
                }
                byte[] bytes;
                try (Connection c = address.connect()) {
                    bytes = store.bundleContent(c, r.symbolicName(), r.checksum());
                }
                if (bytes == null || !sha256(bytes).equals(r.checksum())) {
                    return false; // replaced meanwhile: the next version says what to do
                }
                Path target = deploy.resolve(r.fileName());
                Files.createDirectories(deploy);
                Path tmp = Files.createTempFile(deploy, "." + r.symbolicName(), ".part"); // FileInstall skips dot files
                Files.write(tmp, bytes);
                try {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
                agreed.put(r.fileName(), r.checksum() + " " + r.symbolicName());
                LOG.info("Extension {} ({}) written to deploy/{} from the cluster (version {})", r.symbolicName(),
                        r.bundleVersion(), r.fileName(), r.version());
                changed = true;
            }
        }
        // The other files of deploy/ that hold this extension, as agreed (a local change was stored above); the
        // store's own file was written in place above.
        for (Map.Entry<String, String[]> e : local.entrySet()) {
            String file = e.getKey();
            String[] f = e.getValue();
            if (!r.symbolicName().equals(f[1]) || (!r.removed() && file.equals(r.fileName()))) {
                continue;
            }
            if (f[0].equals(checksumOf(agreed.get(file)))) { // as agreed: not changed here, it follows the store
                Files.deleteIfExists(deploy.resolve(file));
                agreed.remove(file);
                changed = true;
                LOG.info("Extension {}: deploy/{} removed, as the cluster says (version {})", r.symbolicName(), file,
                        r.version());
            }
        }
        return changed;
    }

    /**
     * The file of deploy/ that serves {@code symbolicName} here, as serv.core says (of several, the first it names that
     * is still there); null when serv.core has none of those yet (FileInstall reports a new file a poll late).
     */
    static String serving(DeployedJars jars, String symbolicName, Map<String, String[]> local) {
        for (Path p : jars.jarsOf(symbolicName)) {
            String name = p.getFileName().toString();
            String[] f = local.get(name);
            if (f != null && symbolicName.equals(f[1])) {
                return name;
            }
        }
        return null;
    }

    /** The jars of deploy/: name to {checksum, symbolic name (null: not a bundle), version, modified/size}. */
    private Map<String, String[]> scan() {
        Map<String, String[]> out = new TreeMap<>();
        if (!Files.isDirectory(deploy)) {
            return out;
        }
        try (DirectoryStream<Path> all = Files.newDirectoryStream(deploy, "*.jar")) {
            for (Path p : all) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                try {
                    FileTime t = Files.getLastModifiedTime(p);
                    long size = Files.size(p);
                    String stamp = t.toMillis() + "/" + size;
                    String[] known = hashes.get(name);
                    if (known == null || !known[3].equals(stamp)) {
                        byte[] bytes = Files.readAllBytes(p);
                        String[] id = identity(bytes);
                        known = new String[] { sha256(bytes), id[0], id[1], stamp };
                        hashes.put(name, known);
                    }
                    out.put(name, known);
                } catch (IOException goneMeanwhile) {
                    // deleted or being written: the next pass sees it
                }
            }
        } catch (IOException e) {
            LOG.warn("deploy/ cannot be listed: {}", e.getMessage());
        }
        return out;
    }

    /** {symbolic name, version} of a jar, or {null, null} when it is not a bundle (yet: half-written). */
    private static String[] identity(byte[] jar) {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest m = in.getManifest();
            String bsn = m == null ? null : m.getMainAttributes().getValue("Bundle-SymbolicName");
            String version = m == null ? null : m.getMainAttributes().getValue("Bundle-Version");
            return new String[] { bsn == null ? null : bsn.split(";")[0].strip(), version == null ? "0.0.0" : version };
        } catch (IOException e) {
            return new String[] { null, null };
        }
    }

    private static String checksumOf(String agreedEntry) {
        return agreedEntry == null ? null : agreedEntry.split(" ", 2)[0];
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void load() {
        if (!Files.isRegularFile(memoryFile)) {
            return;
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(memoryFile, StandardCharsets.UTF_8)) {
            p.load(in);
            p.stringPropertyNames().forEach(k -> agreed.put(k, p.getProperty(k)));
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("{} cannot be read ({}): the jars of deploy/ are taken as this node's own", MEMORY,
                    e.getMessage());
        }
    }

    private void save() {
        Properties p = new Properties();
        agreed.forEach(p::setProperty);
        try {
            Files.createDirectories(memoryFile.getParent());
            Path tmp = memoryFile.resolveSibling(memoryFile.getFileName() + ".tmp");
            try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(out, "The jars of deploy/ as last agreed with the cluster's store (file = checksum name)");
            }
            Files.move(tmp, memoryFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("{} cannot be written: {}", MEMORY, e.getMessage());
        }
    }
}
