package serv.cli.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import serv.cli.CommandGroup;

/**
 * {@code serv config validate}: checks a home's configuration without starting a server. The rules are the
 * server's own ({@code serv.core}'s {@code OfflineValidation}, {@code serv.database}'s settings), loaded from the
 * bundles inside serv.jar by a class loader of their own: no framework starts, nothing listens, no pool opens.
 */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Check the configuration of a server home.",
        subcommands = Config.Validate.class)
public final class Config extends CommandGroup {


    @Command(name = "validate", mixinStandardHelpOptions = true, description = "Check serv.config.yaml, the overlay of"
            + " a profile and etc/ as the server would read them: unknown keys (with the closest known one), types,"
            + " ranges, options, missing environment variables, database and tenant settings, and the tenants beside"
            + " each other and the server's databases (a host, path prefix, schema or database two tenants share, a"
            + " tenant on a database of the server's, a schema tenant on a SQLite default). Checks values against"
            + " the settings of serv.jar's bundles and of the jars in deploy/.",
            footer = { "", "Exit codes: 0 nothing to fix, 1 something to fix (each line names the file, the key and"
                + " the fix), 2 the check could not run." })
    static final class Validate implements Callable<Integer> {
        @Option(names = "--profile", description = "The profile whose overlay serv.<profile>.config.yaml is merged"
                + " over serv.config.yaml (default: $SERV_PROFILE).")
        String profile;

        @Option(names = "--home", defaultValue = ".", description = "The server home (default: the current"
                + " folder).")
        Path home;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String p = profile != null ? profile : System.getenv("SERV_PROFILE");
            p = p == null || p.isBlank() ? null : p.strip();
            Path dir = home.toAbsolutePath().normalize();
            if (!Files.isDirectory(dir)) {
                err.println("serv: " + dir + " is not a folder");
                return 2;
            }
            Path bundles = null;
            try {
                bundles = Files.createTempDirectory("serv-validate-");
                List<Path> jars = extractBundles(bundles);
                List<Path> described = new ArrayList<>(jars);
                List<String> unusable = new ArrayList<>();
                described.addAll(deployed(dir.resolve("deploy"), unusable));
                List<String> problems = FileText.merge(FileText.problems(dir, p), validate(dir, p, jars, described));
                problems.addAll(unusable);
                String files = "serv.config.yaml" + (p == null ? "" : ", serv." + p + ".config.yaml") + " and etc/";
                if (problems.isEmpty()) {
                    out.println(files + " of " + dir + ": nothing to fix");
                    out.flush();
                    return 0;
                }
                for (String problem : problems) {
                    err.println(problem);
                }
                err.println(problems.size() + (problems.size() == 1 ? " thing" : " things") + " to fix in " + files
                        + " of " + dir);
                return 1;
            } catch (IOException | ReflectiveOperationException | RuntimeException e) {
                Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
                err.println("serv: the configuration could not be checked" + (cause.getMessage() == null ? ""
                        : ": " + cause.getMessage()));
                return 2;
            } finally {
                delete(bundles);
            }
        }
    }

    /** Runs serv.core's OfflineValidation inside a class loader over the bundles. */
    @SuppressWarnings("unchecked")
    static List<String> validate(Path home, String profile, List<Path> jars, List<Path> described)
            throws IOException, ReflectiveOperationException {
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = jars.get(i).toUri().toURL();
        }
        String quiet = System.getProperty("org.slf4j.simpleLogger.defaultLogLevel");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        try (URLClassLoader loader = new URLClassLoader("serv-bundles", urls, ClassLoader.getPlatformClassLoader())) {
            Method from = loader.loadClass("serv.database.internal.DatabaseSettings").getMethod("from", Map.class,
                    Path.class);
            Function<Map<String, ?>, List<String>> databases = settings -> {
                try {
                    from.invoke(null, settings, home);
                    return List.of();
                } catch (InvocationTargetException e) {
                    return List.of(String.valueOf(e.getCause().getMessage()));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            };
            UnaryOperator<String> env = name -> {
                String v = System.getenv(name);
                return v != null ? v : System.getProperty(name);
            };
            Method problems = loader.loadClass("serv.core.internal.config.OfflineValidation").getMethod("problems",
                    Path.class, String.class, List.class, Function.class, UnaryOperator.class);
            return (List<String>) problems.invoke(null, home, profile, described, databases, env);
        } finally {
            if (quiet == null) {
                System.clearProperty("org.slf4j.simpleLogger.defaultLogLevel");
            } else {
                System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", quiet);
            }
        }
    }

    /** serv.jar's bundles (its jar/ folder), copied into {@code dir}. */
    private static List<Path> extractBundles(Path dir) throws IOException {
        Path self;
        try {
            self = Path.of(Config.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException("where serv.jar is cannot be told: " + e.getMessage(), e);
        }
        List<Path> out = new ArrayList<>();
        try (JarFile jar = new JarFile(self.toFile())) {
            for (JarEntry e : java.util.Collections.list(jar.entries())) {
                String name = e.getName();
                if (name.startsWith("jar/") && name.endsWith(".jar") && !name.startsWith("jar/biz.aQute.launcher")) {
                    Path target = dir.resolve(name.substring("jar/".length()));
                    try (InputStream in = jar.getInputStream(e)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    out.add(target);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IOException(self + " holds no bundles: run serv config validate with serv.jar");
        }
        return out;
    }

    /**
     * The jars of deploy/ whose settings can be described; one that is not a jar (not a zip archive) the server
     * would not install either: it goes to {@code problems}.
     */
    static List<Path> deployed(Path deploy, List<String> problems) throws IOException {
        if (!Files.isDirectory(deploy)) {
            return List.of();
        }
        List<Path> jars = new ArrayList<>();
        try (Stream<Path> files = Files.list(deploy)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                try (JarFile jar = new JarFile(f.toFile())) {
                    jars.add(f);
                } catch (java.util.zip.ZipException e) {
                    problems.add("deploy/" + f.getFileName() + " is not a jar (not a zip archive): the server does"
                            + " not install it; replace or remove it");
                } catch (IOException e) {
                    problems.add("deploy/" + f.getFileName() + " cannot be read"
                            + (Files.isDirectory(f) ? ": it is a folder" : "") + "; replace or remove it");
                }
            }
        }
        return jars;
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // a temporary folder
                }
            });
        } catch (IOException ignored) {
            // a temporary folder
        }
    }
}
