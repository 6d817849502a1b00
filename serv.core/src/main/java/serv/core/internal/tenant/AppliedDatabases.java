package serv.core.internal.tenant;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each tenant's data was when its configuration was last applied: in a database of its own or in a schema of
 * the shared default ({@value #FILE} in the server's home, by tenant id). A running tenant refuses a configuration
 * that would move it between the two (its data would stay behind); this record makes a restart refuse it too: a
 * tenant file cut short (its {@code database_url} line lost) and stored that way would otherwise start the tenant in
 * a schema of the shared database, its users meeting an empty site and their writes going there.
 * <p>
 * Written a moment after a change, in one file replaced whole (ten thousand tenants applied at a first start cost a
 * few writes, not ten thousand), and at once when the registry stops.
 */
final class AppliedDatabases {

    static final String FILE = "data/tenant-databases.properties";
    static final String OWN = "own";
    static final String SCHEMA = "schema";
    private static final long WRITE_AFTER_MS = 200;
    private static final Logger LOG = LoggerFactory.getLogger(AppliedDatabases.class);

    private final Path file;
    private final ScheduledExecutorService timer;
    private final Map<String, String> byId = new ConcurrentHashMap<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean dirty;

    AppliedDatabases(Path home, ScheduledExecutorService timer) {
        this.file = home.resolve(FILE);
        this.timer = timer;
        if (Files.isRegularFile(file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
                p.forEach((k, v) -> byId.put(k.toString(), v.toString()));
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("{} could not be read ({}): a tenant's move between its own database and a schema of the"
                        + " shared one is not checked at this start", file, e.getMessage());
            }
        }
    }

    static String of(TenantSettings settings) {
        return settings.ownsDatabase() ? OWN : SCHEMA;
    }

    /** How tenant {@code id} held its data when last applied; null when not known. */
    String recorded(String id) {
        return byId.get(id);
    }

    void record(String id, String how) {
        if (!how.equals(byId.put(id, how))) {
            changed();
        }
    }

    /** The tenant was removed on purpose: added again, it may hold its data anywhere. */
    void forget(String id) {
        if (byId.remove(id) != null) {
            changed();
        }
    }

    private void changed() {
        dirty = true;
        if (scheduled.compareAndSet(false, true)) {
            try {
                timer.schedule(this::flush, WRITE_AFTER_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                scheduled.set(false);
                flush();
            }
        }
    }

    /** Writes the record when it changed since the last write. */
    synchronized void flush() {
        scheduled.set(false);
        if (!dirty) {
            return;
        }
        dirty = false;
        StringBuilder text = new StringBuilder("# Where each tenant's data was when last applied: its own database, or a"
                + " schema of the shared default. Written by Serv.\n");
        new TreeMap<>(byId).forEach((id, how) -> text.append(id).append('=').append(how).append('\n')); // ids are slugs
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            dirty = true;
            LOG.warn("{} could not be written ({}): a restart will not check tenants' moves between their own"
                    + " database and a schema of the shared one", file, e.getMessage());
        }
    }
}
