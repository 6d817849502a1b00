package serv.cli.deploy;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipException;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import serv.cli.admin.AdminClient;
import serv.cli.admin.PathValues;

/**
 * {@code serv deploy [jar]}: installs an extension bundle into a server, through its admin API (a running server) or
 * into its home's {@code deploy/} folder ({@code --home}), then follows it through the admin API until every route
 * of it serves, which is after its migrations, or until it is clear why not (an import nothing provides, a failed
 * migration, a route that another extension's route on its path shadows) or the wait is over. A new version of an
 * extension the operator stopped stays stopped: that is said at once, and is what was asked (exit code 0).
 */
@Command(name = "deploy", mixinStandardHelpOptions = true, description = "Install an extension bundle into a server"
        + " and report when its routes serve (after its migrations) or why they do not.",
        footer = { "", "Exit codes: 0 its routes serve (or it is installed and stays stopped, as the operator stopped"
            + " it), 1 refused or does not serve (the reason is printed), 2 the jar or an option is wrong (nothing was"
            + " sent), 3 no server answers, 4 login refused, 5 server error." })
public final class Deploy implements Callable<Integer> {

    private static final Pattern MIGRATION = Pattern.compile("serv/migrations/[^/]+/V(\\d+)__[^/]*\\.sql");

    @Parameters(index = "0", arity = "0..1", paramLabel = "JAR", description = "The bundle (default: the one jar of"
            + " ./target that is a bundle, as `mvn package` leaves it).")
    Path jar;

    @Option(names = "--home", description = "Copy the jar into this server home's deploy/ folder instead of sending"
            + " it through the admin API (the server picks it up within a second, running or at its next start).")
    Path home;

    @Option(names = "--wait", defaultValue = "60", description = "Seconds to wait for its routes to serve (default:"
            + " ${DEFAULT-VALUE}; 0: do not wait).")
    int waitSeconds;

    @Mixin
    AdminClient.Options options;

    @Spec
    CommandSpec spec;

