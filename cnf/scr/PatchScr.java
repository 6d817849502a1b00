import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Copies Felix SCR's bundle into a folder with one method patched: {@code RegionConfigurationSupport
 * .getConfigurationInfo} reads a configuration's change count before its properties instead of after (run by the
 * build with Java's source launcher: see pom.xml).
 *
 * <p>Why: SCR applies a {@code CM_UPDATED} event by reading the configuration's current properties and then its
 * current change count, and ignores any later event whose change count is not above the one it recorded. When a
 * second update lands between those two reads (two edits in quick succession: a script, a form saved twice, a
 * test), SCR records the second update's count with the first update's properties and then skips the second event:
 * the component keeps the old values until the configuration changes again, while Configuration Admin and the
 * console show the new ones. Serv's ConfigurationPlugins (run inside {@code getProcessedProperties}) widen that
 * window. Reading the count first closes it: Configuration Admin assigns a configuration's properties before its
 * count (one synchronized block, the count volatile), so properties read after a count are at least that new; at
 * worst a later event applies the same values once more. {@code configureComponentHolder} in the same class already
 * reads them in this order. Found by ConfigurationRaceIT (before: a component left on old values in a few of 30
 * bursts of 50 edits). Upstream (Felix SCR 2.2.18 and its main branch) still reads them the other way.
 *
 * <p>Everything else - the other classes, resources, the manifest's headers - is copied as it is; the build fails
 * when the patched text is not found exactly once (a new SCR version: look again before building on it).
 *
 * <p>Usage: {@code java PatchScr.java <scr jar> <scr sources jar> <output folder> <work folder> <class path>}
 */
public class PatchScr {

    private static final String CLASS = "org/apache/felix/scr/impl/manager/RegionConfigurationSupport";

    /**
     * The statement to patch (whitespace aside) and its replacement, on as many lines, so that the line numbers of
     * the rest of the class stay those of the original.
     */
    private static final Pattern BEFORE = Pattern.compile(
            "return new ConfigurationInfo\\((\\s*)config\\.getProcessedProperties\\(ref\\),(\\s*)"
                    + "config\\.getBundleLocation\\(\\), config\\.getChangeCount\\(\\)\\);");
    private static final String AFTER = "long changeCount = config.getChangeCount(); return new ConfigurationInfo("
            + "$1config.getProcessedProperties(ref),$2config.getBundleLocation(), changeCount);";

    public static void main(String[] args) throws IOException {
        Path jarFile = Path.of(args[0]);
        Path sources = Path.of(args[1]);
        Path out = Path.of(args[2]);
        Path work = Path.of(args[3]);
        String classPath = args[4];

        Path source = work.resolve("src").resolve(CLASS + ".java");
        Path classes = work.resolve("classes");
        Files.createDirectories(source.getParent());
        Files.createDirectories(classes);
        try (JarFile src = new JarFile(sources.toFile())) {
            JarEntry e = src.getJarEntry(CLASS + ".java");
            if (e == null) {
                throw new IllegalStateException(sources + ": no " + CLASS + ".java");
            }
            String text;
            try (InputStream in = src.getInputStream(e)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Matcher m = BEFORE.matcher(text);
            if (m.results().count() != 1) {
                throw new IllegalStateException(sources + ": the statement to patch is not in " + CLASS
                        + ".java exactly once; a new SCR version: look again before building on it");
            }
            Files.writeString(source, BEFORE.matcher(text).replaceFirst(AFTER), StandardCharsets.UTF_8);
        }

        // compiled for Java 8, as the rest of the bundle is
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--release", "8", "-g", "-nowarn", "-encoding", "UTF-8", "-classpath",
                jarFile + java.io.File.pathSeparator + classPath, "-d", classes.toString(), source.toString());
        if (rc != 0) {
            throw new IllegalStateException("the patched " + CLASS + " did not compile");
        }

        String prefix = CLASS + "$";
        try (JarFile jar = new JarFile(jarFile.toFile())) {
            Manifest manifest = jar.getManifest();
            Attributes main = manifest.getMainAttributes();
            main.putValue("Bundle-Description", main.getValue("Bundle-Description")
                    + " (patched by Serv: a configuration's change count is read before its properties, so two"
                    + " quick updates cannot leave a component on the first; see cnf/scr)");
            var entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                String name = e.getName();
                if (name.equals(JarFile.MANIFEST_NAME) || name.equals(CLASS + ".class")
                        || (name.startsWith(prefix) && name.endsWith(".class"))) {
                    continue; // the manifest is written below, the class and its nested ones come from javac
                }
                Path target = safe(out, name);
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = jar.getInputStream(e)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Path mf = out.resolve(JarFile.MANIFEST_NAME);
            Files.createDirectories(mf.getParent());
            try (OutputStream o = Files.newOutputStream(mf)) {
                manifest.write(o);
            }
        }
        Path compiledDir = classes.resolve(CLASS).getParent();
        String simple = CLASS.substring(CLASS.lastIndexOf('/') + 1);
        List<Path> compiled;
        try (Stream<Path> files = Files.list(compiledDir)) {
            compiled = files.filter(p -> {
                String n = p.getFileName().toString();
                return n.equals(simple + ".class") || n.startsWith(simple + "$");
            }).toList();
        }
        for (Path p : compiled) {
            Path target = safe(out, classes.relativize(p).toString().replace(java.io.File.separatorChar, '/'));
            Files.createDirectories(target.getParent());
            Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static Path safe(Path out, String name) throws IOException {
        Path target = out.resolve(name).normalize();
        if (!target.startsWith(out)) {
            throw new IOException("entry outside the jar's folder: " + name);
        }
        return target;
    }
}
