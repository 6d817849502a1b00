package serv.core.internal.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

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

import serv.core.config.ConfigSource;
import serv.core.config.Desired;
import serv.core.config.Snapshot;
import serv.core.internal.server.ServerHome;

/**
 * The configuration files of {@code etc/} as a {@link ConfigSource} (ranking 10: a file of etc/ wins over the same
 * configuration in serv.config.yaml): {@code <pid>.cfg} is the configuration of that PID, {@code <factoryPid>-<name>.cfg}
 * a factory configuration ({@code serv.database-analytics.cfg} is database {@code analytics}), in the Java properties
 * format FileInstall reads. The folder is looked at every second.
 *
 * <p>Serv's own rather than FileInstall's (which now watches only {@code deploy/}): etc/ goes through the same
 * reconciler as serv.config.yaml, so one rule says who owns a configuration, a file that is half-written is not
 * applied, and a secret in a file is sealed before it is stored.
 *
 * <p>Each file stands on its own: one that cannot be read (not UTF-8, a broken {@code \\uXXXX} escape, no permission)
 * holds its configuration ({@link Snapshot#held()}: what it made stays as it is) and is named with its line and the
 * fix among the configuration's warnings, while the other files apply.
 */
@Component(immediate = true, service = {})
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=serv.core.config.ConfigSource",
        uses = ConfigSource.class)
public final class EtcDirectory implements ConfigSource {

    static final String NAME = "etc";

    private static final Logger LOG = LoggerFactory.getLogger(EtcDirectory.class);

    private final Path folder;
    private final ScheduledExecutorService watcher;
    private final ServiceRegistration<ConfigSource> registration;
    private volatile Map<Path, Stamp> stamps;
    private long version;

