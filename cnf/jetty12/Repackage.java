import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Copies Felix HTTP's Jetty 12 bundle into a folder, its manifest without the optional requirement on an
 * {@code osgi.serviceloader.processor} extender (run by the build with Java's source launcher: see pom.xml).
 *
 * <p>Why: with that requirement, SPI Fly (which Serv needs for slf4j 2) treats the bundle as a ServiceLoader
 * consumer and rewrites every class it loads with ASM, computing stack frames, to find the seven that call
 * {@code ServiceLoader.load}. That weaving was the largest part of Jetty's start, on the path to the first request
 * (issue #16: 4.2 s to 3.3 s to the first 200 on this machine, 1.5 s less CPU). None of those seven calls matters
 * to Serv: the HTTP/1 field encoder is Jetty's built-in fallback, and Jetty's security handlers, credential
 * providers and ALPN (HTTP/2 over TLS, which Serv does not configure) are not used. Everything else - classes,
 * resources, every other header - is copied as it is.
 *
 * <p>Usage: {@code java Repackage.java <felix jetty12 jar> <output folder>}
 */
public class Repackage {

    private static final String REQUIRE = "Require-Capability";

    public static void main(String[] args) throws IOException {
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        try (JarFile jar = new JarFile(in.toFile())) {
            Manifest manifest = jar.getManifest();
            Attributes main = manifest.getMainAttributes();
            String before = main.getValue(REQUIRE);
            List<String> kept = new ArrayList<>();
            int dropped = 0;
            for (String clause : clauses(before == null ? "" : before)) {
                if (clause.strip().startsWith("osgi.extender;") && clause.contains("osgi.serviceloader.processor")) {
                    dropped++;
                } else {
                    kept.add(clause);
                }
            }
            if (dropped != 1) {
                // A new version of the bundle changed its requirements: look again before building on it.
                throw new IllegalStateException(in + ": expected one osgi.serviceloader.processor requirement in "
                        + REQUIRE + ", found " + dropped + ": " + before);
            }
            main.putValue(REQUIRE, String.join(",", kept));
            main.putValue("Bundle-Description", main.getValue("Bundle-Description")
                    + " (repackaged by Serv: without the optional osgi.serviceloader.processor requirement, so that"
                    + " SPI Fly does not weave its classes; see cnf/jetty12)");
            var entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                if (e.getName().equals(JarFile.MANIFEST_NAME)) {
                    continue;
                }
                Path target = out.resolve(e.getName()).normalize();
                if (!target.startsWith(out)) {
                    throw new IOException("entry outside the jar's folder: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                try (InputStream src = jar.getInputStream(e)) {
                    Files.copy(src, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Path mf = out.resolve(JarFile.MANIFEST_NAME);
            Files.createDirectories(mf.getParent());
            try (OutputStream o = Files.newOutputStream(mf)) {
                manifest.write(o);
            }
        }
    }

    /** The clauses of a manifest header: split at commas outside quoted strings. */
    static List<String> clauses(String header) {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                result.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.isEmpty()) {
            result.add(current.toString());
        }
        return result;
    }
}
