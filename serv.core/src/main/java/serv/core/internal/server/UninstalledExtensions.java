package serv.core.internal.server;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An extension of {@code deploy/} uninstalled by other means than removing its jar (the Web Console's Bundles page,
 * the shell's {@code uninstall}) stays uninstalled after a restart: FileInstall would install its jar again at the
 * next start, as the launcher starts on a clean framework storage. The jar is moved to {@code data/uninstalled/}
 * (kept, not deleted), which is what removing it from {@code deploy/} does (the console's and the admin API's
 * uninstall, and, in a cluster, on every node).
 */
@Component(immediate = true, service = {})
public final class UninstalledExtensions implements SynchronousBundleListener {

    static final String FOLDER = "data/uninstalled";
    private static final Logger LOG = LoggerFactory.getLogger(UninstalledExtensions.class);

    private final BundleContext context;
    private final Path home;
    private final Path deploy;
    private final DeployFolder folder;

    @Activate
    public UninstalledExtensions(BundleContext context, @Reference DeployFolder folder) {
        this.context = context;
        this.folder = folder;
        this.home = ServerHome.home(context);
        this.deploy = ServerHome.deployFolder(context);
        context.addBundleListener(this);
    }

    @Deactivate
    void deactivate() {
        try {
            context.removeBundleListener(this);
        } catch (IllegalStateException stopping) {
            // the bundle's context is gone already
        }
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() != BundleEvent.UNINSTALLED || !FrameworkStart.running(context)) {
            return;
        }
        Bundle b = event.getBundle();
        Path location = folder.servingJar(b.getBundleId()).orElseGet(() -> deployed(b));
        if (location == null) {
            return; // not one of deploy/
        }
        // Every jar of deploy/ that holds it (of several, the others would be installed in its place at the next
        // start), else the one it runs from (installed or, after a hand-over, last updated from). None: removed from
        // deploy/, which is how it came to go.
        java.util.List<Path> jars = new java.util.ArrayList<>(folder.jarsOf(b.getSymbolicName()));
        if (jars.isEmpty() && Files.isRegularFile(location)) {
            jars.add(location);
        }
        for (Path jar : jars) {
            if (sameBundle(jar, b, jar.equals(location))) {
                moveOut(b, jar);
            }
            // else another jar at its place, written since: the one it was installed from was removed (so it was
            // uninstalled) and a new one written (a cluster replacing a version: remove, then write). Not moved.
        }
    }

    private void moveOut(Bundle b, Path jar) {
        Path target = home.resolve(FOLDER).resolve(jar.getFileName());
        try {
            Files.createDirectories(target.getParent());
            Files.move(jar, target, StandardCopyOption.REPLACE_EXISTING);
            LOG.info("Extension {} uninstalled: its jar moved from {} to {}, so that it is not installed again at the"
                    + " next start", b.getSymbolicName(), home.relativize(jar), home.relativize(target));
        } catch (IOException e) {
            LOG.warn("Extension {} uninstalled, but its jar {} could not be moved out of {} ({}): it is installed"
                    + " again at the next start unless removed", b.getSymbolicName(), jar, deploy, e.toString());
        }
    }

    /**
     * Whether the jar is one the bundle was installed from, or another jar of it that was there then: the same
     * symbolic name (and version, for the one it was installed from), and not written after the bundle was installed
     * or updated.
     */
    private static boolean sameBundle(Path jar, Bundle b, boolean installedFrom) {
        try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
            java.util.jar.Manifest m = file.getManifest();
            String name = m == null ? null : m.getMainAttributes().getValue("Bundle-SymbolicName");
            String version = m == null ? null : m.getMainAttributes().getValue("Bundle-Version");
            if (name == null || !name.split(";")[0].strip().equals(b.getSymbolicName()) || (installedFrom
                    && (version == null || !org.osgi.framework.Version.parseVersion(version.strip())
                            .equals(b.getVersion())))) {
                return false;
            }
            return Files.getLastModifiedTime(jar).toMillis() <= b.getLastModified() + 1_000;
        } catch (IOException | IllegalArgumentException notTheSame) {
            return false; // half written, or no jar: not the one it was installed from
        }
    }

    /** The jar of deploy/ a bundle was installed from (FileInstall's location, a file: URI), or null. */
    private Path deployed(Bundle b) {
        String location = b.getLocation();
        if (location == null || !location.startsWith("file:")) {
            return null;
        }
        try {
            Path file = Path.of(URI.create(location)).toAbsolutePath().normalize();
            return deploy.equals(file.getParent()) ? file : null;
        } catch (IllegalArgumentException notAPath) {
            return null;
        }
    }

}