    /**
     * A bundle's name and version, the highest migration version it brings, and how many route components it
     * declares (its DS descriptors that provide {@code serv.core.Handler}).
     */
    record Bundle(Path file, String symbolicName, String version, int migrations, int routes) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Bundle bundle;
        try {
            bundle = read(jar != null ? jar : findJar(Path.of("target")));
            if (home == null || waitSeconds != 0) {
                AdminClient.address(options); // a wrong --url is said before the jar is copied or sent
            }
        } catch (IllegalArgumentException e) {
            err.println("serv: " + e.getMessage());
            return AdminClient.USAGE;
        } catch (AdminClient.Failure f) {
            err.println("serv: " + f.getMessage());
            return f.exitCode();
        }
        long start = System.nanoTime();
        try {
            AdminClient api = null;
            if (home != null) {
                copyInto(home.resolve("deploy"), bundle);
                out.println("copied " + bundle.file().getFileName() + " to " + home.resolve("deploy")
                        .resolve(bundle.symbolicName() + ".jar"));
                if (waitSeconds == 0) {
                    return AdminClient.OK;
                }
            }
            try {
                api = new AdminClient(options);
            } catch (AdminClient.Failure f) {
                if (home == null) {
                    throw f;
                }
                out.println("not waiting for its routes: " + f.getMessage());
                out.flush();
                return AdminClient.OK;
            }
            if (home == null) {
                JsonNode installed = api.postBytes("extensions", Files.readAllBytes(bundle.file()),
                        "application/java-archive");
                if (stoppedByOperator(installed)) {
                    return keptStopped(api, installed, out);
                }
                out.println("installed " + text(installed, "symbolic_name") + " " + text(installed, "version"));
            }
            out.flush();
            return waitSeconds == 0 ? AdminClient.OK : follow(api, bundle, start, out, err);
        } catch (AdminClient.Failure f) {
            err.println("serv: " + f.getMessage());
            return f.exitCode();
        } catch (IOException e) {
            err.println("serv: " + (home != null ? bundle.file().getFileName() + " cannot be copied into "
                    + home.resolve("deploy") : bundle.file() + " cannot be read") + " (" + reason(e) + ")");
            return AdminClient.REFUSED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AdminClient.REFUSED;
        }
    }

    /** Polls the extension until its routes serve, or it is clear they will not. */
    private int follow(AdminClient api, Bundle bundle, long start, PrintWriter out, PrintWriter err)
            throws AdminClient.Failure, InterruptedException {
        long deadline = start + waitSeconds * 1_000_000_000L;
        String last = "not installed yet";
        while (System.nanoTime() < deadline) {
            JsonNode x;
            try {
                x = api.get("extensions/" + PathValues.segment(bundle.symbolicName()));
            } catch (AdminClient.Failure f) {
                if (f.exitCode() != AdminClient.REFUSED) {
                    throw f;
                }
                Thread.sleep(200); // not in the framework yet (FileInstall polls deploy/ every second)
                continue;
            }
            String version = text(x, "version");
            String problem = text(x, "problem");
            if (!version.equals(bundle.version())) {
                last = "the server still runs version " + version;
            } else if (stoppedByOperator(x)) {
                // A new version of an extension the operator stopped stays stopped, as the one it replaces.
                return keptStopped(api, x, out);
            } else if ("INSTALLED".equals(text(x, "state")) && problem.startsWith("not resolved")) {
                err.println("serv: " + bundle.symbolicName() + " " + version + " does not start: " + problem);
                return AdminClient.REFUSED;
            } else if (problem.contains(" failed to activate: ")) {
                // A component that threw in its constructor or activate method does not try again by itself.
                err.println("serv: " + bundle.symbolicName() + " " + version + " started, but " + problem);
                return AdminClient.REFUSED;
            } else {
                List<String> serving = new ArrayList<>();
                List<String> overridden = new ArrayList<>();
                List<String> waiting = new ArrayList<>();
                List<String> failing = new ArrayList<>(); // every route that will not serve, not only the first
                for (JsonNode r : x.get("routes")) {
                    String route = String.join(",", strings(r.get("methods"))) + " " + text(r, "path");
                    String status = text(r, "status");
                    if ("SERVING".equals(status)) {
                        serving.add(route);
                    } else if ("MIGRATION_FAILED".equals(status)) {
                        err.println("serv: " + bundle.symbolicName() + " " + version + ": "
                                + migrationsProblem(bundle.symbolicName(), text(r, "reason")));
                        return AdminClient.REFUSED;
                    } else if ("NOT_STARTED".equals(status)) {
                        failing.add("route " + route + " does not serve: " + text(r, "reason"));
                    } else if ("SHADOWED".equals(status) && r.path("overridden").asBoolean(false)) {
                        // A route of a higher service.ranking answers instead: an override meant by its extension.
                        overridden.add(route + " is overridden: " + text(r, "reason"));
                    } else if ("SHADOWED".equals(status)) {
                        // Another route on its path and method answers: waiting would not change that.
                        failing.add("route " + route + " is shadowed: " + text(r, "reason"));
                    } else {
                        waiting.add(route + " " + status + (r.hasNonNull("reason") ? " (" + text(r, "reason") + ")"
                                : ""));
                    }
                }
                if (!failing.isEmpty()) {
                    for (String f : failing) {
                        err.println("serv: " + bundle.symbolicName() + " " + version + ": " + f);
                    }
                    return AdminClient.REFUSED;
                }
                int applied = highestApplied(x.get("migrations"));
                if ("ACTIVE".equals(text(x, "state")) && waiting.isEmpty() && applied >= bundle.migrations()
                        && serving.size() + overridden.size() >= bundle.routes()) {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    if (api.json()) {
                        out.println(AdminClient.pretty(x)); // the extension as GET extensions/{name} answers it
                        out.flush();
                        return AdminClient.OK;
                    }
                    out.println(bundle.symbolicName() + " " + version + " serves after " + ms + " ms"
                            + (bundle.migrations() > 0 ? ", migrations applied up to V"
                                    + String.format("%03d", applied) : "") + ":");
                    serving.forEach(r -> out.println("  " + r));
                    overridden.forEach(r -> out.println("  " + r));
                    out.flush();
                    return AdminClient.OK;
                }
                last = text(x, "state") + (problem.isEmpty() ? "" : " (" + problem + ")")
                        + "; " + serving.size() + " of its " + bundle.routes() + " routes serving"
                        + (waiting.isEmpty() ? "" : "; waiting: " + String.join("; ", waiting))
                        + (applied < bundle.migrations() ? "; migrations applied up to V" + applied + " of V"
                                + bundle.migrations() : "");
            }
            Thread.sleep(200);
        }
        err.println("serv: " + bundle.symbolicName() + " " + bundle.version() + " did not serve within "
                + waitSeconds + " s: " + last + " (see the server's log)");
        return AdminClient.REFUSED;
    }

    /**
     * What a {@code MIGRATION_FAILED} route's reason says of its extension's migrations, with the reason. The server
     * words it in two ways (its {@code MigrationRunner.Failure.unavailable}): a migration that failed on the database
     * ({@code extension x is not available: its migration x V3 (...) failed on database d}), or migrations not run at
     * all, for a reason of Serv's ({@code extension x is not available on database d: <why>}): refused as they are (a
     * version both a SQL file and a Java migration, a Java migration whose component did not start), or held back by
     * a rollback ({@code the migrations of x above V2 were rolled back on ...}).
     */
    static String migrationsProblem(String extension, String reason) {
        String notRun = "extension " + extension + " is not available on database ";
        int why = reason.indexOf(": ", notRun.length());
        String what = "its migrations failed";
        if (reason.startsWith(notRun) && why > 0) {
            what = reason.startsWith("the migrations of " + extension + " above V", why + 2)
                    && reason.contains(" were rolled back on ") ? "its migrations are held back by a rollback"
                            : "its migrations were refused (none ran)";
        }
        // The database's own error (a syntax error, say) is not in the admin API's answers: it is the server's log's.
        return what + ", its routes answer 503: " + reason + (what.equals("its migrations failed")
                ? " (the server's log has the database's error, on the line that names the migration)" : "");
    }

    /** Whether the extension, as the admin API shows it, is stopped by the operator. */
    private static boolean stoppedByOperator(JsonNode extension) {
        return text(extension, "problem").startsWith("stopped by the operator");
    }

    /**
     * Says, in one line, that the extension is installed and stays stopped (the operator stopped it), and how to start
     * it: done as asked, nothing to wait for.
     */
    private static int keptStopped(AdminClient api, JsonNode extension, PrintWriter out) {
        String name = text(extension, "symbolic_name");
        if (api.json()) {
            out.println(AdminClient.pretty(extension));
        } else {
            out.println("installed " + name + " " + text(extension, "version") + "; it stays stopped, as the operator"
                    + " stopped it, until `serv extension start " + name + "`");
        }
        out.flush();
        return AdminClient.OK;
    }

    private static int highestApplied(JsonNode migrations) {
        int max = 0;
        if (migrations != null) {
            for (JsonNode db : migrations) {
                for (JsonNode m : db) {
                    String v = text(m, "version").replaceFirst("^0+", "");
                    if (v.matches("\\d{1,9}")) {
                        max = Math.max(max, Integer.parseInt(v));
                    }
                }
            }
        }
        return max;
    }

    /**
     * The one bundle jar in {@code target}.
     *
     * @throws IllegalArgumentException saying why there is not one, and what to do
     */
    static Path findJar(Path target) {
        if (!Files.isDirectory(target)) {
            throw new IllegalArgumentException("no jar given and no target/ folder here: build the extension (mvn"
                    + " package) or name the jar");
        }
        List<Path> bundles = new ArrayList<>();
        try (Stream<Path> files = Files.list(target)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
                if (!f.getFileName().toString().equals("serv.jar") && symbolicName(f) != null) {
                    bundles.add(f);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(target.toAbsolutePath() + " cannot be listed (" + reason(e)
                    + "): name the jar");
        }
        if (bundles.size() != 1) {
            throw new IllegalArgumentException((bundles.isEmpty() ? "no bundle" : "more than one bundle") + " in "
                    + target.toAbsolutePath() + (bundles.isEmpty() ? ": build it (mvn package)" : ": name the jar"));
        }
        return bundles.get(0);
    }

    private static String symbolicName(Path jar) {
        try (JarFile f = new JarFile(jar.toFile())) {
            String bsn = f.getManifest() == null ? null : f.getManifest().getMainAttributes()
                    .getValue("Bundle-SymbolicName");
            return bsn == null ? null : bsn.split(";")[0].strip();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The bundle {@code jar} is.
     *
     * @throws IllegalArgumentException when it is not a bundle's jar, saying what it is and what to give instead
     */
    static Bundle read(Path jar) {
        if (Files.isDirectory(jar)) {
            throw new IllegalArgumentException(jar + " is a folder, not a jar: name the extension's jar file (such as"
                    + " target/notes-1.0.0.jar), or run serv deploy without a jar in the project's folder, after mvn"
                    + " package");
        }
        if (!Files.exists(jar)) {
            throw new IllegalArgumentException(jar + " does not exist: name the extension's jar file");
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar + " is not a file: name the extension's jar file");
        }
        try (JarFile f = new JarFile(jar.toFile())) {
            String bsn = f.getManifest() == null ? null : f.getManifest().getMainAttributes()
                    .getValue("Bundle-SymbolicName");
            if (bsn == null) {
                throw new IllegalArgumentException(jar + " is not an OSGi bundle (no Bundle-SymbolicName)");
            }
            String version = f.getManifest().getMainAttributes().getValue("Bundle-Version");
            int migrations = 0;
            int routes = 0;
            for (JarEntry e : java.util.Collections.list(f.entries())) {
                Matcher m = MIGRATION.matcher(e.getName());
                if (m.matches() && m.group(1).length() <= 9) {
                    migrations = Math.max(migrations, Integer.parseInt(m.group(1)));
                } else if (e.getName().startsWith("OSGI-INF/") && e.getName().endsWith(".xml")) {
                    try (var in = f.getInputStream(e)) {
                        String xml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                        routes += xml.contains("interface=\"serv.core.Handler\"") ? 1 : 0;
                    }
                }
            }
            return new Bundle(jar, bsn.split(";")[0].strip(), osgiVersion(jar, version), migrations, routes);
        } catch (ZipException e) {
            throw new IllegalArgumentException(jar + " is not a jar (not a zip archive): name the extension's jar"
                    + " file");
        } catch (SecurityException e) {
            throw new IllegalArgumentException(jar + " is signed, and its signature does not match what it holds:"
                    + " build or sign it again");
        } catch (IOException e) {
            throw new IllegalArgumentException(jar + " cannot be read (" + reason(e) + ")");
        }
    }

    /** Why a file could not be read, in words (an IOException's message is often the file's name alone). */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "it does not exist";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException || e instanceof java.nio.file.NotDirectoryException) {
            return "a file is where a folder should be";
        }
        if (e instanceof java.nio.file.FileSystemException fs) {
            return fs.getReason() == null ? "an input/output error" : fs.getReason();
        }
        return e.getMessage() == null ? "an input/output error" : e.getMessage();
    }

    /**
     * A Bundle-Version as the framework prints it: three numbers, then the qualifier when there is one.
     *
     * @throws IllegalArgumentException when the header is no OSGi version
     */
    static String osgiVersion(Path jar, String header) {
        String given = header == null || header.isBlank() ? "0" : header.strip();
        if (!given.matches("\\d{1,9}(\\.\\d{1,9}(\\.\\d{1,9}(\\.[A-Za-z0-9_-]+)?)?)?")) {
            throw new IllegalArgumentException(jar + " has Bundle-Version '" + given + "', which is not an OSGi"
                    + " version (MAJOR.MINOR.MICRO, then .QUALIFIER if any)");
        }
        String[] parts = given.split("\\.", 4);
        StringBuilder v = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            v.append(i > 0 ? "." : "").append(i < parts.length ? Integer.parseInt(parts[i]) : 0);
        }
        return parts.length == 4 ? v + "." + parts[3] : v.toString();
    }

    private static void copyInto(Path deploy, Bundle bundle) throws IOException {
        Files.createDirectories(deploy);
        Path target = deploy.resolve(bundle.symbolicName() + ".jar");
        Path tmp = Files.createTempFile(deploy, "." + bundle.symbolicName(), ".part"); // FileInstall skips dot files
        Files.copy(bundle.file(), tmp, StandardCopyOption.REPLACE_EXISTING);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || v.isNull() ? "" : v.isTextual() ? v.asText() : v.toString();
    }
}
