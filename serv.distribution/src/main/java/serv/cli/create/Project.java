package serv.cli.create;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An extension project made by {@code serv create extension}: found by its settings interface
 * ({@code src/main/java/.../<Class>Settings.java} with {@code String PID = "serv.<slug>"}), which gives the package
 * and the names the other templates use.
 */
record Project(Path root, String pkg, String cls) {

    private static final Pattern PID = Pattern.compile("String PID = \"serv\\.([^\"]+)\"");

    /** The project of {@code dir} (or of a parent folder). */
    static Project find(Path dir) throws IOException {
        for (Path d = dir.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
            Path src = d.resolve("src/main/java");
            if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isDirectory(src)) {
                List<Path> settings;
                try (Stream<Path> files = Files.walk(src)) {
                    settings = files.filter(f -> f.getFileName().toString().endsWith("Settings.java"))
                            .filter(f -> read(f).contains("String PID = \"serv.")).toList();
                }
                if (settings.size() == 1) {
                    Path s = settings.get(0);
                    String pkg = src.relativize(s.getParent()).toString().replace(java.io.File.separatorChar, '.');
                    String name = s.getFileName().toString();
                    return new Project(d, pkg, name.substring(0, name.length() - "Settings.java".length()));
                }
                throw new IllegalArgumentException(d + " is a Maven project but not one `serv create extension` made"
                        + " (" + (settings.isEmpty() ? "no" : "more than one") + " *Settings.java with"
                        + " String PID = \"serv.<name>\" under src/main/java)");
            }
        }
        throw new IllegalArgumentException("not inside an extension project: no pom.xml with src/main/java in "
                + dir.toAbsolutePath().normalize() + " or above (run serv create extension first, or give --dir)");
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    Path javaFolder() {
        return root.resolve("src/main/java").resolve(pkg.replace('.', '/'));
    }

    /** The template values of this project. */
    Map<String, String> values() {
        Matcher m = PID.matcher(read(javaFolder().resolve(cls + "Settings.java")));
        String slug = m.find() ? m.group(1) : cls.toLowerCase(java.util.Locale.ROOT);
        Map<String, String> v = new java.util.LinkedHashMap<>();
        v.put("package", pkg);
        v.put("Class", cls);
        v.put("slug", slug);
        return v;
    }

    /**
     * The highest version number among the SQL migrations (up and down) of a folder, by its first part ({@code 2}
     * for {@code V2.1__}); 0 when there are none. The project's Java migrations: {@link ProjectMigrations}.
     */
    static int highestVersion(Path folder) throws IOException {
        return ProjectMigrations.sqlOf(folder).highest();
    }
}
