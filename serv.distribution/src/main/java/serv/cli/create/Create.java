package serv.cli.create;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import serv.cli.CommandGroup;

/**
 * {@code serv create extension|route|middleware|migration}: the files of a new extension project, and of a route, a
 * middleware or a migration inside one. Every file comes from a template among serv.jar's resources
 * ({@code serv/cli/templates/}); nothing is overwritten.
 */
@Command(name = "create", mixinStandardHelpOptions = true, description = "Create an extension project, or a route,"
        + " middleware or migration inside one.", subcommands = { Create.Extension.class, Create.Route.class,
            Create.Middleware.class, Create.Migration.class })
public final class Create extends CommandGroup {

    /** Exit code: the files could not be made (a name taken, not inside a project); the reason is printed. */
    static final int REFUSED = 1;
    /**
     * Exit code: an option's value cannot be used (a name, package or path the project's code could not have, as
     * for the other commands a wrong option or argument); the reason is printed, nothing is made.
     */
    static final int USAGE = 2;

    /** An option's value that cannot be used: one line on stderr, exit code {@link #USAGE}. */
    static final class WrongOption extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        WrongOption(String message) {
            super(message);
        }
    }

    /**
     * What every create command does around its own work: a wrong option's value (exit code 2) and a refusal (exit
     * code 1) are one line on stderr.
     */
    abstract static class Maker implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public final Integer call() {
            try {
                return make(spec.commandLine().getOut());
            } catch (WrongOption e) {
                spec.commandLine().getErr().println("serv: " + e.getMessage());
                return USAGE;
            } catch (IllegalArgumentException | IOException e) {
                spec.commandLine().getErr().println("serv: " + e.getMessage());
                return REFUSED;
            }
        }

        abstract int make(PrintWriter out) throws IOException;

        /** Writes {@code text} to a new file; refuses to replace one. */
        static void write(Path file, String text, PrintWriter out, Path base) throws IOException {
            if (Files.exists(file)) {
                throw new IllegalArgumentException(base.relativize(file) + " exists already; nothing was changed");
            }
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
            out.println("created " + base.relativize(file));
        }
    }

    @Command(name = "extension", mixinStandardHelpOptions = true, description = "Make a new extension project in a"
            + " folder named after it: a Maven project (bnd, Serv's API, DS annotations) with settings, a"
            + " repository, list/create/read/update/delete routes, migrations and tests on SQLite and PostgreSQL.")
    static final class Extension extends Maker {
        @Option(names = "--name", required = true, description = "The extension's name, e.g. \"Notes\".")
        String name;

        @Option(names = "--group", defaultValue = "com.example", description = "The Maven groupId (default:"
                + " ${DEFAULT-VALUE}).")
        String group;

        @Option(names = "--package", description = "The Java package (default: <group>.<name>).")
        String pkg;

        @Option(names = "--dir", defaultValue = ".", description = "Where the project's folder is made (default:"
                + " the current folder).")
        Path dir;

        @Override
        int make(PrintWriter out) throws IOException {
            String slug = Names.slug(name);
            String p = pkg != null ? pkg : Names.defaultPackage(group, name);
            String bad = Names.badPackage(p);
            if (bad != null) {
                throw new WrongOption(bad);
            }
            Path project = dir.toAbsolutePath().normalize().resolve(slug);
            if (Files.exists(project)) {
                throw new IllegalArgumentException(project + " exists already; nothing was changed");
            }
            Map<String, String> values = Names.extension(name, group, p, servVersion());
            for (String line : Template.read("extension/files.list").split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.strip().split("\\s+");
                write(project.resolve(Template.fill(parts[1], values)),
                        Template.render("extension/" + parts[0], values), out, project.getParent());
            }
            out.println();
            out.println("Next: cd " + slug + " && mvn verify   (builds the bundle and tests it on SQLite and"
                    + " PostgreSQL)");
            out.println("      serv deploy                   (installs target/" + slug + "-1.0.0-SNAPSHOT.jar into a"
                    + " running server)");
            return 0;
        }
    }

    @Command(name = "route", mixinStandardHelpOptions = true, description = "Add a route to the extension project of"
            + " this folder: a Handler component with @Route.")
    static final class Route extends Maker {
        @Option(names = "--name", required = true, description = "The class name, e.g. Search.")
        String name;

        @Option(names = "--path", required = true, description = "The path template, e.g. /notes/search or"
                + " /notes/{id}/tags.")
        String path;

        /** What the server's routes answer (serv.core's RouteTable refuses a route of another method). */
        static final List<String> ROUTE_METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

        @Option(names = "--methods", split = ",", defaultValue = "GET", description = "The HTTP methods"
                + " (default: ${DEFAULT-VALUE}).")
        List<String> methods;

        @Option(names = "--dir", defaultValue = ".", description = "The project (default: the current folder).")
        Path dir;

        @Override
        int make(PrintWriter out) throws IOException {
            String bad = Names.badPath(path);
            if (bad != null) {
                throw new WrongOption(bad);
            }
            for (String m : methods) {
                // the server refuses a route of any other method (a typo: GTE), and the value goes into Java source
                if (!ROUTE_METHODS.contains(m.strip().toUpperCase(java.util.Locale.ROOT))) {
                    throw new WrongOption("--methods '" + m + "' is no method a route answers: use "
                            + String.join(", ", ROUTE_METHODS));
                }
            }
            Project project = Project.find(dir);
            Map<String, String> values = project.values();
            String cls = Names.className(name, "route");
            values.put("Route", cls);
            values.put("routePath", path);
            List<String> quoted = new ArrayList<>();
            for (String m : methods) {
                quoted.add("\"" + m.strip().toUpperCase(java.util.Locale.ROOT) + "\"");
            }
            values.put("methods", quoted.size() == 1 ? quoted.get(0) : "{ " + String.join(", ", quoted) + " }");
            write(project.javaFolder().resolve(cls + ".java"), Template.render("route/Route.java.tmpl", values), out,
                    project.root());
            return 0;
        }
    }

    @Command(name = "middleware", mixinStandardHelpOptions = true, description = "Add a middleware to the extension"
            + " project of this folder: a Middleware component with its service ranking (above 0 runs outside the"
            + " request's transaction, below 0 inside it).")
    static final class Middleware extends Maker {
        @Option(names = "--name", required = true, description = "The class name, e.g. Audit.")
        String name;

        @Option(names = "--ranking", defaultValue = "100", description = "Its service.ranking: the highest runs"
                + " outermost (default: ${DEFAULT-VALUE}; the transaction middleware is 0).")
        int ranking;

        @Option(names = "--dir", defaultValue = ".", description = "The project (default: the current folder).")
        Path dir;

        @Override
        int make(PrintWriter out) throws IOException {
            Project project = Project.find(dir);
            Map<String, String> values = project.values();
            String cls = Names.className(name, "middleware");
            values.put("Middleware", cls);
            values.put("ranking", Integer.toString(ranking));
            values.put("header", "X-" + String.join("-", Names.words(name)));
            write(project.javaFolder().resolve(cls + ".java"),
                    Template.render("middleware/Middleware.java.tmpl", values), out, project.root());
            return 0;
        }
    }

    @Command(name = "migration", mixinStandardHelpOptions = true, description = "Add the next migration to the"
            + " extension project of this folder: V<next>__<name>.sql, one portable script, or one per dialect."
            + " <next> follows the folder's SQL scripts and the project's Java migrations (read from"
            + " src/main/java); a version that is already both is refused (exit code 1), naming the files.")
    static final class Migration extends Maker {
        @Option(names = "--name", required = true, description = "What it does, e.g. add_tags.")
        String name;

        @Option(names = "--dialects", split = ",", description = "Write one script per dialect instead of a"
                + " portable one: postgresql, sqlite. A dialect's script replaces the portable one of its version on"
                + " that database.")
        List<String> dialects;

        @Option(names = "--folder", defaultValue = "default", description = "The migrations folder, under"
                + " src/main/resources/serv/migrations/ (default: ${DEFAULT-VALUE}).")
        String folder;

        @Option(names = "--dir", defaultValue = ".", description = "The project (default: the current folder).")
        Path dir;

        @Override
        int make(PrintWriter out) throws IOException {
            Project project = Project.find(dir);
            Path migrations = project.root().resolve("src/main/resources/serv/migrations").resolve(folder);
            // The server puts the folder's SQL scripts and the project's Java migrations in one version order, and
            // refuses them all when a version is both: the next one follows both, and a clash is said here first.
            ProjectMigrations existing = ProjectMigrations.read(project.root(), folder);
            List<String> clashes = existing.clashes();
            if (!clashes.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", clashes) + ": the server refuses the"
                        + " migrations of folder " + folder + " (none runs) until one of them gets another version;"
                        + " nothing was made");
            }
            for (String unread : existing.unread()) {
                spec.commandLine().getErr().println("serv: note: the Java migration " + unread + "; make sure"
                        + " its version is not the one made here");
            }
            String version = String.format("%03d", existing.highest() + 1);
            Map<String, String> values = project.values();
            values.put("version", version);
            values.put("description", Names.snake(name).replace('_', ' '));
            List<String> targets = dialects == null ? List.of("") : dialects;
            for (String d : targets) {
                String dialect = d.strip().toLowerCase(java.util.Locale.ROOT);
                if (!dialect.isEmpty() && !dialect.equals("postgresql") && !dialect.equals("sqlite")) {
                    throw new WrongOption("--dialects: '" + d + "' is not postgresql or sqlite");
                }
                values.put("dialect", dialect.isEmpty() ? "every database" : dialect);
                String file = "V" + version + "__" + Names.snake(name) + (dialect.isEmpty() ? "" : "." + dialect)
                        + ".sql";
                write(migrations.resolve(file), Template.render("migration/migration.sql.tmpl", values), out,
                        project.root());
            }
            return 0;
        }
    }

    /** The Serv version of this serv.jar, which a new project builds and tests against. */
    static String servVersion() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Create.class.getResourceAsStream("/serv/cli/serv.properties")) {
            if (in == null) {
                throw new IllegalStateException("serv.jar holds no serv/cli/serv.properties");
            }
            p.load(in);
        }
        return p.getProperty("version");
    }
}
