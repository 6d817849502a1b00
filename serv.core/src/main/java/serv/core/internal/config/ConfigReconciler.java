package serv.core.internal.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.core.config.ConfigChecks;
import serv.core.config.ConfigSource;
import serv.core.config.ConfigStatus;
import serv.core.config.Desired;
import serv.core.config.Secrets;
import serv.core.config.Snapshot;
import serv.core.config.Suggestions;
import serv.core.internal.server.DeployFolder;
import serv.core.internal.server.ServerHome;

/**
 * Applies every {@link ConfigSource} to Configuration Admin, by one rule, so that nothing an operator does is lost
 * and nothing serving is swapped for something else:
 * <ul>
 * <li>A configuration a source wants is created, or updated when the source's content for it changed; it is marked
 * with the source's name ({@value #SOURCE}) and a keyed digest of what the source said ({@value #DIGEST}), both
 * private properties. When the two sources want the same configuration, the higher {@code service.ranking} wins.</li>
 * <li>Last change wins, across restarts (Configuration Admin keeps its store in the home): a configuration edited in
 * the Web Console after its source applied it keeps the edit until the source's content for it changes again. The
 * digest says which happened last.</li>
 * <li>A marked configuration no source wants any more is deleted (its database or tenant goes; its routes answer 503),
 * unless its source cannot be read at that moment (a file saved half-written): then nothing of it changes. A source
 * that can be read but for some of its entries ({@link Snapshot#held()}: one file of etc/ that is not UTF-8) keeps
 * what it made of those as it is, neither changed, deleted nor handed to a source of a lower ranking, while the rest
 * of it applies.</li>
 * <li>Secrets are sealed before they are stored ({@link Secrets}); a password written inside a URL is moved to the
 * password key first.</li>
 * <li>The embedded database {@code default} ({@value #DEFAULT_DATABASE_URL}) is for a new server: it is made only
 * while no database {@code default} has ever been configured in this home, and never replaces one. Removing the
 * configured {@code default} removes it; it does not come back as SQLite.</li>
 * </ul>
 * Each source's problems and the console's overrides are logged once and shown by {@code /health}. All work runs on
 * one thread, in the order the sources changed.
 */
@Component(immediate = true, service = { ConfigReconciler.class, ConfigStatus.class })
public final class ConfigReconciler implements ConfigStatus {

