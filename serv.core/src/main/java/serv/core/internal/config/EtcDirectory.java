package serv.core.internal.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
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
    private volatile Map<Path, FileTime> stamps;
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
        Map<Path, FileTime> now = stamps();
        if (!now.equals(stamps)) {
            stamps = now;
            LOG.info("etc/ changed: applying it");
            synchronized (this) {
                version++;
            }
            registration.setProperties(properties());
        }
    }

    private Map<Path, FileTime> stamps() {
        Map<Path, FileTime> out = new TreeMap<>();
        for (Path f : files()) {
            try {
                out.put(f, Files.getLastModifiedTime(f));
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

    /** The configurations the files of {@code folder} (a home's etc/) want; also {@code serv config validate}'s. */
    public static Snapshot read(Path folder) {
        List<Desired> desired = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path f : files(folder)) {
            String file = f.getFileName().toString();
            String pid = file.substring(0, file.length() - ".cfg".length());
            Properties p = new Properties();
            try (Reader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                p.load(in);
            } catch (IOException | IllegalArgumentException e) {
                // a file being written, or broken: nothing of etc/ is applied and nothing it made is removed
                return Snapshot.unreadable("etc/" + file + " cannot be read (" + e.getMessage() + "); fix the file,"
                        + " nothing of etc/ was applied");
            }
            Map<String, Object> props = new LinkedHashMap<>();
            p.stringPropertyNames().stream().sorted().forEach(k -> props.put(k, p.getProperty(k).strip()));
            int dash = pid.indexOf('-');
            if (dash > 0) {
                String factoryPid = pid.substring(0, dash);
                String name = pid.substring(dash + 1);
                if (name.isEmpty()) {
                    problems.add("etc/" + file + ": no name after '-'; name it " + factoryPid + "-<name>.cfg");
                    continue;
                }
                desired.add(new Desired(factoryPid, name, props));
            } else {
                desired.add(Desired.configuration(pid, props));
            }
        }
        return new Snapshot(true, desired, problems);
    }
}
