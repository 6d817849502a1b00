package serv.it;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.Jar;

/**
 * Extension bundles for the tests, made the way Serv's own bundles are: bnd's {@link Builder} reads the classes of
 * one package of the test classes, writes the manifest (imports with their version ranges) and the DS descriptors
 * from the annotations. Runs in the test JVM (from a {@code @Configuration} method), before the framework starts;
 * the test methods, inside the framework, read the jar with {@link ServTestSupport#builtBundle(String)}.
 */
final class TestBundles {

    private TestBundles() {
    }

    /**
     * Builds a bundle of the classes of {@code pkg} with the given headers and resources (path to text), into a
     * temporary file; returns its path.
     */
    static Path build(String symbolicName, String pkg, Map<String, String> headers, Map<String, String> resources) {
        try (Builder b = new Builder()) {
            b.setProperty("Bundle-SymbolicName", symbolicName);
            b.setProperty("Bundle-Version", "1.0.0");
            b.setProperty("Private-Package", pkg);
            b.setProperty("-noextraheaders", "true");
            headers.forEach(b::setProperty);
            if (!resources.isEmpty()) {
                Path dir = Files.createTempDirectory(symbolicName + "-resources-");
                for (Map.Entry<String, String> r : resources.entrySet()) {
                    Path file = dir.resolve(r.getKey());
                    Files.createDirectories(file.getParent());
                    Files.writeString(file, r.getValue(), StandardCharsets.UTF_8);
                }
                b.setProperty("-includeresource", dir.toString());
            }
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                b.addClasspath(new File(entry));
            }
            Jar jar = b.build();
            if (!b.isOk()) {
                throw new IllegalStateException("bnd could not build " + symbolicName + ": " + b.getErrors());
            }
            Path out = Files.createTempFile(symbolicName + "-", ".jar");
            out.toFile().deleteOnExit();
            jar.write(out.toFile());
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("bnd could not build " + symbolicName + ": " + e, e);
        }
    }

    /** A plain library jar, no bundle: a manifest without Bundle-SymbolicName and one class file's worth of bytes. */
    static Path plainJar() {
        try {
            Path out = Files.createTempFile("commons-lib-", ".jar");
            out.toFile().deleteOnExit();
            java.util.jar.Manifest m = new java.util.jar.Manifest();
            m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
            m.getMainAttributes().putValue("Implementation-Title", "commons-lib");
            try (java.util.jar.JarOutputStream jar = new java.util.jar.JarOutputStream(Files.newOutputStream(out),
                    m)) {
                jar.putNextEntry(new java.util.jar.JarEntry("org/example/lib/README.txt"));
                jar.write("a library, not a bundle\n".getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
            return out;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
