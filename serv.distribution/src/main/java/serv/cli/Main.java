package serv.cli;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import serv.cli.admin.AdminCommands;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * serv.jar's entry point. With no arguments (or {@code run}) it starts the server: it prepares the home (the
 * working directory) and hands over to bnd's launcher, which boots the OSGi framework with the bundles inside the
 * jar. Any other command is the command line, which runs without OSGi.
 *
 * <p>Before the hand-over: Configuration Admin keeps its store in {@code data/config} (an absolute path; what an
 * operator saves in the console survives a restart), the framework's cache is {@code data/framework}, wiped at each
 * start (nothing in the system's temporary folder outlives a kill -9), and a port already in use is said in one
 * line, with a non-zero exit, before anything starts.
 */
@Command(name = "serv", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Serv, a multi-tenant modular runtime on OSGi. With no command: run the server in this folder.",
        subcommands = { Main.Run.class, AdminCommands.Status.class, AdminCommands.Database.class,
            AdminCommands.Tenant.class, AdminCommands.Route.class, AdminCommands.Extension.class,
            AdminCommands.Cluster.class, serv.cli.create.Create.class, serv.cli.deploy.Deploy.class,
            serv.cli.config.Config.class, CommandLine.HelpCommand.class })
public final class Main implements Callable<Integer> {

    /** Exit code: the server could not start (a port in use, an unusable home). */
    static final int CANNOT_START = 2;

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.exit(run(args));
        }
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        return run(new String[0]);
    }

    /** Starts the server in the working directory; returns only when it could not start. */
    static int run(String[] launcherArgs) throws Exception {
        Path home = Path.of("").toAbsolutePath();
        String port = System.getenv().getOrDefault("SERV_PORT", "8000").strip();
        String host = System.getenv().getOrDefault("SERV_HOST", "127.0.0.1").strip();
        String problem = portProblem(host.isEmpty() ? "127.0.0.1" : host, port);
        if (problem != null) {
            System.err.println("serv: " + problem);
            return CANNOT_START;
        }
        Files.createDirectories(home.resolve("data"));
        setIfAbsent("felix.cm.dir", home.resolve("data/config").toString());
        setIfAbsent("launch.storage.dir", home.resolve("data/framework").toString());
        temporaryFolder(home.resolve("data/tmp"));
        quietEarlyLogs();
        try {
            Class.forName("aQute.launcher.pre.EmbeddedLauncher").getMethod("main", String[].class)
                    .invoke(null, (Object) launcherArgs);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof Exception ex) {
                throw ex;
            }
            throw (Error) t;
        }
        return 0; // not reached: the launcher exits the JVM when the framework stops
    }

    /** Loggers of java.util.logging held here, or the JDK forgets their level before they are used. */
    private static final java.util.List<java.util.logging.Logger> QUIETED = new java.util.ArrayList<>();

    /**
     * What java.util.logging writes before serv.core sends it to SLF4J (SPI Fly, as the framework starts) comes in
     * one line like the rest, and without SPI Fly's line per registered provider.
     */
    private static void quietEarlyLogs() {
        setIfAbsent("java.util.logging.SimpleFormatter.format",
                "%1$tY-%1$tm-%1$tdT%1$tH:%1$tM:%1$tS.%1$tL [main] %4$s %3$s - %5$s%6$s%n");
        java.util.logging.Logger spifly = java.util.logging.Logger.getLogger("org.apache.aries.spifly");
        spifly.setLevel(java.util.logging.Level.WARNING);
        QUIETED.add(spifly);
    }

    /**
     * The JVM's temporary files (the launcher's copies of its own jars, Jetty's uploads) go to {@code data/tmp},
     * emptied at each start: a kill -9 leaves nothing behind in the system's temporary folder.
     */
    private static void temporaryFolder(Path tmp) throws IOException {
        if (Files.isDirectory(tmp)) {
            try (var old = Files.walk(tmp)) {
                old.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(tmp)).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException stillInUse) {
                        // another process of this home; left alone
                    }
                });
            }
        }
        Files.createDirectories(tmp);
        System.setProperty("java.io.tmpdir", tmp.toString()); // the JVM always sets one: this one wins
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** Why the server cannot listen on {@code host}:{@code port}, or null when it can. */
    static String portProblem(String host, String port) {
        int n;
        try {
            n = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || n > 65535) {
            return "SERV_PORT='" + port + "' is not a port number (0-65535); set SERV_PORT to a free port";
        }
        if (n == 0) {
            return null;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, n));
            return null;
        } catch (IOException e) {
            return "port " + n + " on " + host + " is in use (" + e.getMessage() + "); stop what uses it or set"
                    + " SERV_PORT to a free port";
        }
    }

    @Command(name = "run", aliases = "launch", mixinStandardHelpOptions = true,
            description = "Run the server in this folder (the default).")
    static final class Run implements Callable<Integer> {
        @picocli.CommandLine.Option(names = "--shell", description = "Also give the Gogo shell on this terminal:"
                + " Serv's commands (databases, tenants, routes, extensions, help) at a g! prompt.")
        boolean shell;

        @Parameters(arity = "0..*", description = "Arguments passed on to the OSGi launcher.")
        List<String> rest;

        @Override
        public Integer call() throws Exception {
            if (shell) {
                System.setProperty("serv.shell", "true");
            }
            return Main.run(rest == null ? new String[0] : rest.toArray(String[]::new));
        }
    }

    /** The version of the jar, from its manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] { "serv " + (v == null ? "(development)" : v) };
        }
    }
}
