package serv.core.internal.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Objects;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the working directory the server's home: creates {@code etc/}, {@code deploy/} and {@code data/}, starts
 * Jetty on {@code SERV_HOST}:{@code SERV_PORT} (framework properties {@code serv.host}/{@code serv.port} win) (the runtime sets {@code org.apache.felix.http.require.config}, so
 * Jetty waits for this configuration and starts once, on the right port).
 */
@Component(immediate = true, service = ServerHome.class)
public final class ServerHome {

    static final String HTTP_PID = "org.apache.felix.http";
    static final int DEFAULT_PORT = 8000;
    static final String DEFAULT_HOST = "127.0.0.1";
    /** Milliseconds Jetty gives in-flight requests when the server stops. */
    static final long STOP_TIMEOUT_MS = 5000;

    private static final Logger LOG = LoggerFactory.getLogger(ServerHome.class);

    private final Path home;

    @Activate
    public ServerHome(BundleContext context, @Reference ConfigurationAdmin cm) throws IOException {
        home = home(context);
        for (String folder : new String[] { "etc", "deploy", "data" }) {
            Files.createDirectories(home.resolve(folder));
        }
        Map<String, String> settings = new java.util.HashMap<>(System.getenv());
        // Framework (or system) properties serv.port / serv.host win: embedders and tests set them.
        for (String[] key : new String[][] { { "serv.port", "SERV_PORT" }, { "serv.host", "SERV_HOST" } }) {
            String value = context.getProperty(key[0]);
            if (value != null) {
                settings.put(key[1], value);
            }
        }
        configureHttp(cm, settings);
        LOG.debug("Server home {}", home);
    }

    /** The server's home: the framework property {@code serv.home}, else the working directory. */
    static Path home(BundleContext context) {
        String h = context.getProperty("serv.home");
        return Path.of(h == null ? "." : h).toAbsolutePath().normalize();
    }

    /** The folder FileInstall watches ({@code felix.fileinstall.dir}, relative to the home; deploy/). */
    static Path deployFolder(BundleContext context) {
        String dir = context.getProperty("felix.fileinstall.dir");
        return home(context).resolve(dir == null ? "deploy" : dir).normalize();
    }

    public Path home() {
        return home;
    }

    static void configureHttp(ConfigurationAdmin cm, Map<String, String> env) throws IOException {
        int port = DEFAULT_PORT;
        String rawPort = env.get("SERV_PORT");
        if (rawPort != null && !rawPort.isBlank()) {
            try {
                port = Integer.parseInt(rawPort.strip());
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                LOG.error("SERV_PORT='{}' is not a port number (0-65535); using {}. Fix: export SERV_PORT=8000",
                        rawPort, DEFAULT_PORT);
                port = DEFAULT_PORT;
            }
        }
        String host = env.getOrDefault("SERV_HOST", DEFAULT_HOST).strip();
        if (host.isEmpty()) {
            host = DEFAULT_HOST;
        }
        Hashtable<String, Object> wanted = new Hashtable<>();
        wanted.put("org.osgi.service.http.port", Integer.toString(port));
        wanted.put("org.apache.felix.http.host", host);
        wanted.put("org.apache.felix.jetty.stopTimeout", Long.toString(STOP_TIMEOUT_MS));
        wanted.put("org.apache.felix.http.jetty.sendServerHeader", "false");
        Configuration config = cm.getConfiguration(HTTP_PID, "?");
        if (!same(config.getProperties(), wanted)) {
            config.update(wanted);
        }
    }

    private static boolean same(Dictionary<String, Object> current, Map<String, Object> wanted) {
        if (current == null) {
            return false;
        }
        for (Map.Entry<String, Object> e : wanted.entrySet()) {
            if (!Objects.equals(String.valueOf(current.get(e.getKey())), e.getValue())) {
                return false;
            }
        }
        return true;
    }

}
