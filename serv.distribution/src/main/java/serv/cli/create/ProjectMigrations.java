package serv.cli.create;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The migrations of one folder of an extension project, as the server will put them in one version order: the SQL
 * scripts of {@code src/main/resources/serv/migrations/<folder>/} and the project's Java migrations for that folder.
 *
 * <p>The server asks a Java migration ({@code serv.database.JavaMigration}) its version by calling {@code version()},
 * and its folder from its service property {@code serv.database.name}. Without running the project's code, this reads
 * them from its sources ({@code src/main/java}, comments left out): a class that implements {@code JavaMigration},
 * directly or through the project's own types (an interface that extends it, a base class, an interface of an
 * interface, followed to any depth), is not abstract, and whose {@code version()} returns a string literal or a
 * {@code String} constant of its own file ({@code return "004";}, {@code return VERSION;}); its folder is the value of
 * {@code "serv.database.name=..."} or {@code JavaMigration.DATABASE + "=..."} in the file. What it cannot read is said
 * ({@link #unread}), never guessed: a version computed or passed to a constructor (a record's component), a
 * {@code version()} inherited from a base class, a database set only by configuration (such a migration counts for
 * every folder when the next version is chosen, and for none when clashes are looked for). Sources under other
 * folders than {@code src/main/java} (generated ones) are not read.
 */
final class ProjectMigrations {

    /** One migration: its version ({@code U} first for a down script) and the file that declares it. */
    record Found(String version, Path file) {
    }

    /** A SQL migration's file name, as the server reads it (its {@code Migration.FILE}); U for a down script. */
    private static final Pattern SQL = Pattern.compile(
            "([VU])(\\d+(?:[._]\\d+)*)__[A-Za-z0-9_-]+?(?:\\.(?:postgresql|sqlite))?\\.sql");
    /** A type's declaration up to its body: modifiers, kind, name, and what follows (type parameters, supertypes). */
    private static final Pattern TYPE = Pattern.compile(
            "((?:\\b(?:public|protected|private|static|final|abstract|sealed|non-sealed|strictfp)\\s+)*)"
                    + "(?<![.\\w$])(class|record|enum|interface)\\s+([A-Za-z_$][\\w$]*)([^{;]*)\\{");
    /** Type arguments or a record's components, innermost first: not supertypes. */
    private static final Pattern NESTED = Pattern.compile("<[^<>]*>|\\([^()]*\\)");
    private static final Pattern VERSION = Pattern.compile(
            "\\bString\\s+version\\s*\\(\\s*\\)\\s*(?:throws[^{]*)?\\{\\s*return\\s+([^;]+?)\\s*;\\s*\\}");
    private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern NAME = Pattern.compile("(?:[\\w$]+\\.)*([A-Za-z_$][\\w$]*)");
    private static final Pattern DATABASE = Pattern.compile(
            "(?:\"serv\\.database\\.name|\\b(?:JavaMigration\\.)?DATABASE\\s*\\+\\s*\")(?::String)?\\s*=\\s*([^\"]*)\"");

    private final List<Found> sql = new ArrayList<>();
    private final List<Found> java = new ArrayList<>();
    /** Java migrations of every folder, theirs unknown: counted for the next version only. */
    private final List<Found> anyFolder = new ArrayList<>();
    private final List<String> unread = new ArrayList<>();

    private ProjectMigrations() {
    }

    /** The migrations of {@code folder} in the project at {@code root}. */
    static ProjectMigrations read(Path root, String folder) throws IOException {
        ProjectMigrations m = new ProjectMigrations();
        m.readSql(root, root.resolve("src/main/resources/serv/migrations").resolve(folder));
        m.readJava(root, root.resolve("src/main/java"), folder);
        return m;
    }

    /** The SQL scripts of a folder only (up and down); for {@link Project#highestVersion}. */
    static ProjectMigrations sqlOf(Path folder) throws IOException {
        ProjectMigrations m = new ProjectMigrations();
        m.readSql(folder, folder);
        return m;
    }

    private void readSql(Path root, Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.sorted().toList()) {
                Matcher m = SQL.matcher(f.getFileName().toString());
                if (m.matches()) {
                    sql.add(new Found((m.group(1).equals("U") ? "U" : "") + m.group(2), root.relativize(f)));
                }
            }
        }
    }

    /** A source file: its path from the project's root and its text without comments. */
    private record Source(Path file, String code) {
    }

    private void readJava(Path root, Path sources, String folder) throws IOException {
        if (!Files.isDirectory(sources)) {
            return;
        }
        List<Source> all = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                all.add(new Source(root.relativize(f), withoutComments(Files.readString(f, StandardCharsets.UTF_8))));
            }
        }
        // The project's types that are Java migrations: those whose declaration names JavaMigration after extends or
        // implements, then those that name one of them (an interface of the project that extends JavaMigration, a
        // base class, a class implementing such an interface), until no new one comes.
        Set<String> migrationTypes = new HashSet<>(Set.of("JavaMigration"));
        Map<Source, List<Declaration>> declared = new LinkedHashMap<>();
        for (Source s : all) {
            declared.put(s, declarations(s.code()));
        }
        Map<Source, List<Declaration>> found = new LinkedHashMap<>();
        boolean more = true;
        while (more) {
            more = false;
            for (Map.Entry<Source, List<Declaration>> e : declared.entrySet()) {
                for (Declaration d : e.getValue()) {
                    List<Declaration> of = found.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
                    if (!of.contains(d) && d.supertypes().stream().anyMatch(migrationTypes::contains)) {
                        migrationTypes.add(d.name());
                        of.add(d);
                        more = true;
                    }
                }
            }
        }
        for (Source s : all) {
            if (found.getOrDefault(s, List.of()).stream().allMatch(Declaration::notRegistered)) {
                continue; // none, or an interface or a base class: not registered itself
            }
            String database = null;
            Matcher d = DATABASE.matcher(s.code());
            if (d.find()) {
                database = d.group(1).strip();
            }
            if (database != null && !database.equals(folder)) {
                continue; // another folder's
            }
            Matcher v = VERSION.matcher(s.code());
            if (!v.find()) {
                unread.add(s.file() + " (its version() is not a `return` of a string or a String constant of its file)");
                continue;
            }
            do {
                String version = value(v.group(1), s.code());
                if (version == null || !version.matches("\\d+(?:[._]\\d+)*")) {
                    unread.add(s.file() + " (its version() returns " + v.group(1) + (version == null ? ""
                            : " = \"" + version + "\", which is not a version like 004 or 2.1") + ")");
                } else if (database == null) {
                    anyFolder.add(new Found(version, s.file()));
                    unread.add(s.file() + " (V" + version + ": its serv.database.name is not in its source, so"
                            + " its folder is not known)");
                } else {
                    java.add(new Found(version, s.file()));
                }
            } while (v.find());
        }
    }

    /**
     * A type the file declares (nested ones too): its simple name, the simple names it extends or implements, and
     * whether the server could register it (not an interface, not abstract).
     */
    private record Declaration(String name, List<String> supertypes, boolean notRegistered) {
    }

    private static List<Declaration> declarations(String code) {
        List<Declaration> out = new ArrayList<>();
        Matcher t = TYPE.matcher(code);
        while (t.find()) {
            String header = t.group(4);
            String before;
            do {
                before = header;
                header = NESTED.matcher(header).replaceAll(" ");
            } while (!header.equals(before));
            header = header.split("\\bpermits\\b", 2)[0]; // a sealed type's subtypes, not its supertypes
            Matcher from = Pattern.compile("\\b(?:extends|implements)\\b(.*)", Pattern.DOTALL).matcher(header);
            List<String> supertypes = new ArrayList<>();
            if (from.find()) {
                for (String part : from.group(1).split("\\bimplements\\b|,")) {
                    Matcher n = NAME.matcher(part.replaceAll("@[\\w$.]+", "").strip());
                    if (n.matches()) {
                        supertypes.add(n.group(1));
                    }
                }
            }
            out.add(new Declaration(t.group(3), supertypes, t.group(2).equals("interface")
                    || t.group(1).contains("abstract")));
        }
        return out;
    }

    /** A string literal's text, or a String constant's of {@code code}; null when it is neither. */
    private static String value(String expression, String code) {
        Matcher l = LITERAL.matcher(expression);
        if (l.matches()) {
            return l.group(1);
        }
        Matcher n = NAME.matcher(expression);
        if (n.matches()) {
            Matcher constant = Pattern.compile("\\bString\\s+" + Pattern.quote(n.group(1))
                    + "\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*;").matcher(code);
            if (constant.find()) {
                return constant.group(1);
            }
        }
        return null;
    }

    /** The highest first part of a version among them all (up and down, of any folder); 0 when there are none. */
    int highest() {
        BigInteger max = BigInteger.ZERO;
        for (List<Found> list : List.of(sql, java, anyFolder)) {
            for (Found f : list) {
                String v = f.version().startsWith("U") ? f.version().substring(1) : f.version();
                BigInteger first = new BigInteger(v.split("[._]")[0]);
                max = first.max(max);
            }
        }
        return max.intValueExact();
    }

    /**
     * The versions that are both a SQL script and a Java migration, or two Java migrations, of this folder: the server
     * refuses the folder's migrations (none runs) until one of them gets another version. One line each, naming the
     * files.
     */
    List<String> clashes() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < java.size(); i++) {
            Found j = java.get(i);
            List<String> scripts = new ArrayList<>();
            for (Found f : sql) {
                if (!f.version().startsWith("U") && ORDER.compare(j.version(), f.version()) == 0) {
                    scripts.add(f.file().toString());
                }
            }
            if (!scripts.isEmpty()) {
                out.add("V" + j.version() + " is both the SQL " + (scripts.size() == 1 ? "file " : "files ")
                        + String.join(" and ", scripts) + " and the Java migration " + j.file());
            }
            for (Found earlier : java.subList(0, i)) {
                if (ORDER.compare(j.version(), earlier.version()) == 0) {
                    out.add("V" + j.version() + " is both the Java migration " + earlier.file()
                            + " and the Java migration " + j.file());
                }
            }
        }
        return out;
    }

    /** The Java migrations (and their reasons) whose version or folder this could not read. */
    List<String> unread() {
        return unread;
    }

    /** The server's version order ({@code Migration.VERSION_ORDER}): numerically part by part, 4 = 004, 2 < 10. */
    static final Comparator<String> ORDER = (a, b) -> {
        String[] x = a.split("[._]");
        String[] y = b.split("[._]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            BigInteger p = i < x.length ? new BigInteger(x[i]) : BigInteger.ZERO;
            BigInteger q = i < y.length ? new BigInteger(y[i]) : BigInteger.ZERO;
            int c = p.compareTo(q);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    };

    /**
     * Java source without its comments (a commented-out {@code version()} is no version); string, character and text
     * block literals are kept as they are, a comment marker inside one included.
     */
    static String withoutComments(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (c == '"' && source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                int stop = end < 0 ? n : end + 3;
                out.append(source, i, stop);
                i = stop;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && source.charAt(j) != c && source.charAt(j) != '\n') {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                int stop = Math.min(n, j + 1);
                out.append(source, i, stop);
                i = stop;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
