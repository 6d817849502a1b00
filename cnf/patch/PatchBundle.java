import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
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
 * Copies an OSGi bundle into a folder with one class patched: the class's source, from the bundle's sources jar,
 * with the edits of a patch file applied, compiled against the bundle (and a class path) for the bundle's Java
 * release; everything else (the other classes, resources, the manifest's headers) is copied as it is, and the
 * manifest's description says it was patched. Run by the build with Java's source launcher (see cnf/scr/pom.xml).
 * The build fails when an edit's text is not found exactly once: a new version of the bundle, to be looked at again
 * before building on it.
 *
 * <p>A patch file: {@code #} comment lines (why the patch is there), then {@code class: <binary name with />},
 * {@code release: <Java release>}, {@code description: <text added to Bundle-Description>}, then edits, each a line
 * {@code --- before} followed by a regular expression (its lines joined by newlines) and a line {@code --- after}
 * followed by its replacement ({@code $1}... for the expression's groups).
 *
 * <p>Usage: {@code java PatchBundle.java <bundle jar> <sources jar> <output folder> <work folder> <class path>
 * <patch file>}
 */
public class PatchBundle {

    record Edit(Pattern before, String after) {
    }

    public static void main(String[] args) throws IOException {
        Path jarFile = Path.of(args[0]);
        Path sources = Path.of(args[1]);
        Path out = Path.of(args[2]);
        Path work = Path.of(args[3]);
        String classPath = args[4];
        Path patchFile = Path.of(args[5]);

        String clazz = null;
        String release = "8";
        String description = null;
        List<Edit> edits = new ArrayList<>();
        StringBuilder before = null;
        StringBuilder after = null;
        for (String line : Files.readAllLines(patchFile, StandardCharsets.UTF_8)) {
            if (line.equals("--- before")) {
                if (after != null) {
                    edits.add(edit(before, after));
                }
                before = new StringBuilder();
                after = null;
            } else if (line.equals("--- after")) {
                after = new StringBuilder();
            } else if (after != null) {
                after.append(after.length() == 0 ? "" : "\n").append(line);
            } else if (before != null) {
                before.append(before.length() == 0 ? "" : "\n").append(line);
            } else if (line.startsWith("class: ")) {
                clazz = line.substring(7).strip();
            } else if (line.startsWith("release: ")) {
                release = line.substring(9).strip();
            } else if (line.startsWith("description: ")) {
                description = line.substring(13).strip();
            } else if (!line.isBlank() && !line.startsWith("#")) {
                throw new IllegalArgumentException(patchFile + ": what is '" + line + "'?");
            }
        }
        if (after != null) {
            edits.add(edit(before, after));
        }
        if (clazz == null || description == null || edits.isEmpty()) {
            throw new IllegalArgumentException(patchFile + ": needs class:, description: and at least one edit");
        }

        Path source = work.resolve("src").resolve(clazz + ".java");
        Path classes = work.resolve("classes");
        Files.createDirectories(source.getParent());
        Files.createDirectories(classes);
        try (JarFile src = new JarFile(sources.toFile())) {
            JarEntry e = src.getJarEntry(clazz + ".java");
            if (e == null) {
                throw new IllegalStateException(sources + ": no " + clazz + ".java");
            }
            String text;
            try (InputStream in = src.getInputStream(e)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            for (Edit edit : edits) {
                Matcher m = edit.before().matcher(text);
                if (m.results().count() != 1) {
                    throw new IllegalStateException(sources + ": the text to patch (" + edit.before() + ") is not in "
                            + clazz + ".java exactly once; a new version: look again before building on it");
                }
                text = edit.before().matcher(text).replaceFirst(edit.after());
            }
            Files.writeString(source, text, StandardCharsets.UTF_8);
        }

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--release", release, "-g", "-nowarn", "-encoding", "UTF-8",
                "-classpath", jarFile + java.io.File.pathSeparator + classPath, "-d", classes.toString(),
                source.toString());
        if (rc != 0) {
            throw new IllegalStateException("the patched " + clazz + " did not compile");
        }

        String prefix = clazz + "$";
        try (JarFile jar = new JarFile(jarFile.toFile())) {
            Manifest manifest = jar.getManifest();
            Attributes main = manifest.getMainAttributes();
            main.putValue("Bundle-Description", main.getValue("Bundle-Description") + " " + description);
            var entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                String name = e.getName();
                if (name.equals(JarFile.MANIFEST_NAME) || name.equals(clazz + ".class")
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
        Path compiledDir = classes.resolve(clazz).getParent();
        String simple = clazz.substring(clazz.lastIndexOf('/') + 1);
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

    private static Edit edit(StringBuilder before, StringBuilder after) {
        return new Edit(Pattern.compile(before.toString()), after.toString());
    }

    private static Path safe(Path out, String name) throws IOException {
        Path target = out.resolve(name).normalize();
        if (!target.startsWith(out)) {
            throw new IOException("entry outside the jar's folder: " + name);
        }
        return target;
    }
}
