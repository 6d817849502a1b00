package serv.core.internal.tenant;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each tenant was when its configuration was last applied ({@value #FILE} in the server's home, a line per
 * tenant id): whether its data was in a database of its own or in a schema of the shared default, and what it had
 * (hosts, path prefix, schema, database: the registry's claim keys). The registry refuses, while a tenant runs, a
 * configuration that moves it between its own database and a schema (its data would stay behind) or that takes what
 * another tenant has; this record makes a restart hold to both. Without it, a tenant file cut short (its
 * {@code database_url} lost) and stored that way started the tenant in a schema of the shared database, and of two
 * stored configurations claiming one host the one Configuration Admin handed over first got it, whichever had it.
 * <p>
 * Not a {@code Properties} file: claim keys hold {@code :} and {@code =}; each is URL-encoded, separated by tabs.
 * Written a moment after a change, in one file replaced whole (ten thousand tenants applied at a first start cost a
 * few writes, not ten thousand), and at once when the registry stops.
 */
final class AppliedTenants {

    static final String FILE = "data/applied-tenants";
    static final String OWN = "own";
    static final String SCHEMA = "schema";
    private static final long WRITE_AFTER_MS = 200;
    private static final Logger LOG = LoggerFactory.getLogger(AppliedTenants.class);

    private record Applied(String how, Set<String> claims) {
    }

    private final Path file;
    private final ScheduledExecutorService timer;
    private final Map<String, Applied> byId = new ConcurrentHashMap<>();
    /** Who had each claim, by claim key. */
    private final Map<String, String> owners = new ConcurrentHashMap<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean dirty;

    AppliedTenants(Path home, ScheduledExecutorService timer) {
        this.file = home.resolve(FILE);
        this.timer = timer;
        if (!Files.isRegularFile(file)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\t");
                if (parts.length < 2) {
                    continue;
                }
                Set<String> claims = new java.util.TreeSet<>();
                for (int i = 2; i < parts.length; i++) {
                    claims.add(URLDecoder.decode(parts[i], StandardCharsets.UTF_8));
                }
                put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8), new Applied(parts[1], Set.copyOf(claims)));
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("{} could not be read ({}): at this start, tenants are not checked against what they were when"
                    + " the server last ran", file, e.getMessage());
        }
    }

    static String how(TenantSettings settings) {
        return settings.ownsDatabase() ? OWN : SCHEMA;
    }

    /** How tenant {@code id} held its data when last applied ({@link #OWN}, {@link #SCHEMA}); null when not known. */
    String how(String id) {
        Applied a = byId.get(id);
        return a == null ? null : a.how();
    }

    /** The tenant that had {@code claim} when last applied; null when none. */
    String ownerOf(String claim) {
        return owners.get(claim);
    }

    void record(String id, String how, Collection<String> claims) {
        Applied next = new Applied(how, Set.copyOf(claims));
        if (!next.equals(byId.get(id))) {
            put(id, next);
            changed();
        }
    }

    /** The tenant was removed on purpose: added again, it may be anything. */
    void forget(String id) {
        Applied gone = byId.remove(id);
        if (gone != null) {
            gone.claims().forEach(c -> owners.remove(c, id));
            changed();
        }
    }

    private void put(String id, Applied next) {
        Applied before = byId.put(id, next);
        if (before != null) {
            before.claims().forEach(c -> owners.remove(c, id));
        }
        next.claims().forEach(c -> owners.put(c, id));
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
        StringBuilder text = new StringBuilder("# What each tenant was when last applied: id, own database or schema of"
                + " the shared default, what it had. Written by Serv.\n");
        new TreeMap<>(byId).forEach((id, a) -> {
            text.append(encode(id)).append('\t').append(a.how());
            for (String c : new java.util.TreeSet<>(a.claims())) {
                text.append('\t').append(encode(c));
            }
            text.append('\n');
        });
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
            LOG.warn("{} could not be written ({}): a restart will not check tenants against what they are now", file,
                    e.getMessage());
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
