package serv.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;

import serv.core.runtime.DeployedJars;

/** Uploads into deploy/, against a stand-in for FileInstall that installs what appears there every 50 ms. */
class DeploymentsTest {

    @TempDir
    Path home;

    /** The framework's bundles by location, as the stand-in for FileInstall leaves them. */
    private final Map<String, Bundle> installed = new ConcurrentHashMap<>();
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(100);
    private final ScheduledExecutorService fileInstall = Executors.newSingleThreadScheduledExecutor();
    private volatile boolean refuses;
    private BundleContext context;

    @BeforeEach
    void framework() {
        context = Fakes.of(BundleContext.class, Map.of(
                "getBundles", a -> installed.values().toArray(new Bundle[0]),
                "getBundle", a -> installed.values().stream().filter(b -> b.getBundleId() == (Long) a[0]).findFirst()
                        .orElse(null),
                "getProperty", a -> a[0].equals("serv.home") ? home.toString() : null));
        fileInstall.scheduleWithFixedDelay(this::scan, 0, 50, TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void stop() {
        fileInstall.shutdownNow();
    }

    private void scan() {
        try (Stream<Path> files = Files.list(home.resolve("deploy"))) {
            List<String> present = new ArrayList<>();
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") || !name.endsWith(".jar") || refuses) {
                    continue;
                }
                String location = f.toUri().toString();
                present.add(location);
                long stamp = Files.getLastModifiedTime(f).toMillis() * 31 + Files.size(f);
                if (!Long.valueOf(stamp).equals(seen.put(location, stamp))) {
                    Bundle old = installed.get(location);
                    installed.put(location, bundle(f, location, old == null ? ids.incrementAndGet()
                            : old.getBundleId()));
                }
            }
            installed.keySet().retainAll(present);
        } catch (IOException e) {
            // no deploy/ yet
        }
    }

    private static Bundle bundle(Path jar, String location, long id) throws IOException {
        Manifest m;
        try (JarFile j = new JarFile(jar.toFile())) {
            m = j.getManifest();
        }
        String bsn = m.getMainAttributes().getValue("Bundle-SymbolicName");
        Version v = Version.parseVersion(m.getMainAttributes().getValue("Bundle-Version"));
        long modified = System.nanoTime();
        return Fakes.of(Bundle.class, Map.of("getSymbolicName", a -> bsn, "getVersion", a -> v,
                "getBundleId", a -> id, "getLocation", a -> location, "getLastModified", a -> modified,
                "getState", a -> Bundle.ACTIVE));
    }

    static byte[] jar(String bsn, String version) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().putValue("Manifest-Version", "1.0");
        m.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        m.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
        m.getMainAttributes().putValue("Bundle-Version", version);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new ZipEntry("serv/migrations/default/V001__hello.sql"));
            j.write("CREATE TABLE hello (greeting TEXT);".getBytes());
        }
        return out.toByteArray();
    }

    private List<String> deployFolder() throws IOException {
        if (!Files.isDirectory(home.resolve("deploy"))) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(home.resolve("deploy"))) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void eightUploadsOfOneNewJarAtOnceAreOneInstall() throws Exception {
        Deployments deployments = new Deployments(context);
        byte[] jar = jar("serv.it.hello", "1.0.0");
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<Deployments.Installed>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(clients.submit(() -> deployments.install(jar)));
            }
            int created = 0;
            List<Long> bundles = new ArrayList<>();
            for (Future<Deployments.Installed> a : answers) {
                Deployments.Installed done = a.get(30, TimeUnit.SECONDS);
                created += done.created() ? 1 : 0;
                bundles.add(done.bundle().getBundleId());
            }
            assertEquals(1, created, "one 201 created, seven 200");
            assertEquals(1, bundles.stream().distinct().count(), bundles.toString());
        } finally {
            clients.shutdownNow();
        }
        assertEquals(List.of("serv.it.hello.jar"), deployFolder());
        assertEquals("deploy/serv.it.hello.jar", deployments.location(installed.values().iterator().next()));
        // Sent again afterwards, it is deployed again (a retry of an extension whose component failed).
        long before = installed.values().iterator().next().getLastModified();
        Deployments.Installed again = deployments.install(jar);
        assertFalse(again.created());
        assertTrue(again.bundle().getLastModified() != before);
    }

    @Test
    void aJarTheFrameworkWouldRefuseIsNotWritten() throws Exception {
        Deployments deployments = new Deployments(context);
        ApiException e = assertThrows(ApiException.class, () -> deployments.install(jar("badver", "abc")));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("Bundle-Version: 'abc' is not a version"), e.getMessage());
        assertEquals(List.of(), deployFolder());
    }

    @Test
    void aJarFileInstallDoesNotTakeIsTakenOutAgainAndNoPathIsAnswered() throws Exception {
        refuses = true;
        Deployments deployments = new Deployments(context, () -> null, 300);
        ApiException e = assertThrows(ApiException.class, () -> deployments.install(jar("serv.it.late", "1.0.0")));
        assertEquals(504, e.status());
        assertEquals("FileInstall did not install deploy/serv.it.late.jar within 300 ms, so it was taken out of"
                + " deploy/ again; see the server's log", e.getMessage());
        assertFalse(e.getMessage().contains(home.toString()));
        assertEquals(List.of(), deployFolder());
    }

    /**
     * An extension whose jar was removed while another jar of it was there runs from that one (serv.core updated the
     * bundle from it, keeping its id), but its location still names the removed jar: the answer names the jar it runs
     * from, an upload replaces that jar (not the removed one's name, written anew beside it), and a removal takes it
     * out.
     */
    @Test
    void anExtensionHandedOverToAnotherJarIsNamedReplacedAndRemovedByThatJar() throws Exception {
        fileInstall.shutdownNow(); // serv.core's DeployFolder, not FileInstall's bundle per file: played here
        Path deploy = Files.createDirectories(home.resolve("deploy"));
        Path serving = deploy.resolve("b.jar");
        Files.write(serving, jar("x.notes", "1.0.0"));
        String removed = deploy.resolve("a.jar").toUri().toString(); // installed from it; it went, b.jar took over
        Bundle bundle = Fakes.of(Bundle.class, Map.of("getSymbolicName", a -> "x.notes", "getBundleId", a -> 7L,
                "getLocation", a -> removed,
                "getVersion", a -> Files.exists(serving) ? versionOf(serving) : Version.parseVersion("1.0.0"),
                "getLastModified", a -> Files.exists(serving) ? serving.toFile().lastModified() : 0L,
                "getState", a -> Files.exists(serving) ? Bundle.ACTIVE : Bundle.UNINSTALLED));
        installed.put(removed, bundle);
        DeployedJars jars = Fakes.of(DeployedJars.class, Map.of("servingJar", a -> (Long) a[0] == 7L
                && Files.exists(serving) ? Optional.of(serving) : Optional.empty()));
        Deployments deployments = new Deployments(context, () -> jars, 3_000);

        assertEquals("deploy/b.jar", deployments.location(bundle));
        Thread.sleep(20); // a newer modification time for the upload
        Deployments.Installed done = deployments.install(jar("x.notes", "1.0.1"));
        assertEquals(7L, done.bundle().getBundleId());
        assertEquals(List.of("b.jar"), deployFolder());
        assertEquals(Version.parseVersion("1.0.1"), versionOf(serving));
        assertEquals("deploy/b.jar", deployments.location(bundle));

        deployments.uninstall(bundle);
        assertEquals(List.of(), deployFolder());
    }

    private static Version versionOf(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            return Version.parseVersion(j.getManifest().getMainAttributes().getValue("Bundle-Version"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