    @Activate
    public EtcDirectory(BundleContext context, @Reference ServerHome home) {
        this.folder = home.home().resolve("etc");
        this.stamps = stamps();
        registration = context.registerService(ConfigSource.class, this, properties());
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "serv-etc-watch");
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
        props.put(ConfigSource.NAME, NAME);
        props.put(ConfigSource.VERSION, version);
        props.put(Constants.SERVICE_RANKING, 10);
        return props;
    }

    private void checkForChanges() {
        Map<Path, Stamp> now = stamps();
        if (!now.equals(stamps)) {
            stamps = now;
            LOG.info("etc/ changed: applying it");
            synchronized (this) {
                version++;
            }
            registration.setProperties(properties());
        }
    }

    /**
     * When a file was last modified, and whether it can be read: a file made readable ({@code chmod}) is read again,
     * though its time did not change.
     */
    private record Stamp(FileTime modified, boolean readable) {
    }

    private Map<Path, Stamp> stamps() {
        Map<Path, Stamp> out = new TreeMap<>();
        for (Path f : files()) {
            try {
                out.put(f, new Stamp(Files.getLastModifiedTime(f), Files.isReadable(f)));
            } catch (IOException gone) {
                // deleted meanwhile
            }
        }
        return out;
    }

    private List<Path> files() {
        return files(folder);
    }

    private static List<Path> files(Path folder) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return out;
        }
        try (DirectoryStream<Path> all = Files.newDirectoryStream(folder, "*.cfg")) {
            all.forEach(out::add);
        } catch (IOException e) {
            LOG.warn("etc/ cannot be listed: {}", e.getMessage());
        }
        out.sort(null);
        return out;
    }

    @Override
    public Snapshot snapshot() {
        return read(folder);
    }

    /**
     * What a file that cannot be read comes to, said after its problem: the other files do not wait for it, and
     * nothing it made is removed or changed meanwhile (a file saved half-written must not remove what it made).
     */
    static final String HELD = "until then the file is not applied, and what it made stays as it is (the rest of"
            + " etc/ is applied)";

    /**
     * The configurations the files of {@code folder} (a home's etc/) want; also {@code serv config validate}'s. A file
     * that cannot be read (not UTF-8, a broken {@code \\u} escape, no permission) holds its configuration
     * ({@link Snapshot#held()}) and says why among the problems; the other files apply.
     */
    public static Snapshot read(Path folder) {
        List<Desired> desired = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<String> held = new TreeSet<>();
        for (Path f : files(folder)) {
            String file = f.getFileName().toString();
            String pid = file.substring(0, file.length() - ".cfg".length());
            int dash = pid.indexOf('-');
            String factoryPid = dash > 0 ? pid.substring(0, dash) : null;
            String name = dash > 0 ? pid.substring(dash + 1) : pid;
            if (factoryPid != null && name.isEmpty()) {
                problems.add("etc/" + file + ": no name after '-'; name it " + factoryPid + "-<name>.cfg");
                continue;
            }
            Properties p;
            try {
                p = properties(f);
            } catch (NoSuchFileException gone) {
                held.add(new Desired(factoryPid, name, Map.of()).pid());
                if (Files.isSymbolicLink(f)) {
                    problems.add("etc/" + file + " cannot be read (it links to a file that does not exist): fix the"
                            + " link; " + HELD);
                }
                // else deleted, or moved away by an editor that saves it back, as it was read: the next look says
                continue;
            } catch (IOException | IllegalArgumentException e) {
                held.add(new Desired(factoryPid, name, Map.of()).pid());
                String why = e instanceof AccessDeniedException ? "permission denied"
                        : Files.isDirectory(f) ? "it is a folder"
                        : e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason() // no path
                        : e.getClass().getSimpleName();
                problems.add(e instanceof IllegalArgumentException ? e.getMessage()
                        : "etc/" + file + " cannot be read (" + why + "): fix it; " + HELD);
                continue;
            }
            Map<String, Object> props = new LinkedHashMap<>();
            p.stringPropertyNames().stream().sorted().forEach(k -> props.put(k, p.getProperty(k).strip()));
            desired.add(new Desired(factoryPid, name, props));
        }
        return new Snapshot(true, desired, problems, held);
    }

    /**
     * The properties of an etc/ file.
     *
     * @throws IllegalArgumentException naming the file, the line and the fix, when it is not UTF-8 text or has a
     *             {@code \\u} that is not a {@code \\uXXXX} escape (the properties format's words, "Malformed
     *             \\uxxxx encoding.", said neither which file nor where)
     */
    static Properties properties(Path f) throws IOException {
        String name = "etc/" + f.getFileName();
        String text = ApplicationFile.utf8(Files.readAllBytes(f), name, HELD);
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IllegalArgumentException malformed) {
            throw new IllegalArgumentException(badEscape(name, text));
        }
        return p;
    }

    /**
     * The problem of a properties text whose {@code \\u} is not followed by four hexadecimal digits (a Windows path,
     * {@code C:\\users}): its line and key, and the fix. The value is not shown: it may be a password.
     */
    static String badEscape(String name, String text) {
        String fix = ": a backslash followed by 'u' starts a \\uXXXX escape, and four hexadecimal digits do not follow"
                + " it; write a backslash as \\\\ (C:\\\\users), or the character itself (the file is UTF-8); " + HELD;
        String[] lines = text.split("\r\n|\r|\n", -1);
        boolean continued = false;
        String key = null;
        for (int n = 0; n < lines.length; n++) {
            String s = lines[n];
            int i = 0;
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\f')) {
                i++; // leading white space, a continuation line's too, is not read
            }
            if (!continued) {
                if (i == s.length() || s.charAt(i) == '#' || s.charAt(i) == '!') {
                    continue; // blank, or a comment (whose escapes are not read, nor its last backslash)
                }
                key = key(s, i);
            }
            continued = false;
            for (; i < s.length(); i++) {
                if (s.charAt(i) != '\\') {
                    continue;
                }
                if (i + 1 == s.length()) {
                    continued = true; // the value goes on on the next line
                    break;
                }
                if (s.charAt(i + 1) == 'u') {
                    String hex = s.substring(i + 2, Math.min(s.length(), i + 6));
                    if (!hex.matches("[0-9A-Fa-f]{4}")) {
                        return name + " (line " + (n + 1) + (key == null ? ", in a key" : ", key '" + key + "'")
                                + ")" + fix;
                    }
                    i += 5;
                } else {
                    i++;
                }
            }
        }
        return name + fix;
    }

    /**
     * The key of the logical line that starts at {@code from} in {@code line}, as written, or null when the escape is
     * in the key itself (it ends at the first '=', ':' or white space that is not escaped).
     */
    private static String key(String line, int from) {
        for (int i = from; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                if (i + 1 < line.length() && line.charAt(i + 1) == 'u') {
                    String hex = line.substring(i + 2, Math.min(line.length(), i + 6));
                    if (!hex.matches("[0-9A-Fa-f]{4}")) {
                        return null;
                    }
                }
                i++;
            } else if (c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f') {
                return line.substring(from, i);
            }
        }
        return line.substring(from);
    }
}