    /** Private property of the configurations a source made: the source's name. */
    static final String SOURCE = ".serv.source";
    /** Private property: the keyed digest of what the source said when it was applied. */
    static final String DIGEST = ".serv.digest";
    static final String EMBEDDED = "serv.embedded";
    static final String DEFAULT_DATABASE_URL = "sqlite:///data/app.db";
    /** Made once a database {@code default} is configured: from then on, no embedded default in this home. */
    static final String DEFAULT_CONFIGURED = "data/default-database-configured";
    /** The sources a first run must have heard, or it would take their configurations for missing ones. */
    private static final Set<String> BUILT_IN = Set.of(ApplicationFile.FILE, EtcDirectory.NAME);

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReconciler.class);
    /** "applied from" lines: a file with ten thousand tenants gives a few lines and a count. */
    private static final BurstLog APPLIED = new BurstLog(LOG, 20, 10_000);

    private final ConfigurationAdmin cm;
    private final SecretBox secrets;
    private final Path defaultConfiguredMarker;
    private final Map<ServiceReference<ConfigSource>, ConfigSource> sources = new ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "serv-config");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean queued = new AtomicBoolean();
    /** Configurations whose source left them out, by PID, since when (nanoTime): deleted after the grace time. */
    private final Map<String, Long> missingSince = new ConcurrentHashMap<>();
    /** How long a source must leave a configuration out before it is deleted. */
    public static final long REMOVAL_GRACE_NANOS = 3_000_000_000L;
    private final java.util.concurrent.ScheduledExecutorService recheck = Executors.newSingleThreadScheduledExecutor(
            r -> {
                Thread t = new Thread(r, "serv-config-recheck");
                t.setDaemon(true);
                return t;
            });
    /** The problems of each source last reported, so that each is logged once. */
    private final Map<String, List<String>> reported = new HashMap<>();
    /** The configurations edited in the console over what their source said, by PID, with the source. */
    private final Map<String, String> overridden = new ConcurrentHashMap<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    /** {@link #applied}: by PID, what components found wrong in their configurations as they applied them. */
    private final Map<String, List<String>> componentProblems = new ConcurrentHashMap<>();
    private volatile boolean defaultConfigured;
    /** The sources were applied once since the start (with the built-in ones there): see {@link #applied()}. */
    private volatile boolean applied;
    /** The sources awaited at the last look ({@link #awaited()}). */
    private volatile Map<String, String> awaited = Map.of();

    /**
     * The reconciler starts once the application file and etc/ are there: its first run must know what they say,
     * or it would take a missing {@code default} for a new server's and create the embedded one.
     */
    private final BundleContext context;
    private final MetaTypeService metatype;

    @Activate
    public ConfigReconciler(BundleContext context, @Reference ConfigurationAdmin cm, @Reference SecretBox secrets,
            @Reference ServerHome home, @Reference MetaTypeService metatype,
            @Reference(target = "(" + ConfigSource.NAME + "=" + ApplicationFile.FILE + ")") ConfigSource file,
            @Reference(target = "(" + ConfigSource.NAME + "=" + EtcDirectory.NAME + ")") ConfigSource etc) {
        this.context = context;
        this.metatype = metatype;
        this.cm = cm;
        this.secrets = secrets;
        this.defaultConfiguredMarker = home.home().resolve(DEFAULT_CONFIGURED);
        this.defaultConfigured = Files.exists(defaultConfiguredMarker);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        recheck.shutdownNow();
        worker.shutdownNow();
        worker.awaitTermination(5, TimeUnit.SECONDS);
    }

    /**
     * The checks of an extension's settings against its metatype and its own rules (optional: the checker needs
     * services that start after this reconciler). Databases and tenants have theirs where they are applied (a
     * database keeps its last good pool, a tenant registry refuses a tenant).
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigChecks checks;

    /** The jars of deploy/: their warnings (no bundle, several jars of one extension) are the operator's to fix. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile DeployFolder deployFolder;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindSource(ServiceReference<ConfigSource> ref, ConfigSource source) {
        sources.put(ref, source);
        lookForAwaited();
        reconcileSoon(); // after: the run this queues looks again once it read the source
    }

    void updatedSource(ServiceReference<ConfigSource> ref, ConfigSource source) {
        reconcileSoon();
    }

    void unbindSource(ServiceReference<ConfigSource> ref, ConfigSource source) {
        // What the source made stays: a source goes away when its bundle stops, not because it wants nothing.
        sources.remove(ref);
        synchronized (this) {
            Map<String, String> left = new LinkedHashMap<>(awaited);
            left.keySet().remove(String.valueOf(ref.getProperty(ConfigSource.NAME)));
            awaited = Collections.unmodifiableMap(left);
        }
    }

    /**
     * Whether the configuration sources were applied once since this server started, and none is awaited: before, a
     * configuration that serv.config.yaml or etc/ adds (a tenant, on a first start), or that a cluster's store holds
     * (on a new node), may not be in Configuration Admin yet.
     */
    public boolean applied() {
        return applied && awaited.isEmpty();
    }

    /**
     * The sources this server waits for, by name, with what it waits for ({@link ConfigSource#awaiting()}). Empty
     * once each has what it needs and what it said is applied (the run that read it has ended).
     */
    public Map<String, String> awaited() {
        return awaited;
    }

    /** Takes note of the sources awaited now; on registration, and at the end of each run (which may read them). */
    private synchronized void lookForAwaited() {
        Map<String, String> now = new LinkedHashMap<>();
        sources.forEach((ref, source) -> {
            String why = source.awaiting();
            if (why != null) {
                now.put(String.valueOf(ref.getProperty(ConfigSource.NAME)), why);
            }
        });
        if (!now.equals(awaited)) {
            if (now.isEmpty()) {
                LOG.info("Configuration source(s) {}: what they hold is here: serving", awaited.keySet());
            } else {
                LOG.info("Configuration source(s) {}: this server answers 503 (and /health STARTING) until it has"
                        + " what it waits for: {}", now.keySet(), now.values());
            }
            awaited = Collections.unmodifiableMap(now);
        }
    }

    @Override
    public List<String> warnings() {
        DeployFolder deploy = deployFolder;
        if ((deploy == null || deploy.warnings().isEmpty()) && componentProblems.isEmpty()) {
            return List.copyOf(warnings);
        }
        List<String> all = new ArrayList<>(warnings);
        new TreeMap<>(componentProblems).values().forEach(all::addAll);
        if (deploy != null) {
            all.addAll(deploy.warnings());
        }
        return List.copyOf(all);
    }

    /**
     * What a component found wrong in its own configuration {@code pid} as it applied it (entries its metatype cannot
     * judge, left out while the rest applies), shown with the {@link #warnings} until it reports none: the log line
     * alone scrolls away, /health and the console keep it in view. Each problem names where it is (the
     * configuration and key, or the environment variable), what is wrong and the fix.
     */
    public void applied(String pid, List<String> problems) {
        if (problems.isEmpty()) {
            componentProblems.remove(pid);
        } else {
            componentProblems.put(pid, List.copyOf(problems));
        }
    }

    @Override
    public Map<String, String> overridden() {
        return Map.copyOf(overridden);
    }

    /** For tests: waits until the runs queued so far have ended. */
    void awaitRuns() throws InterruptedException, java.util.concurrent.ExecutionException {
        worker.submit(() -> {
        }).get();
    }

    /** Reconciles on the worker thread; requests made while one is queued are served by it. */
    private void reconcileSoon() {
        if (queued.compareAndSet(false, true)) {
            try {
                worker.execute(() -> {
                    queued.set(false);
                    try {
                        reconcile();
                    } catch (IOException | InvalidSyntaxException | RuntimeException e) {
                        LOG.error("The configuration could not be applied: {}", e.toString());
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                queued.set(false);
            }
        }
    }

    /**
     * A configuration a source wants, the source that wins it, and the digest of what it says; {@code kept}: refused,
     * its configuration stays as it was.
     */
    private record Wanted(Desired desired, String source, Map<String, Object> clear, String digest, boolean kept) {
        Wanted keep() {
            return new Wanted(desired, source, clear, digest, true);
        }
    }

    private void reconcile() throws IOException, InvalidSyntaxException {
        knownKeys.clear();
        Map<String, String> names = new HashMap<>();
        sources.keySet().forEach(r -> names.put(String.valueOf(r.getProperty(ConfigSource.NAME)), ""));
        if (!names.keySet().containsAll(BUILT_IN)) {
            return; // the first run waits for the built-in sources (they are bound one after the other)
        }
        try {
            applyAll(names);
        } finally {
            applied = true; // a run that failed is logged: the server does not wait for it
            lookForAwaited(); // a source read in this run is applied now
        }
    }

    private void applyAll(Map<String, String> names) throws IOException, InvalidSyntaxException {
        Map<String, Wanted> wanted = new LinkedHashMap<>();
        Set<String> unreadable = new HashSet<>();
        List<String> problems = new ArrayList<>();
        // ServiceReference order is ranking order: the highest ranking first.
        Map<String, Snapshot> snapshots = new LinkedHashMap<>();
        for (Map.Entry<ServiceReference<ConfigSource>, ConfigSource> e : new TreeMap<>(sources).descendingMap()
                .entrySet()) {
            snapshots.put(String.valueOf(e.getKey().getProperty(ConfigSource.NAME)), e.getValue().snapshot());
        }
        // The databases this run configures: an extension may name one of them before it is in Configuration Admin.
        Set<String> coming = new HashSet<>();
        if (!defaultConfigured) {
            coming.add("default"); // the embedded default of a new server, made below
        }
        boolean allRead = true;
        for (Snapshot snapshot : snapshots.values()) {
            allRead &= snapshot.valid();
            for (Desired d : snapshot.valid() ? snapshot.desired() : List.<Desired>of()) {
                Object tenant = d.properties().get("tenant");
                if (Desired.DATABASE.equals(d.factoryPid()) && (tenant == null || tenant.toString().isBlank())) {
                    coming.add(d.name());
                }
            }
        }
        for (Map.Entry<String, Snapshot> e : snapshots.entrySet()) {
            String name = e.getKey();
            Snapshot snapshot = e.getValue();
            report(name, snapshot.problems(), snapshot.valid());
            problems.addAll(snapshot.problems());
            if (!snapshot.valid()) {
                unreadable.add(name);
                continue;
            }
            for (Desired d : snapshot.desired()) {
                List<String> typos = new ArrayList<>();
                for (String unknown : unknownKeys(d)) {
                    typos.add("unknown key '" + unknown + "' (ignored)" + Suggestions.hint(unknown, knownKeys(d)));
                }
                typos.forEach(p -> problems.add(d.label() + ": " + p));
                Wanted w = wanted(d, name);
                List<String> refused = refusals(d, w, allRead ? coming : null);
                String kept = refused.isEmpty() ? null
                        : onlyUnknownDatabase(refused) ? keeps(d, w) : "the last good settings stay";
                boolean keep = kept != null;
                String outcome = keep ? " (not applied: " + kept + "; fix the value)"
                        : " (applied: the extension had no database to keep; fix the value)";
                refused = refused.stream().map(p -> p + outcome).toList();
                // logged as /health shows them: the typos of keys too, which /health alone had said
                List<String> said = new ArrayList<>(typos);
                said.addAll(refused);
                report(name + ", " + d.label(), said, true);
                refused.forEach(p -> problems.add(d.label() + ": " + p));
                if (keep) {
                    w = w.keep(); // the last good settings stay, and so does their configuration
                }
                claim(wanted, w, problems);
            }
            for (String pid : snapshot.held()) {
                // Its entry cannot be read now (a file of etc/ that is not UTF-8): what the source made stays as it
                // is, and is not handed to a source of a lower ranking; what another source made stays theirs.
                Desired d = desired(pid);
                if (name.equals(owner(pid))) {
                    claim(wanted, new Wanted(d, name, Map.of(), "", true), problems);
                }
            }
        }
        String defaultPid = Desired.database("default", Map.of()).pid();
        boolean defaultHeld = snapshots.values().stream().anyMatch(s -> s.valid() && s.held().contains(defaultPid));
        if (wanted.containsKey(defaultPid) || configuredDefaultExists()) {
            markDefaultConfigured();
        } else if (!defaultConfigured && unreadable.isEmpty() && !defaultHeld) {
            wanted.put(defaultPid, wanted(Desired.database("default", Map.of("url", DEFAULT_DATABASE_URL)), EMBEDDED));
        }
        for (Wanted w : wanted.values()) {
            apply(w);
        }
        APPLIED.flush();
        Configuration[] marked = cm.listConfigurations("(" + SOURCE + "=*)");
        for (Configuration c : marked == null ? new Configuration[0] : marked) {
            Dictionary<String, Object> props = Configs.properties(c);
            Object owner = props == null ? null : props.get(SOURCE);
            if (owner == null || unreadable.contains(owner.toString()) || wanted.containsKey(c.getPid())) {
                continue;
            }
            if (!EMBEDDED.equals(owner) && !names.containsKey(owner.toString())) {
                continue; // its source is not there (yet: a cluster store connecting at start): it says nothing
            }
            if (EMBEDDED.equals(owner) && !defaultConfigured) {
                continue; // the embedded default of a new server stays until a default is configured
            }
            String pid = c.getPid(); // a deleted configuration answers nothing more
            long now = System.nanoTime();
            Long since = missingSince.putIfAbsent(pid, now);
            if (since == null || now - since < REMOVAL_GRACE_NANOS) {
                // A file cut short by its save (ending after "databases:"), or moved away and back by an editor, is
                // valid YAML that names nothing: its databases were deleted and their pools closed at once. A
                // configuration is deleted once its source has left it out for the grace time; back before, it stays.
                if (since == null) {
                    LOG.info("{} is no longer in {}: it is deleted in {} s unless it comes back", label(pid), owner,
                            REMOVAL_GRACE_NANOS / 1_000_000_000L);
                    recheck.schedule(this::reconcileSoon, REMOVAL_GRACE_NANOS + 100_000_000L, TimeUnit.NANOSECONDS);
                }
                continue;
            }
            missingSince.remove(pid);
            c.delete();
            overridden.remove(pid);
            LOG.info("{} deleted: it is no longer in {}", label(pid), owner);
        }
        missingSince.keySet().removeIf(wanted::containsKey); // back in its source: nothing to delete
        warnings.clear();
        warnings.addAll(problems);
    }

    /**
     * Takes {@code w}'s configuration for its source, unless a source of a higher ranking (read before) took it: then
     * that one wins, and both are named.
     */
    private void claim(Map<String, Wanted> wanted, Wanted w, List<String> problems) {
        Desired d = w.desired();
        Wanted before = wanted.putIfAbsent(d.pid(), w);
        if (before != null && !before.source().equals(w.source())) {
            String p = d.label() + " is defined in " + before.source() + " and in " + w.source() + "; "
                    + before.source() + " wins: define it in one place";
            problems.add(p);
            report(w.source() + "/" + d.pid(), List.of(p), true);
        }
    }

    /** The configuration of PID {@code pid} ({@code factoryPid~name} for a factory configuration), without settings. */
    private static Desired desired(String pid) {
        int tilde = pid.indexOf('~');
        return tilde < 0 ? Desired.configuration(pid, Map.of())
                : new Desired(pid.substring(0, tilde), pid.substring(tilde + 1), Map.of());
    }

    /** The source that made the configuration of PID {@code pid}, or null (none is stored, or nothing made it). */
    private String owner(String pid) throws IOException, InvalidSyntaxException {
        Configuration[] found = cm.listConfigurations("(" + org.osgi.framework.Constants.SERVICE_PID + "="
                + filterValue(pid) + ")");
        Dictionary<String, Object> props = found == null || found.length == 0 ? null : Configs.properties(found[0]);
        Object source = props == null ? null : props.get(SOURCE);
        return source == null ? null : source.toString();
    }

    /** {@code value} as a value of an LDAP filter: '\\', '*', '(' and ')' escaped. */
    static String filterValue(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * Why an extension's settings cannot be applied (values its metatype or its own check refuses); none if they can.
     * A {@code database} it names among {@code coming} (configured by this run), or any when a source could not be
     * read ({@code coming} null: its databases are not known), is not checked against those configured so far.
     */
    private List<String> refusals(Desired d, Wanted w, Set<String> coming) {
        ConfigChecks c = checks;
        if (c == null || d.factoryPid() != null) {
            return List.of();
        }
        Map<String, Object> settings = w.clear();
        if (!(settings.get(ExtensionDatabase.SETTING) instanceof String named)) {
            return c.problems(null, d.name(), settings);
        }
        // The database is checked here, against those configured and those this run configures.
        settings = new HashMap<>(settings);
        settings.remove(ExtensionDatabase.SETTING);
        List<String> out = new ArrayList<>(c.problems(null, d.name(), settings));
        String db = named.strip();
        Set<String> configured = coming == null || db.isEmpty() || EnvInterpolation.isReference(db) ? null
                : ConfigChecker.configuredDatabases(cm);
        if (configured != null) {
            configured.addAll(coming);
            String unknown = ConfigChecker.unknownDatabase(db, configured);
            if (unknown != null) {
                out.add(unknown);
            }
        }
        return out;
    }

    /**
     * Whether an extension's settings were refused only for naming a database that is not configured. Unless the
     * extension serves on another database now ({@link #keeps}), they are applied all the same: kept out, a first
     * start's extension would use database default, and a typo must not send its writes to another database (its
     * routes answer 503 naming the database, and the log says why).
     */
    private static boolean onlyUnknownDatabase(List<String> refused) {
        return refused.stream().allMatch(p -> p.startsWith(ConfigChecker.UNKNOWN_DATABASE));
    }

    /**
     * What the extension of {@code d}, refused only for naming a database that is not configured, goes on with: its
     * stored settings when they name another database, its defaults when it has none stored and runs on them now
     * ({@link #runsOnItsDefaults}); null when it serves on no other database, and the settings are applied.
     */
    private String keeps(Desired d, Wanted w) throws IOException, InvalidSyntaxException {
        Configuration[] found = cm.listConfigurations("(" + org.osgi.framework.Constants.SERVICE_PID + "="
                + d.pid() + ")");
        Dictionary<String, Object> props = found == null || found.length == 0 ? null : Configs.properties(found[0]);
        if (props == null) {
            return runsOnItsDefaults(d) ? "the extension goes on with its defaults" : null;
        }
        Object stored = props.get(ExtensionDatabase.SETTING);
        return String.valueOf(stored).equals(String.valueOf(w.clear().get(ExtensionDatabase.SETTING))) ? null
                : "the last good settings stay";
    }

    /**
     * Whether the extension configured by {@code d} (which has no configuration stored) serves on its defaults now:
     * its bundle is started, and this server has served since it started. Until its first run is over the server
     * answers 503 ({@link #applied()}), so at a start the defaults have served nothing yet: a first start's typo is
     * applied, not taken for a move away from databases it never wrote to.
     */
    private boolean runsOnItsDefaults(Desired d) {
        if (!applied) {
            return false;
        }
        for (Bundle b : context.getBundles()) {
            MetaTypeInformation info = metatype.getMetaTypeInformation(b);
            String[] pids = info == null ? null : info.getPids();
            if (pids != null && java.util.Arrays.asList(pids).contains(d.name())) {
                return (b.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0;
            }
        }
        return false; // not installed (or without settings of its own): it serves nothing it could keep
    }

    /** The keys each (factory) PID's metatype describes, for one run. */
    private final Map<String, Set<String>> knownKeys = new HashMap<>();

    /** The keys of {@code d} its configuration's metatype does not describe (none when there is no metatype). */
    private List<String> unknownKeys(Desired d) {
        Set<String> known = knownKeys(d);
        if (known.isEmpty()) {
            return List.of();
        }
        return d.properties().keySet().stream().filter(k -> !k.startsWith(".") && !known.contains(k)).sorted()
                .toList();
    }

    private Set<String> knownKeys(Desired d) {
        String pid = d.factoryPid() != null ? d.factoryPid() : d.name();
        return knownKeys.computeIfAbsent(pid, p -> {
            for (org.osgi.framework.Bundle b : context.getBundles()) {
                MetaTypeInformation info = metatype.getMetaTypeInformation(b);
                if (info == null) {
                    continue;
                }
                String[] pids = d.factoryPid() != null ? info.getFactoryPids() : info.getPids();
                if (pids != null && java.util.Arrays.asList(pids).contains(p)) {
                    Set<String> ids = new java.util.TreeSet<>();
                    for (AttributeDefinition ad : info.getObjectClassDefinition(p, null)
                            .getAttributeDefinitions(ObjectClassDefinition.ALL)) {
                        ids.add(ad.getID());
                    }
                    return ids;
                }
            }
            return Set.of();
        });
    }

    private Wanted wanted(Desired d, String source) {
        Map<String, Object> clear = new TreeMap<>();
        d.properties().forEach((k, v) -> {
            if (v != null && !k.startsWith(".") && !"".equals(v)) {
                clear.put(k, opened(v)); // an empty value is the same as none
            }
        });
        if (Desired.DATABASE.equals(d.factoryPid())) {
            clear.put("name", d.name());
        } else if (Desired.TENANT.equals(d.factoryPid())) {
            clear.put("id", d.name());
        }
        movePasswordOutOfUrl(clear, "url", "password");
        movePasswordOutOfUrl(clear, "database_url", "database_password");
        return new Wanted(d, source, clear, secrets.digest(source + "\n" + canonical(clear)), false);
    }

    /**
     * A value as it is compared and digested: a sealed secret (a cluster store keeps them sealed) opened, so that
     * the same secret sealed twice is the same value; one this server's key cannot open stays as it is (the pool
     * then reports it).
     */
    private Object opened(Object v) {
        if (v instanceof String s && secrets.isSealed(s)) {
            try {
                return secrets.unseal(s);
            } catch (IllegalArgumentException otherKey) {
                return s;
            }
        }
        return v;
    }

    private void apply(Wanted w) throws IOException {
        if (w.kept()) {
            return;
        }
        Desired d = w.desired();
        Configuration config = d.factoryPid() != null ? cm.getFactoryConfiguration(d.factoryPid(), d.name(), "?")
                : cm.getConfiguration(d.name(), "?");
        Dictionary<String, Object> current = Configs.properties(config);
        if (current != null) {
            Map<String, Object> have = clear(current);
            Object source = current.get(SOURCE);
            Object digest = current.get(DIGEST);
            if (sameContent(have, w.clear())) {
                if (!w.source().equals(source) || !w.digest().equals(digest)) {
                    config.update(stored(w)); // the same settings, now known as the source's
                }
                overridden.remove(config.getPid());
                return;
            }
            if (w.source().equals(source) && w.digest().equals(digest)) {
                // The source says what it said when it was applied; the configuration was edited since (the Web
                // Console, the admin API): the edit is the last change, and it stays.
                if (overridden.put(config.getPid(), w.source()) == null) {
                    LOG.warn("{}: edited in the Web Console; the edit overrides {} until {} changes it", d.label(),
                            w.source(), w.source());
                }
                return;
            }
            if (overridden.remove(config.getPid()) != null) {
                LOG.warn("{}: {} changed it; its content replaces the edit made in the Web Console", d.label(),
                        w.source());
            }
        }
        config.update(stored(w));
        APPLIED.info("{}: configuration applied from {}", capitalized(d.label()), w.source());
    }

    /** What is stored: the settings with their secrets sealed, the source and the digest. */
    private Hashtable<String, Object> stored(Wanted w) {
        Hashtable<String, Object> props = new Hashtable<>();
        w.clear().forEach((k, v) -> props.put(k, Secrets.isSecretKey(k) && v instanceof String s ? secrets.seal(s) : v));
        props.put(SOURCE, w.source());
        props.put(DIGEST, w.digest());
        return props;
    }

    /** A stored configuration's settings, secrets opened, private and Configuration Admin keys aside. */
    private Map<String, Object> clear(Dictionary<String, Object> stored) {
        Map<String, Object> out = new TreeMap<>();
        for (String key : Collections.list(stored.keys())) {
            if (key.startsWith(".") || key.startsWith("service.") || key.startsWith("felix.fileinstall.")) {
                continue;
            }
            Object v = stored.get(key);
            if (!"".equals(v)) {
                out.put(key, v instanceof String s && secrets.isSealed(s) ? secrets.unseal(s) : v);
            }
        }
        return out;
    }

    /**
     * A password written in a URL's user info ({@code postgresql://user:secret@host/db}) goes to the password key
     * (unless one is set), so that it is sealed and the URL can be shown. A {@code ${VAR}} URL is left as it is: its
     * value is resolved only where the pool is made.
     */
    static void movePasswordOutOfUrl(Map<String, Object> props, String urlKey, String passwordKey) {
        if (!(props.get(urlKey) instanceof String url) || EnvInterpolation.isReference(url)) {
            return;
        }
        url = movePasswordOutOfQuery(props, urlKey, passwordKey, url);
        try {
            URI uri = new URI(url);
            String info = uri.getRawUserInfo();
            if (info == null || !info.contains(":")) {
                return;
            }
            int colon = info.indexOf(':');
            String user = info.substring(0, colon);
            String password = java.net.URLDecoder.decode(info.substring(colon + 1).replace("+", "%2B"),
                    StandardCharsets.UTF_8);
            String rest = url.substring(url.indexOf('@') + 1);
            props.put(urlKey, uri.getScheme() + "://" + user + "@" + rest);
            putPasswordIfAbsent(props, passwordKey, password);
        } catch (URISyntaxException | IllegalArgumentException notAUri) {
            // the consumer reports a malformed URL by its key, without the value
        }
    }

    /**
     * A password given as a parameter of the URL's query ({@code jdbc:postgresql://host/db?user=u&password=secret},
     * {@code postgresql://host/db?password=secret}: the PostgreSQL driver takes both) goes to the password key as
     * well (unless one is set), and out of the URL: it was stored and shown in clear. Returns the URL without it.
     */
    private static String movePasswordOutOfQuery(Map<String, Object> props, String urlKey, String passwordKey,
            String url) {
        int q = url.indexOf('?');
        if (q < 0) {
            return url;
        }
        int hash = url.indexOf('#', q);
        String query = hash < 0 ? url.substring(q + 1) : url.substring(q + 1, hash);
        StringBuilder kept = new StringBuilder();
        String password = null;
        for (String param : query.split("&", -1)) {
            int eq = param.indexOf('=');
            String name = eq < 0 ? param : param.substring(0, eq);
            if (name.equalsIgnoreCase("password")) {
                if (password == null && eq >= 0) {
                    try {
                        password = java.net.URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException malformed) {
                        password = param.substring(eq + 1);
                    }
                }
                continue;
            }
            if (!param.isEmpty()) {
                kept.append(kept.length() == 0 ? "" : "&").append(param);
            }
        }
        if (password == null) {
            return url;
        }
        String without = url.substring(0, q) + (kept.length() == 0 ? "" : "?" + kept)
                + (hash < 0 ? "" : url.substring(hash));
        props.put(urlKey, without);
        putPasswordIfAbsent(props, passwordKey, password);
        return without;
    }

    /** The password key takes {@code password} when it has none (empty is none: a form's field left blank). */
    private static void putPasswordIfAbsent(Map<String, Object> props, String passwordKey, String password) {
        Object current = props.get(passwordKey);
        if (current == null || current.toString().isEmpty()) {
            props.put(passwordKey, password);
        }
    }

    private boolean configuredDefaultExists() throws IOException, InvalidSyntaxException {
        Configuration[] all = cm.listConfigurations("(&(service.factoryPid=" + Desired.DATABASE + ")(name=default))");
        if (all == null) {
            return false;
        }
        for (Configuration c : all) {
            Dictionary<String, Object> p = Configs.properties(c);
            Object tenant = p == null ? null : p.get("tenant");
            if (p != null && !EMBEDDED.equals(p.get(SOURCE)) && (tenant == null || tenant.toString().isBlank())) {
                return true;
            }
        }
        return false;
    }

    private void markDefaultConfigured() throws IOException {
        if (!defaultConfigured) {
            defaultConfigured = true;
            Files.createDirectories(defaultConfiguredMarker.getParent());
            Files.writeString(defaultConfiguredMarker, "A database 'default' has been configured in this home: Serv"
                    + " will not make the embedded SQLite default here again.\n", StandardCharsets.UTF_8);
        }
    }

    private void report(String source, List<String> problems, boolean valid) {
        List<String> before = reported.put(source, problems);
        if (problems.equals(before)) {
            return;
        }
        for (String p : problems) {
            if (before == null || !before.contains(p)) {
                if (valid) {
                    LOG.warn("{}: {}", source, p);
                } else {
                    LOG.error("{}", p);
                }
            }
        }
    }

    private static String label(String pid) {
        int tilde = pid.indexOf('~');
        if (tilde < 0) {
            return "Configuration " + pid;
        }
        return capitalized(new Desired(pid.substring(0, tilde), pid.substring(tilde + 1), Map.of()).label());
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Settings as one text, keys sorted, arrays element by element. */
    static String canonical(Map<String, Object> props) {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(props).forEach((k, v) -> out.append(k).append('=').append(text(v)).append('\n'));
        return out.toString();
    }

    /** Whether two settings say the same, values as text (20 and "20" are the same; arrays by element). */
    static boolean sameContent(Map<String, Object> a, Map<String, Object> b) {
        return canonical(a).equals(canonical(b));
    }

    private static String text(Object value) {
        if (value instanceof Object[] array) {
            return java.util.Arrays.deepToString(array);
        }
        if (value != null && value.getClass().isArray()) {
            StringBuilder out = new StringBuilder("[");
            for (int i = 0; i < java.lang.reflect.Array.getLength(value); i++) {
                out.append(i == 0 ? "" : ", ").append(java.lang.reflect.Array.get(value, i));
            }
            return out.append(']').toString();
        }
        return String.valueOf(value);
    }
}
