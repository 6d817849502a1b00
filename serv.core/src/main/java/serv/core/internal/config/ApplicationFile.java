package serv.core.internal.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import serv.core.config.ConfigSource;
import serv.core.config.Desired;
import serv.core.config.Snapshot;
import serv.core.config.Suggestions;
import serv.core.internal.server.ServerHome;

/**
 * The application file {@code serv.config.yaml}, with {@code serv.<SERV_PROFILE>.config.yaml} merged over it, as a
 * {@link ConfigSource} (ranking 0): its databases, tenants and extension settings. The files are looked at every
 * second; a change bumps the source's version and the {@link ConfigReconciler} applies it.
 */
@Component(immediate = true, service = {})
// Registered by hand (its version property changes with the file); the resolver is told it is there.
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=serv.core.config.ConfigSource",
        uses = ConfigSource.class)
public final class ApplicationFile implements ConfigSource {

    static final String FILE = "serv.config.yaml";

    private static final Logger LOG = LoggerFactory.getLogger(ApplicationFile.class);

    /** Loaded on first use: a server without serv.config.yaml does not pay for the YAML parser at start. */
    private static final class Yaml {
        /** A key given twice in one mapping is refused: its second value would silently replace the first. */
        static final ObjectMapper MAPPER = new ObjectMapper(
                new YAMLFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION));
    }

    private static final Pattern MARK = Pattern.compile("line (\\d+), column \\d+");
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");

    /**
     * The document of a YAML file; its syntax errors and keys given twice in one mapping are refused with the line
     * they are on and what to do.
     *
     * @throws IllegalArgumentException naming the file, the line and the fix
     */
    static Map<String, Object> parse(String text, String file) {
        try {
            refuseAliases(text, file);
            return Yaml.MAPPER.readValue(text, new TypeReference<Map<String, Object>>() {
            });
        } catch (JacksonException e) {
            String message = e.getOriginalMessage();
            // SnakeYAML's own text ends with the problem's mark ("line 4, column 3"), Jackson's location is the
            // context's, often a line before: the problem's is the one to fix.
            Matcher mark = MARK.matcher(message);
            String line = null;
            while (mark.find()) {
                line = mark.group(1);
            }
            if (line == null) {
                line = e.getLocation() == null ? "?" : String.valueOf(e.getLocation().getLineNr());
            }
            Matcher duplicate = DUPLICATE.matcher(message);
            if (duplicate.find()) {
                throw new IllegalArgumentException(file + " (line " + line + "): key '" + duplicate.group(1)
                        + "' appears twice in one mapping, and its second value would replace the first; keep one."
                        + " Nothing of the file was applied");
            }
            throw new IllegalArgumentException(file + " is not valid YAML (line " + line + "): " + message
                    + "; fix the file, nothing of it was applied");
        } catch (IOException e) { // none from a String, but the parser's signature says so
            throw new IllegalArgumentException(file + " cannot be read: " + e.getMessage());
        }
    }

    /** The most characters (code points) a YAML file may have: SnakeYAML's own limit for a document. */
    static final int MAX_CODE_POINTS = 3 * 1024 * 1024;

    /**
     * The text of a YAML file, refused at once when it is larger than {@link #MAX_CODE_POINTS}: the parser refuses
     * it too, but only once it reached the limit, and its reading of a long value costs the square of its length
     * (a 10 MB value pasted by mistake held the configuration's thread, and every change after it, for 20 s).
     *
     * @throws IllegalArgumentException naming the file, its size and the fix
     */
    static String text(Path f) throws IOException {
        String name = f.getFileName().toString();
        long bytes = Files.size(f);
        if (bytes > 4L * MAX_CODE_POINTS) { // more than 4 bytes of UTF-8 per character: larger in any case
            throw tooLarge(name, String.format(Locale.ROOT, "%,d bytes", bytes));
        }
        String text = utf8(Files.readAllBytes(f), name);
        int chars = text.codePointCount(0, text.length());
        if (chars > MAX_CODE_POINTS) {
            throw tooLarge(name, String.format(Locale.ROOT, "%,d characters", chars));
        }
        return text;
    }

    /**
     * The text of a file's bytes; one that is not UTF-8 is refused naming the line and the byte (the decoder's own
     * words, "Input length = 3" after the file's absolute path, were all the log and /health said).
     */
    static String utf8(byte[] bytes, String name) {
        return utf8(bytes, name, "nothing of it was applied");
    }

    /**
     * The text of a file's bytes, as {@link #utf8(byte[], String)}; {@code outcome} says what becomes of the file's
     * configurations until it is saved as UTF-8 (also etc/'s files: {@link EtcDirectory}).
     *
     * @throws IllegalArgumentException "{@code name} is not UTF-8 text (line 2, byte 0xE9): save it as UTF-8;
     *             {@code outcome}"
     */
    static String utf8(byte[] bytes, String name, String outcome) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            return decoder.decode(in).toString();
        } catch (CharacterCodingException e) {
            int at = in.position(); // the decoder stops at the first byte it cannot take
            int line = 1;
            for (int i = 0; i < at && i < bytes.length; i++) {
                // LF, CR LF and CR each end a line (YAML and the properties format take all three)
                boolean cr = bytes[i] == '\r' && (i + 1 >= bytes.length || bytes[i + 1] != '\n');
                line += bytes[i] == '\n' || cr ? 1 : 0;
            }
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s is not UTF-8 text (line %d, byte 0x%02X):"
                    + " save it as UTF-8; %s", name, line, at < bytes.length ? bytes[at] & 0xff : 0, outcome));
        }
    }

    private static IllegalArgumentException tooLarge(String name, String size) {
        return new IllegalArgumentException(String.format(Locale.ROOT, "%s has %s, more than the %,d characters a YAML file may"
                + " have (a value pasted by mistake?); keep data out of it (password_file: for a secret), nothing of"
                + " it was applied", name, size, MAX_CODE_POINTS));
    }

    /**
     * Refuses a YAML alias ({@code hosts: *shared}): the parser does not expand it, and gives the anchor's name as
     * text instead of its value, so a tenant got the host "shared" and a name "n", silently.
     *
     * @throws IllegalArgumentException naming the file, the line and the fix
     */
    private static void refuseAliases(String text, String file) throws IOException {
        try (JsonParser parser = Yaml.MAPPER.getFactory().createParser(text)) {
            while (parser.nextToken() != null) {
                if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                    throw new IllegalArgumentException(file + " (line " + parser.currentTokenLocation().getLineNr()
                            + "): '*" + parser.getText() + "' is a YAML alias, which Serv does not expand (it would be"
                            + " read as the text '" + parser.getText() + "'); write the value out in full. Nothing of"
                            + " the file was applied");
                }
            }
        }
    }

    private final Path home;
    private final String profile;
    private final ScheduledExecutorService watcher;
    private final ServiceRegistration<ConfigSource> registration;
    private volatile List<String> lastRead;
    private volatile Map<Path, FileTime> stamps;
    private long version;

    @Activate
    public ApplicationFile(BundleContext context, @Reference ServerHome serverHome) {
        this.home = serverHome.home();
        String p = context.getProperty("serv.profile"); // embedders and tests; else the environment
        if (p == null) {
            p = System.getenv("SERV_PROFILE");
        }
        this.profile = p == null || p.isBlank() ? null : p.strip();
        this.stamps = stamps();
        registration = context.registerService(ConfigSource.class, this, properties());
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "serv-config-watch");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::checkForChanges, 1, 1, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        watcher.shutdownNow();
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping
        }
    }

    private synchronized Dictionary<String, Object> properties() {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(ConfigSource.NAME, FILE);
        props.put(ConfigSource.VERSION, version);
        props.put(Constants.SERVICE_RANKING, 0);
        return props;
    }

    private void checkForChanges() {
        Map<Path, FileTime> now = stamps();
        if (!now.equals(stamps)) {
            stamps = now;
            LOG.info("{} changed: applying it", FILE);
            synchronized (this) {
                version++;
            }
            registration.setProperties(properties());
        }
    }

    List<Path> files() {
        List<Path> files = new ArrayList<>();
        files.add(home.resolve(FILE));
        if (profile != null) {
            files.add(home.resolve("serv." + profile + ".config.yaml"));
        }
        return files;
    }

    private Map<Path, FileTime> stamps() {
        Map<Path, FileTime> out = new HashMap<>();
        for (Path f : files()) {
            try {
                out.put(f, Files.getLastModifiedTime(f));
            } catch (IOException absent) {
                out.put(f, FileTime.fromMillis(0));
            }
        }
        return out;
    }

    /** The top-level keys of serv.config.yaml. */
    static final java.util.Set<String> TOP_LEVEL = java.util.Set.of("site_info", "databases", "extensions", "tenants",
            "tenancy", "cluster", "health", "metrics", "http");

    @Override
    public Snapshot snapshot() {
        List<String> read = new ArrayList<>();
        Snapshot snapshot = read(home, profile, read);
        if (snapshot.valid() && !read.equals(lastRead)) {
            lastRead = read;
            LOG.info("Configuration files read: {}", read.isEmpty() ? "none (" + FILE + " does not exist)" : read);
        }
        return snapshot;
    }

    /**
     * serv.config.yaml of {@code home}, with the overlay of {@code profile} (or null) merged over it, as the
     * configurations it wants and what an operator should fix; {@code read} gets the names of the files read. Also
     * what {@code serv config validate} reads, without a server.
     */
    public static Snapshot read(Path home, String profile, List<String> read) {
        List<Path> files = new ArrayList<>();
        files.add(home.resolve(FILE));
        if (profile != null) {
            files.add(home.resolve("serv." + profile + ".config.yaml"));
        }
        Map<String, Object> merged = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                if (profile != null && !f.getFileName().toString().equals(FILE)) {
                    problems.add("SERV_PROFILE=" + profile + ", but there is no " + f.getFileName()
                            + existingProfiles(home, profile));
                }
                continue;
            }
            read.add(f.getFileName().toString());
            try {
                Map<String, Object> doc = parse(text(f), f.getFileName().toString());
                if (doc != null) {
                    deepMerge(merged, doc);
                }
            } catch (IllegalArgumentException e) {
                return Snapshot.unreadable(e.getMessage());
            } catch (IOException e) {
                return Snapshot.unreadable(f + " cannot be read: " + e.getMessage());
            }
        }
        try {
            List<Desired> desired = new ArrayList<>();
            for (String key : merged.keySet()) {
                if (!TOP_LEVEL.contains(key)) {
                    problems.add("unknown key '" + key + "' (ignored)" + Suggestions.hint(key, TOP_LEVEL));
                }
            }
            Map<String, Map<String, Object>> databases = databases(merged);
            databases.forEach((name, settings) -> {
                if (DATABASE_NAME.matcher(name).matches()) {
                    desired.add(Desired.database(name, flat(settings)));
                } else {
                    // serv.database would refuse it too, but only once configured: as a database that does not
                    // start (/health DOWN), with the name, line breaks and all, in its configuration's PID and logs
                    problems.add("databases: '" + printable(name) + "' is not a valid database name (left out); use"
                            + " lower-case letters, digits, '_' or '-', starting with a letter, at most 63");
                }
            });
            if (!databases.isEmpty() && !databases.containsKey("default")) {
                String near = Suggestions.closest("default", databases.keySet());
                if (near != null) {
                    problems.add("no database 'default' is configured, but '" + near + "' is: did you mean 'default'?");
                }
            }
            extensions(merged).forEach((pid, settings) -> desired.add(Desired.configuration(pid, flat(settings))));
            tenants(merged).forEach((id, settings) -> desired.add(Desired.tenant(id, settings)));
            if (merged.get("cluster") instanceof Map<?, ?> cluster) {
                // read by serv.cluster (url, name): this server joins the cluster whose store that is
                desired.add(Desired.configuration("serv.cluster", flat(stringKeys(cluster))));
            } else if (merged.get("cluster") != null) {
                throw new IllegalArgumentException("'cluster' must be a map (url: postgresql://..., name: ...)");
            }
            if (merged.get("tenancy") instanceof Map<?, ?> tenancy) {
                desired.add(Desired.configuration("serv.tenancy", flat(stringKeys(tenancy))));
            } else if (merged.get("tenancy") != null) {
                throw new IllegalArgumentException("'tenancy' must be a map (unmatched: site | reject)");
            }
            if (merged.get("health") instanceof Map<?, ?> health) {
                // read by /health: who sees its details
                desired.add(Desired.configuration("serv.health", flat(stringKeys(health))));
            } else if (merged.get("health") != null) {
                throw new IllegalArgumentException("'health' must be a map (details: authorized | always)");
            }
            if (merged.get("metrics") instanceof Map<?, ?> metrics) {
                // read by /metrics: who sees the series that name a tenant
                desired.add(Desired.configuration("serv.metrics", flat(stringKeys(metrics))));
            } else if (merged.get("metrics") != null) {
                throw new IllegalArgumentException("'metrics' must be a map (details: authorized | always)");
            }
            if (merged.get("http") instanceof Map<?, ?> http) {
                // read by the dispatcher and the console's login: who a request's client is behind trusted proxies
                Map<String, Object> settings = new LinkedHashMap<>(stringKeys(http));
                settings.replaceAll((k, v) -> v instanceof List<?> list
                        ? list.stream().map(String::valueOf).toArray(String[]::new) : v);
                desired.add(Desired.configuration("serv.http", flat(settings)));
            } else if (merged.get("http") != null) {
                throw new IllegalArgumentException("'http' must be a map (trusted_proxies: [10.0.0.0/8, ...])");
            }
            return new Snapshot(true, desired, problems);
        } catch (IllegalArgumentException e) {
            return Snapshot.unreadable(FILE + ": " + e.getMessage() + "; nothing of it was applied");
        }
    }

    /** " (profiles here: prod, dev)" for the profile overlays that exist, or nothing. */
    private static String existingProfiles(Path home, String profile) {
        List<String> found = new ArrayList<>();
        try (var all = Files.newDirectoryStream(home, "serv.*.config.yaml")) {
            for (Path p : all) {
                String n = p.getFileName().toString();
                found.add(n.substring("serv.".length(), n.length() - ".config.yaml".length()));
            }
        } catch (IOException e) {
            // nothing to suggest
        }
        String near = Suggestions.closest(profile, found);
        return found.isEmpty() ? "; the profile is ignored" : "; the profile is ignored (profiles here: "
                + String.join(", ", found) + ")" + (near == null ? "" : "; did you mean " + near + "?");
    }

    /** Settings as configuration values: maps and lists as their text, nulls left out. */
    private static Map<String, Object> flat(Map<String, Object> settings) {
        Map<String, Object> out = new LinkedHashMap<>();
        settings.forEach((k, v) -> {
            if (v != null) {
                out.put(k, v instanceof Map || v instanceof List ? v.toString() : v);
            }
        });
        return out;
    }

    /**
     * The tenants of a merged document, id to the properties of their {@code serv.tenant} configuration: the
     * {@code database:} map flattened to {@code database_url}, {@code database_schema}, ...; lists as arrays.
     */
    static Map<String, Map<String, Object>> tenants(Map<String, Object> doc) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        Object all = doc.get("tenants");
        if (all == null) {
            return out;
        }
        if (!(all instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("'tenants' must be a map of tenant id to settings");
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String id = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> settings)) {
                throw new IllegalArgumentException("'tenants." + id + "' must be a map of settings");
            }
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("id", id);
            for (Map.Entry<?, ?> s : settings.entrySet()) {
                String key = String.valueOf(s.getKey());
                if (key.equals("database")) {
                    if (!(s.getValue() instanceof Map<?, ?> db)) {
                        throw new IllegalArgumentException("'tenants." + id + ".database' must be a map (url, "
                                + "password, schema, pool_size, max_size)");
                    }
                    for (Map.Entry<?, ?> d : db.entrySet()) {
                        String k = String.valueOf(d.getKey());
                        props.put(k.equals("pool_size") || k.equals("max_size") ? k : "database_" + k, d.getValue());
                    }
                } else {
                    props.put(key, s.getValue());
                }
            }
            props.values().removeIf(java.util.Objects::isNull);
            props.replaceAll((k, v) -> v instanceof List<?> list
                    ? list.stream().map(String::valueOf).toArray(String[]::new)
                    : v instanceof Map ? v.toString() : v);
            out.put(id, props);
        }
        return out;
    }

    /**
     * The settings of extensions other than {@code database}, by configuration PID: the seed's
     * {@code - extension: blog / settings: {...}} configures PID {@code serv.blog}.
     */
    static Map<String, Map<String, Object>> extensions(Map<String, Object> doc) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        if (doc.get("extensions") instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> ext && ext.get("extension") != null
                        && !"database".equals(String.valueOf(ext.get("extension")))) {
                    String name = String.valueOf(ext.get("extension")).strip();
                    Map<String, Object> settings = ext.get("settings") instanceof Map<?, ?> m ? stringKeys(m)
                            : new LinkedHashMap<>();
                    out.merge(name.startsWith("serv.") ? name : "serv." + name, settings, (a, b) -> {
                        Map<String, Object> merged = new LinkedHashMap<>(a);
                        merged.putAll(b);
                        return merged;
                    });
                }
            }
        }
        return out;
    }

    /** A database's name, as serv.database takes it (its {@code DatabaseSettings}). */
    private static final java.util.regex.Pattern DATABASE_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9_-]{0,62}");

    /** A name as a message repeats it: control characters escaped (no line of the log split), cut after 60. */
    static String printable(String name) {
        StringBuilder out = new StringBuilder();
        name.codePoints().limit(60).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return name.codePointCount(0, name.length()) > 60 ? out + "…" : out.toString();
    }

    /** The databases a merged document defines, name to settings. */
    static Map<String, Map<String, Object>> databases(Map<String, Object> doc) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        Object dbs = doc.get("databases");
        if (dbs != null) {
            if (!(dbs instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("'databases' must be a map of name to settings");
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getValue() instanceof Map<?, ?> settings)) {
                    throw new IllegalArgumentException("'databases." + e.getKey() + "' must be a map of settings");
                }
                out.put(e.getKey().toString(), stringKeys(settings));
            }
        }
        Object exts = doc.get("extensions");
        if (exts instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> ext && "database".equals(String.valueOf(ext.get("extension")))
                        && ext.get("settings") instanceof Map<?, ?> settings) {
                    // The seed's form: "- extension: database / settings: database_url: ..." configures "default".
                    Map<String, Object> s = stringKeys(settings);
                    Object url = s.remove("database_url");
                    if (url != null) {
                        s.put("url", url);
                    }
                    out.merge("default", s, (a, b) -> {
                        Map<String, Object> m = new LinkedHashMap<>(a);
                        m.putAll(b);
                        return m;
                    });
                }
            }
        } else if (exts != null) {
            throw new IllegalArgumentException("'extensions' must be a list");
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void deepMerge(Map<String, Object> into, Map<String, Object> over) {
        for (Map.Entry<String, Object> e : over.entrySet()) {
            Object mine = into.get(e.getKey());
            if (mine instanceof Map && e.getValue() instanceof Map) {
                Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) mine);
                deepMerge(copy, (Map<String, Object>) e.getValue());
                into.put(e.getKey(), copy);
            } else {
                into.put(e.getKey(), e.getValue());
            }
        }
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}
