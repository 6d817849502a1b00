package serv.testkit;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The test support of Serv and of its extensions (the seed's {@code conftest.py}): boots exactly the bundles of
 * serv.jar with its start levels and framework properties, in a fresh server home (a temporary folder) with a free
 * HTTP port, optionally on a fresh PostgreSQL database ({@link #freshPostgres()}); empties tables between tests
 * ({@link #truncate}); sends HTTP requests to the server ({@link #get}, {@link #send}); deploys an extension like an
 * operator does ({@link #writeAtomically} into {@code deploy/}), or installs the project's own bundle
 * ({@link #extension()}). Published as {@code serv:serv.testkit}; an extension's tests name their serv.jar with the
 * system property {@code serv.jar} and their bundle with {@code serv.extension} (a generated pom sets both).
 *
 * <p>The kit is a bundle too: {@link #serv} installs it into the framework beside Pax Exam's probe, which reaches
 * this class there (the probe holds only the test's own classes). Its {@code exam.properties} turns Pax Exam's own
 * logging off, so the server's log (its slf4j provider, inside the framework) is the test's output.
 *
 * <p>The configuration methods run in the test JVM before the framework starts; the test methods run inside the
 * framework and find the port and home through the framework properties {@code serv.port} and {@code serv.home}.
 */
@ConsumerType
public abstract class ServTestSupport {

    /**
     * The host and port of the PostgreSQL server the tests use (user postgres, trust authentication): the system
     * property {@code serv.postgres}, default {@code 127.0.0.1:5432}.
     */
    public static final String PG_HOST = System.getProperty("serv.postgres", "127.0.0.1:5432");
    /** The PostgreSQL server the tests use, as a JDBC URL's authority. */
    public static final String PG = "//" + PG_HOST + "/";
    private static final Path MODULE = Path.of(System.getProperty("user.dir"));
    // HTTP/1.1, which Serv's port speaks (the default, HTTP/2, sends an h2c upgrade with every request)
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    // ---- configuration (test JVM) ---------------------------------------------------------------------------

    /**
     * The operator's user name in the server the kit boots: its home's {@code etc/serv.console.cfg} (the Web
     * Console's login, which also shows {@code /health}'s details) has it with a random password, unless the test
     * gives that file itself ({@link #serv(Map, String...)}); {@link #operator()} is the login either way.
     */
    public static final String OPERATOR_USER = "operator";
    private static final String CONSOLE_FILE = "etc/serv.console.cfg";
    /** The framework property with the operator's user name (see {@link #OPERATOR_USER}). */
    public static final String OPERATOR_USER_PROPERTY = "serv.testkit.operator.user";
    /** The framework property with the operator's password (see {@link #OPERATOR_USER}). */
    public static final String OPERATOR_PASSWORD_PROPERTY = "serv.testkit.operator.password";

    /** The options that boot Serv with {@code yaml} as its serv.config.yaml (null for none). */
    protected static Option[] serv(String yaml, String... frameworkProps) {
        return serv(yaml == null ? Map.of() : Map.of("serv.config.yaml", yaml), frameworkProps);
    }

    /** The options that boot Serv with {@code files} (name to content) in its home. */
    protected static Option[] serv(Map<String, String> files, String... frameworkProps) {
        try {
            Path home = Files.createTempDirectory("serv-it-");
            for (Map.Entry<String, String> f : files.entrySet()) {
                Files.createDirectories(home.resolve(f.getKey()).getParent());
                Files.writeString(home.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
            }
            Map<String, String> props = runProperties();
            String console = files.get(CONSOLE_FILE);
            if (console == null) {
                // the operator's login for /health's details and the console: random, so no test server is open
                // to a known password while it runs
                String password = "testkit-" + UUID.randomUUID();
                console = "username=" + OPERATOR_USER + "\npassword=" + password + "\n";
                Files.createDirectories(home.resolve(CONSOLE_FILE).getParent());
                Files.writeString(home.resolve(CONSOLE_FILE), console, StandardCharsets.UTF_8);
            }
            java.util.Properties login = new java.util.Properties();
            login.load(new java.io.StringReader(console));
            props.put(OPERATOR_USER_PROPERTY, login.getProperty("username", "admin"));
            props.put(OPERATOR_PASSWORD_PROPERTY, login.getProperty("password", ""));
            props.put("serv.home", home.toString());
            props.put("serv.port", Integer.toString(freePort()));
            props.put("felix.fileinstall.dir", home.resolve("deploy").toString());
            // Configuration Admin keeps its store in the home, as serv.jar does (an absolute path: a relative one
            // would be the bundle's data area)
            props.put("felix.cm.dir", home.resolve("data/config").toString());
            props.put("felix.fileinstall.poll", "200");
            for (int i = 0; i + 1 < frameworkProps.length; i += 2) {
                props.put(frameworkProps[i], frameworkProps[i + 1]);
            }
            List<Option> options = new ArrayList<>();
            props.forEach((k, v) -> {
                options.add(frameworkProperty(k).value(v));
                if (k.startsWith("org.slf4j.")) {
                    options.add(systemProperty(k).value(v));
                }
            });
            options.addAll(runBundles());
            options.add(kitBundle());
            options.add(junitBundles());
            options.add(frameworkStartLevel(1000));
            return options.toArray(Option[]::new);
        } catch (IOException e) {
            throw new IllegalStateException("the test runtime could not be prepared", e);
        }
    }

    /** Creates a fresh PostgreSQL database (dropped when the test JVM exits) and returns its serv URL. */
    public static String freshPostgres() {
        String name = "serv_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        sql("postgres", "CREATE DATABASE " + name);
        dropAtExit(name);
        return "postgresql://postgres@" + PG_HOST + "/" + name;
    }

    /** The databases this class loader's tests made, dropped at exit. */
    private static final java.util.Set<String> MADE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Drops database {@code name} of the test PostgreSQL server when the test JVM exits. One hook drops them all, one
     * after another: a hook per database made dozens of forced drops race at exit, and the JVM could be ended before
     * the last ones were done.
     */
    public static void dropAtExit(String name) {
        synchronized (MADE) {
            if (MADE.isEmpty()) {
                Runtime.getRuntime().addShutdownHook(new Thread(ServTestSupport::dropMade, "serv-test-databases"));
            }
            MADE.add(name);
        }
    }

    private static void dropMade() {
        for (String name : MADE) {
            try {
                sql("postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (RuntimeException | LinkageError ignored) {
                // best effort: the server may be gone already
            }
        }
    }

    /** Runs statements on a database of the test PostgreSQL server, from the test JVM or the framework. */
    public static void sql(String database, String... statements) {
        sqlAt(PG_HOST, database, statements);
    }

    static void sqlAt(String host, String database, String... statements) {
        try (Connection c = postgresAt(host, database); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + host + " (user postgres, trust authentication; the"
                    + " system property serv.postgres names another) is needed for the tests: " + e.getMessage(), e);
        }
    }

    /** A direct connection to the test PostgreSQL server. */
    public static Connection postgres(String database) throws SQLException {
        return postgresAt(PG_HOST, database);
    }

    /** The sessions PostgreSQL has open on {@code database} now (every pool's connections to it, and others'). */
    public static int sessions(String database) throws SQLException {
        try (Connection c = postgres("postgres"); java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + database + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Connection postgresAt(String host, String database) throws SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", "postgres");
        // The test JVM's own driver (its class path), never a bundle's: a database is dropped by a shutdown hook,
        // after the framework and its bundles are gone.
        ClassLoader app = ClassLoader.getSystemClassLoader();
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(app);
        Connection c;
        try {
            java.sql.Driver driver = (java.sql.Driver) Class.forName("org.postgresql.Driver", true, app)
                    .getDeclaredConstructor().newInstance();
            c = driver.connect("jdbc:postgresql://" + host + "/" + database, p);
        } catch (ReflectiveOperationException e) {
            throw new SQLException("the PostgreSQL driver is not on the test class path", e);
        } finally {
            thread.setContextClassLoader(before);
        }
        if (c == null) {
            throw new SQLException("no connection to " + database);
        }
        return c;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * The runtime under test: serv.jar, the very artifact users run ({@code target/serv.jar} of this module, or the
     * one the system property {@code serv.jar} names — how an extension's own tests use this class). Its bundles are
     * extracted once per test JVM; its launcher.properties give their start levels and the framework properties.
     */
    private static Launch launch;
    /** The start levels of serv.jar's logging bundles (cnf/runtime.bndrun). */
    private static final int LOGGING_LEVEL = 30;

    private record Launch(Map<String, String> properties, List<Option> bundles) {
    }

    private static synchronized Launch launch() throws IOException {
        if (launch == null) {
            String named = System.getProperty("serv.jar");
            Path jar = named != null ? Path.of(named) : MODULE.resolve("target/serv.jar");
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("serv.jar not found at " + jar.toAbsolutePath() + (named == null
                        ? ": set the system property serv.jar to the server the tests run (in the pom: failsafe's"
                                + " <systemPropertyVariables><serv.jar>…</serv.jar>; see docs/extensions.md)"
                        : " (system property serv.jar): build or copy it there (the generated pom copies"
                                + " serv:serv.distribution:<version>:jar:serv in the package phase)"));
            }
            Path dir = Files.createTempDirectory("serv-runtime-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // a temporary folder: the system cleans it in the end
                }
            }));
            java.util.Properties launcher = new java.util.Properties();
            List<String> bundles = new ArrayList<>();
            try (JarFile file = new JarFile(jar.toFile())) {
                try (InputStream in = file.getInputStream(file.getEntry("launcher.properties"))) {
                    launcher.load(in);
                }
                for (String path : launcher.getProperty("launch.bundles", "").split(",")) {
                    if (path.isBlank()) {
                        continue;
                    }
                    Path target = dir.resolve(Path.of(path.strip()).getFileName().toString());
                    try (InputStream in = file.getInputStream(file.getEntry(path.strip()))) {
                        Files.copy(in, target);
                    }
                    bundles.add(target.toString());
                }
            }
            Map<String, Integer> levels = new LinkedHashMap<>();
            Matcher m = Pattern.compile("([A-Za-z0-9_.-]+);[^,]*?startlevel=(\\d+)")
                    .matcher(launcher.getProperty("launch.runbundles.attrs", ""));
            while (m.find()) {
                levels.put(m.group(1), Integer.valueOf(m.group(2)));
            }
            // Pax Exam's own bundles start at level 2 and log through slf4j, which binds its provider once, at first
            // use: the logging bundles (SPI Fly, slf4j's API and provider: levels up to 30) start at level 1 here,
            // or the server's log would be lost for the whole test JVM.
            List<Option> options = new ArrayList<>();
            for (String b : bundles) {
                String bsn;
                try (JarFile file = new JarFile(b)) {
                    bsn = file.getManifest().getMainAttributes().getValue("Bundle-SymbolicName").split(";")[0].strip();
                }
                int level = levels.getOrDefault(bsn, 1);
                options.add(bundle(Path.of(b).toUri().toString()).startLevel(level <= LOGGING_LEVEL ? 1 : level));
            }
            if (options.isEmpty()) {
                throw new IllegalStateException(jar + " holds no bundles");
            }
            Map<String, String> props = new LinkedHashMap<>();
            for (String key : launcher.stringPropertyNames()) {
                if (!key.startsWith("launch.")) {
                    props.put(key, launcher.getProperty(key));
                }
            }
            launch = new Launch(Map.copyOf(props), List.copyOf(options));
        }
        return launch;
    }

    /** The framework properties serv.jar starts with (cnf/runtime.bndrun's -runproperties). */
    protected static Map<String, String> runProperties() throws IOException {
        return new LinkedHashMap<>(launch().properties());
    }

    /** Every bundle of serv.jar, at its start level. */
    protected static List<Option> runBundles() throws IOException {
        return launch().bundles();
    }

    /**
     * The extension bundle at {@code jar} (a bnd-built jar, such as the project's own {@code target/*.jar}),
     * installed and started after Serv's bundles, as if it had been in {@code deploy/} when the server started.
     */
    protected static Option extension(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the extension bundle " + jar.toAbsolutePath() + " does not exist: run the"
                    + " tests with mvn verify (the integration tests run after the package phase that builds it)");
        }
        return bundle(jar.toUri().toString()).startLevel(900);
    }

    /**
     * The extension bundle the system property {@code serv.extension} names: the project's own jar, which a
     * generated pom sets for failsafe ({@code ${project.build.directory}/${project.build.finalName}.jar}).
     */
    protected static Option extension() {
        String jar = System.getProperty("serv.extension");
        if (jar == null) {
            throw new IllegalStateException("the system property serv.extension does not name the extension's jar: set"
                    + " it in failsafe's <systemPropertyVariables> (see docs/extensions.md) or call extension(Path)");
        }
        return extension(Path.of(jar));
    }

    /** This kit as a bundle, from the jar (or, inside Serv's own build, the classes folder) it was loaded from. */
    private static Option kitBundle() {
        try {
            Path where = Path.of(ServTestSupport.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            String url = Files.isDirectory(where) ? "reference:" + where.toUri() : where.toUri().toString();
            return bundle(url).startLevel(1);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("where the test kit was loaded from is not a file", e);
        }
    }

    // ---- inside the framework ---------------------------------------------------------------------------------

    protected static BundleContext context() {
        return FrameworkUtil.getBundle(ServTestSupport.class).getBundleContext();
    }

    /** The Database service of that name (not a tenant's), or null. */
    protected static serv.database.Database database(String name) {
        try {
            var refs = context().getServiceReferences(serv.database.Database.class,
                    "(&(serv.database.name=" + name + ")(!(serv.tenant=*)))");
            return refs.isEmpty() ? null : context().getService(refs.iterator().next());
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The state of database {@code name}, or null when it has no service. */
    protected static String state(String name) {
        serv.database.Database db = database(name);
        return db == null ? null : db.state().name();
    }

    /** Waits until database {@code name} is in {@code wanted} ("UP", "FAILED", ... or null for gone). */
    protected static void awaitState(String name, String wanted, Duration timeout) throws InterruptedException {
        await("database " + name + " to be " + wanted, timeout, () -> java.util.Objects.equals(wanted, state(name)));
    }

    /**
     * Empties tables of a Serv database between tests (the seed's conftest "clean tables"), whatever its dialect,
     * and restarts their ids at 1. Runs inside the framework, through the database's own pool.
     */
    protected static void truncate(String database, String... tables) throws Exception {
        serv.database.Database db = database(database);
        if (db == null) {
            throw new IllegalStateException("no database " + database);
        }
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            if (db.dialect().orElseThrow() == serv.database.Dialect.POSTGRESQL) {
                st.execute("TRUNCATE " + String.join(", ", tables) + " RESTART IDENTITY CASCADE");
            } else {
                for (String t : tables) {
                    st.execute("DELETE FROM " + t);
                }
                st.execute("DELETE FROM sqlite_sequence WHERE name IN ('" + String.join("','", tables) + "')");
            }
        }
    }

    /** Replaces the properties of the singleton configuration {@code pid} (created when absent). */
    protected static void updateConfiguration(String pid, Object... keyValues) throws IOException {
        org.osgi.service.cm.ConfigurationAdmin cm = context().getService(
                context().getServiceReference(org.osgi.service.cm.ConfigurationAdmin.class));
        java.util.Hashtable<String, Object> props = new java.util.Hashtable<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            props.put((String) keyValues[i], keyValues[i + 1]);
        }
        cm.getConfiguration(pid, "?").update(props);
    }

    /** Every test class starts once the server answers /health with 200. */
    @org.junit.BeforeClass
    public static void serverUp() throws Exception {
        awaitStatus("/health", 200, Duration.ofSeconds(30));
    }

    protected static Path home() {
        return Path.of(context().getProperty("serv.home"));
    }

    protected static String base() {
        return "http://127.0.0.1:" + context().getProperty("serv.port");
    }

    /** An HTTP answer. */
    public record Answer(int status, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    protected static Answer get(String path, String... headers) throws IOException, InterruptedException {
        return send("GET", path, null, null, headers);
    }

    protected static Answer send(String method, String path, String contentType, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Answer(r.statusCode(), r.headers().map(), r.body());
    }

    /**
     * The {@code Authorization} header of the operator's login (the Web Console's user and password, from the home's
     * {@code etc/serv.console.cfg}): what {@link #health} sends.
     */
    protected static String operator() {
        return basic(context().getProperty(OPERATOR_USER_PROPERTY), context().getProperty(OPERATOR_PASSWORD_PROPERTY));
    }

    /** {@code GET /health} as the operator sees it: with its details (the operator's login sent). */
    protected static Answer health() throws IOException, InterruptedException {
        return health("/health");
    }

    /**
     * {@code GET path} (a tenant's {@code /t/acme/health}, say) with the operator's login, and {@code headers} (name,
     * value pairs: a tenant's {@code Host}).
     */
    protected static Answer health(String path, String... headers) throws IOException, InterruptedException {
        String[] all = java.util.Arrays.copyOf(headers, headers.length + 2);
        all[headers.length] = "Authorization";
        all[headers.length + 1] = operator();
        return get(path, all);
    }

    protected static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Waits up to {@code timeout} for {@code condition}; fails the test with {@code what} when it never holds. */
    protected static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
    }

    /** GET {@code path}, with {@code headers} (name, value pairs), until it answers {@code status}. */
    protected static Answer awaitStatus(String path, int status, Duration timeout, String... headers)
            throws InterruptedException {
        Answer[] last = new Answer[1];
        try {
            await(path + " to answer " + status, timeout, () -> {
                try {
                    last[0] = get(path, headers);
                    return last[0].status() == status;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last answer: " + last[0], e);
        }
        return last[0];
    }

    /** Writes a file so that watchers never see it half-written. */
    protected static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(home(), "tmp", ".part");
        Files.write(tmp, bytes);
        Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The bytes of a bundle built in the test JVM (by {@code TestBundles}, in the test's {@code @Configuration}), read
     * inside the framework: its path is the framework property {@code property}.
     */
    protected static byte[] builtBundle(String property) throws IOException {
        String path = context().getProperty(property);
        if (path == null) {
            throw new IllegalStateException("framework property " + property + " is not set: build the bundle in the "
                    + "test's @Configuration");
        }
        return Files.readAllBytes(Path.of(path));
    }

    /**
     * Saves a configuration through the Web Console's own form post, as a browser does: {@code POST
     * /system/console/configMgr/<pid>} with {@code apply=true}, the {@code propertylist} and the fields. For a new
     * factory configuration, give {@code pid} null and the {@code factoryPid}.
     *
     * @param auth the Authorization header's value
     * @param fields name and value pairs, in the form's order
     */
    protected static Answer consoleSave(String auth, String pid, String factoryPid, String... fields)
            throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder("apply=true&action=ajaxConfigManager");
        if (factoryPid != null) {
            body.append("&factoryPid=").append(java.net.URLEncoder.encode(factoryPid, StandardCharsets.UTF_8));
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i + 1 < fields.length; i += 2) {
            names.add(fields[i]);
            body.append('&').append(java.net.URLEncoder.encode(fields[i], StandardCharsets.UTF_8)).append('=')
                    .append(java.net.URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
        }
        body.append("&propertylist=").append(java.net.URLEncoder.encode(String.join(",", names), StandardCharsets.UTF_8));
        String target = pid == null ? "[Temporary PID replaced by real PID upon save]" : pid;
        return send("POST", "/system/console/configMgr/" + java.net.URLEncoder.encode(target, StandardCharsets.UTF_8)
                .replace("+", "%20"), "application/x-www-form-urlencoded", body.toString(), "Authorization", auth);
    }

    /** A resource-only bundle (an extension that brings only migrations, say): name to text content. */
    protected static byte[] resourceBundle(String symbolicName, Map<String, String> resources) throws IOException {
        java.util.jar.Manifest mf = new java.util.jar.Manifest();
        mf.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        mf.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        mf.getMainAttributes().putValue("Bundle-Version", "1.0.0");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.jar.JarOutputStream jar = new java.util.jar.JarOutputStream(out, mf)) {
            for (Map.Entry<String, String> e : resources.entrySet()) {
                jar.putNextEntry(new java.util.jar.JarEntry(e.getKey()));
                jar.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
        return out.toByteArray();
    }
}
