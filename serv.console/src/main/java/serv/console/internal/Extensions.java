package serv.console.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Requirement;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;

import serv.core.runtime.DeployedJars;
import serv.core.runtime.RouteInfo;
import serv.core.runtime.RouteStatus;
import serv.core.runtime.Routes;
import serv.core.tenant.Tenant;
import serv.core.tenant.Tenants;
import serv.database.Database;
import serv.database.DatabaseState;
import serv.database.MigrationException;
import serv.database.Migrations;

/**
 * Serv's extensions (the bundles that bring routes, middleware or migrations) as the operator sees and handles them:
 * each with its version, state, routes, migrations, settings and tenants, and why it does not run when it does not
 * (an import no bundle exports, a start that failed). Installing and removing go through the home's {@code deploy/}
 * folder (FileInstall does the rest), so that what the console or the command line installs survives a restart like a
 * hand-dropped jar; Serv's own bundles, inside serv.jar, are not replaced or removed here.
 */
@Component(service = Extensions.class)
public final class Extensions {

    /**
     * Serv's runtime bundles, with what each does: not extensions, though some bring routes or use the extension API
     * (serv.cluster imports serv.database). They are not listed, stopped or removed here, and a restart starts them
     * again whatever was done to them (serv.core's {@code StoppedExtensions} keeps no stop of theirs).
     */
    private static final Map<String, String> RUNTIME = Map.of(
            "serv.core", "the HTTP runtime every route, this admin API and the console run on",
            "serv.database", "the database pools and migrations the extensions' routes use",
            "serv.jpa", "JPA for the extensions that use it (serv.blog's jpa repository among them)",
            "serv.console", "the console and this admin API",
            "serv.cluster", "what makes this server a node of its cluster (a node without it would serve its own"
                    + " configuration instead of the cluster's; to run a server on its own, leave cluster.url and"
                    + " SERV_CLUSTER_URL unset)");
    private static final Pattern IMPORTS_ROUTE_API = Pattern.compile("(^|,)\\s*serv\\.core\\s*(;|,|$)");
    private static final Pattern IMPORTS_DATABASE_API = Pattern.compile("(^|,)\\s*serv\\.database\\s*(;|,|$)");
    /** How long a start waits for an extension that was kept stopped since the server's start. */
    private static final long HELD_START_WAIT_S = 10;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<Database> databases = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile MetaTypeService metatype;

    /** serv.core's deploy/: the jar each extension runs from, which its bundle's location may not name. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile DeployedJars deployedJars;

    /** SCR's view of the extensions' components: which failed, which wait. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ServiceComponentRuntime scr;

    private final BundleContext context;
    private final Routes routes;
    private final Tenants tenants;
    private final Migrations migrations;
    private final Deployments deployments;

    @Activate
    public Extensions(BundleContext context, @Reference Routes routes, @Reference Tenants tenants,
            @Reference Migrations migrations) {
        this.context = context;
        this.routes = routes;
        this.tenants = tenants;
        this.migrations = migrations;
        this.deployments = new Deployments(context, () -> deployedJars);
    }

    /** Every extension, by symbolic name. */
    List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Bundle b : extensionBundles()) {
            out.add(describe(b, false));
        }
        return out;
    }

    /** One extension, by bundle id or symbolic name, with its migrations. */
    Map<String, Object> get(String idOrName) throws ApiException {
        return describe(find(idOrName), true);
    }

    /** Whether an extension of that symbolic name is installed (what migrations are known by). */
    boolean installed(String symbolicName) {
        return extensionBundles().stream().anyMatch(b -> b.getSymbolicName().equals(symbolicName));
    }

    Bundle find(String idOrName) throws ApiException {
        for (Bundle b : extensionBundles()) {
            if (b.getSymbolicName().equals(idOrName) || Long.toString(b.getBundleId()).equals(idOrName)) {
                return b;
            }
        }
        Bundle own = ownPart(idOrName);
        if (own != null) {
            throw new ApiException(404, own.getSymbolicName() + " is part of Serv, not an extension: "
                    + RUNTIME.get(own.getSymbolicName()) + " (GET extensions lists the extensions)");
        }
        throw ApiException.notFound("extension " + Echo.cut(idOrName));
    }

    /**
     * Serv's own parts that do not run (stopped in the Web Console's Bundles page, or not resolved), with what they do,
     * by symbolic name: what needs attention, since they are not extensions and the extensions' list leaves them out.
     */
    Map<String, String> ownPartsNotRunning() {
        Map<String, String> out = new TreeMap<>();
        for (Bundle b : context.getBundles()) {
            String bsn = b.getSymbolicName();
            if (bsn != null && RUNTIME.containsKey(bsn) && b.getState() != Bundle.ACTIVE
                    && b.getState() != Bundle.STARTING) {
                out.put(bsn, bsn + " (part of Serv: " + RUNTIME.get(bsn) + ") is " + state(b) + "; a restart starts"
                        + " it again");
            }
        }
        return out;
    }

    /** The bundle of Serv's own runtime that {@code idOrName} names (its id or symbolic name), or null. */
    private Bundle ownPart(String idOrName) {
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName() != null && RUNTIME.containsKey(b.getSymbolicName())
                    && (b.getSymbolicName().equals(idOrName) || Long.toString(b.getBundleId()).equals(idOrName))) {
                return b;
            }
        }
        return null;
    }

    /**
     * Refuses to stop or remove a part of Serv (409): it is not an extension, and stopping it would take down what it
     * does for every extension (the console and this API with serv.console or serv.core), until a restart brings it
     * back anyway.
     */
    private void refuseOwnPart(String idOrName, String what) throws ApiException {
        Bundle own = ownPart(idOrName);
        if (own != null) {
            throw ApiException.conflict(own.getSymbolicName() + " is part of Serv, not an extension, and is not "
                    + what + " here: it is " + RUNTIME.get(own.getSymbolicName()) + ". Serv's parts run as long as"
                    + " the server does (a restart starts them all again)");
        }
    }

    private List<Bundle> extensionBundles() {
        List<Bundle> out = new ArrayList<>();
        Path deploy = deployments.folder();
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName() == null || RUNTIME.containsKey(b.getSymbolicName()) || b.getBundleId() == 0) {
                continue;
            }
            Object imports = b.getHeaders("").get(Constants.IMPORT_PACKAGE);
            String text = imports == null ? "" : imports.toString();
            if (IMPORTS_ROUTE_API.matcher(text).find() || IMPORTS_DATABASE_API.matcher(text).find()
                    || b.getEntry("serv/migrations/") != null || Deployments.deployed(b, deploy)) {
                out.add(b);
            }
        }
        out.sort(Comparator.comparing(Bundle::getSymbolicName));
        return out;
    }

    private Map<String, Object> describe(Bundle b, boolean detail) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", b.getBundleId());
        m.put("symbolic_name", b.getSymbolicName());
        Object name = b.getHeaders("").get(Constants.BUNDLE_NAME);
        m.put("name", name == null ? b.getSymbolicName() : name.toString());
        m.put("version", b.getVersion().toString());
        m.put("state", state(b));
        m.put("location", deployments.location(b)); // deploy/x.jar: never the whole path of a file of the server
        m.put("deployed", deployments.deployed(b));
        List<RouteInfo> own = routes.routes().stream().filter(r -> r.bundleId() == b.getBundleId()).toList();
        m.put("problem", problem(b, own));
        m.put("routes", own.stream().map(Facts::route).toList());
        m.put("settings", settings(b));
        List<String> of = new ArrayList<>();
        for (Tenant t : tenants.list()) {
            if (t.extensions().isEmpty() || t.extensions().contains(b.getSymbolicName())) {
                of.add(t.id());
            }
        }
        m.put("tenants", of);
        if (detail) {
            m.put("migrations", migrations(b));
        }
        return m;
    }

    /** The extension's applied migrations on each of the server's own databases that is up, by database. */
    private Map<String, Object> migrations(Bundle b) {
        Map<String, Object> out = new TreeMap<>();
        for (Database db : databases) {
            if (db.tenant().isPresent() || db.state() != DatabaseState.UP) {
                continue;
            }
            try {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (Migrations.Applied a : migrations.applied(db)) {
                    if (a.extension().equals(b.getSymbolicName())) {
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("version", a.version());
                        r.put("description", a.description());
                        r.put("applied_at", a.appliedAt() == null ? null : a.appliedAt().toString());
                        r.put("script", a.script().name());
                        rows.add(r);
                    }
                }
                if (!rows.isEmpty()) {
                    out.put(db.name(), rows);
                }
            } catch (MigrationException e) {
                out.put(db.name(), MigrationErrors.describe("reading the migrations of database " + db.name(), e));
            }
        }
        return out;
    }

    /** The configuration PIDs the extension declares in its metatype, with the console's link to each form. */
    private List<Map<String, Object>> settings(Bundle b) {
        MetaTypeService mts = metatype;
        List<Map<String, Object>> out = new ArrayList<>();
        if (mts == null || b.getState() == Bundle.UNINSTALLED) {
            return out;
        }
        MetaTypeInformation info = mts.getMetaTypeInformation(b);
        if (info == null) {
            return out;
        }
        for (String pid : info.getPids()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("pid", pid);
            s.put("link", "configMgr/" + pid);
            out.add(s);
        }
        return out;
    }

    static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            default -> "UNINSTALLED";
        };
    }

    /**
     * Why the extension does not run, or null: what it needs that no bundle provides (when it is not resolved), or
     * that it is stopped.
     */
    private static final String STOPPED_BY_OPERATOR =
            "stopped by the operator: its routes answer 503, after a restart too, until it is started";

    /** Held by serv.core's StoppedExtensions: at the start level Integer.MAX_VALUE, not marked to start. */
    private static boolean keptStopped(Bundle b) {
        BundleStartLevel level = b.adapt(BundleStartLevel.class);
        return level != null && level.getStartLevel() == Integer.MAX_VALUE && !level.isPersistentlyStarted();
    }

    private static boolean isFragment(Bundle b) {
        return b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
    }

    /** Why the extension does not run (wholly), or null; {@code own} are its routes. */
    String problem(Bundle b, List<RouteInfo> own) {
        if (b.getState() == Bundle.INSTALLED) {
            List<String> missing = new ArrayList<>();
            BundleRevision revision = b.adapt(BundleRevision.class);
            FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
            if (revision != null && wiring != null) {
                for (Requirement r : revision.getRequirements(null)) {
                    String resolution = r.getDirectives().get(Constants.RESOLUTION_DIRECTIVE);
                    String effective = r.getDirectives().get(Constants.EFFECTIVE_DIRECTIVE);
                    if (Constants.RESOLUTION_OPTIONAL.equals(resolution)
                            || (effective != null && !effective.equals(Constants.EFFECTIVE_RESOLVE))) {
                        continue;
                    }
                    if (wiring.findProviders(r).isEmpty()) {
                        missing.add(describe(r));
                    }
                }
            }
            if (!missing.isEmpty()) {
                return "not resolved: nothing provides " + String.join("; ", missing);
            }
            // One the operator stopped (before a restart, or before a new version of it came) is held by serv.core
            // (resolved within half a second); one nobody marked to start is not started, and nothing else is wrong.
            if (keptStopped(b)) {
                return STOPPED_BY_OPERATOR;
            }
            BundleStartLevel level = b.adapt(BundleStartLevel.class);
            return level != null && !level.isPersistentlyStarted() && !isFragment(b)
                    ? "installed, not started yet"
                    : "installed but not resolved";
        }
        if (b.getState() == Bundle.RESOLVED) {
            BundleStartLevel level = b.adapt(BundleStartLevel.class);
            return level != null && !level.isPersistentlyStarted() && !isFragment(b) ? STOPPED_BY_OPERATOR
                    : "stopped: its routes answer 503";
        }
        return b.getState() == Bundle.ACTIVE ? components(b, own) : null;
    }

    /**
     * What keeps the components of a started extension from running, from SCR: a route whose component failed to
     * activate (it answers 503), another component that failed to activate, one that waits for a service nobody
     * offers; and, from the dispatcher, a route that another one on its path and method shadows (it never answers
     * those), unless a higher service.ranking overrides it on purpose. Null when all run (or wait only for their configuration, which is how some are meant to be).
     */
    private String components(Bundle b, List<RouteInfo> own) {
        List<String> problems = new ArrayList<>();
        Set<String> reported = new HashSet<>();
        for (RouteInfo r : own) {
            // Its own component's failure; one of a middleware is the middleware's extension's problem.
            if (r.status() == RouteStatus.NOT_STARTED
                    && r.reason() != null && r.reason().startsWith("its component ")) {
                problems.add("route " + String.join(",", new TreeSet<>(r.methods())) + " " + r.path()
                        + " did not start: " + r.reason());
                reported.add(r.reason());
            } else if (r.status() == RouteStatus.SHADOWED && !r.overridden()) {
                // Another route on its path and method answers: this one never does until one of them moves. One
                // outranked by a higher service.ranking is overridden on purpose: the Routes page shows it, no more.
                problems.add("route " + String.join(",", new TreeSet<>(r.methods())) + " " + r.path()
                        + " is shadowed: " + r.reason());
            }
        }
        ServiceComponentRuntime runtime = scr;
        if (runtime != null) {
            for (ComponentDescriptionDTO d : runtime.getComponentDescriptionDTOs(b)) {
                for (ComponentConfigurationDTO c : runtime.getComponentConfigurationDTOs(d)) {
                    if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        String failure = c.failure == null ? "(no reason given)" : cause(c.failure);
                        // A route's is reported as the route's, in the words of the dispatcher's reason.
                        if (reported.add("its component " + d.name + " failed to activate: " + failure)) {
                            problems.add("component " + d.name + " failed to activate: " + failure);
                        }
                    } else if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE) {
                        List<String> waits = new ArrayList<>();
                        for (UnsatisfiedReferenceDTO u : c.unsatisfiedReferences) {
                            waits.add(u.name + " (" + referenceInterface(d, u.name)
                                    + (u.target == null ? "" : " " + u.target) + ")");
                        }
                        problems.add("component " + d.name + " waits for a service: " + String.join(", ", waits));
                    }
                }
            }
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /**
     * The exception that made an activation fail, from SCR's stack trace: its last "Caused by" (a constructor's
     * comes wrapped in an InvocationTargetException), else its first line; as serv.core's dispatcher says it of a
     * route, so that a route's failure is recognised here and reported once.
     */
    private static String cause(String failure) {
        String cause = failure.lines().findFirst().orElse("");
        for (String line : (Iterable<String>) failure.lines()::iterator) {
            if (line.startsWith("Caused by: ")) {
                cause = line.substring("Caused by: ".length());
            }
        }
        return cause;
    }

    private static String referenceInterface(ComponentDescriptionDTO d, String reference) {
        for (ReferenceDTO r : d.references) {
            if (r.name.equals(reference)) {
                return r.interfaceName;
            }
        }
        return "?";
    }

    private static String describe(Requirement r) {
        String filter = r.getDirectives().getOrDefault(Constants.FILTER_DIRECTIVE, "");
        String ns = r.getNamespace();
        String what = ns.equals("osgi.wiring.package") ? "package" : ns;
        java.util.regex.Matcher name = Pattern.compile("\\(" + Pattern.quote(ns) + "=([^)]*)\\)").matcher(filter);
        java.util.regex.Matcher low = Pattern.compile("\\(version>=([^)]*)\\)").matcher(filter);
        java.util.regex.Matcher high = Pattern.compile("\\(!\\(version>=([^)]*)\\)\\)").matcher(filter);
        if (name.find()) {
            String range = low.find() ? " " + low.group(1) + (high.find() ? " to below " + high.group(1) : "") : "";
            return what + " " + name.group(1) + range;
        }
        return what + " " + filter;
    }

    // ---- actions ------------------------------------------------------------------------------------------

    /**
     * What an upload did: the extension installed (or replaced), whether it is new, and whether it stays stopped: it
     * replaced a version the operator had stopped, and nobody started it since.
     */
    record Upload(Bundle bundle, boolean created, boolean keptStopped) {
    }

    /**
     * Installs an extension's jar, or replaces the deployed jar of its symbolic name, through the deploy folder
     * ({@link Deployments}).
     */
    Upload install(byte[] jar) throws ApiException {
        String bsn = BundleManifest.read(jar).symbolicName();
        boolean stoppedBefore = false;
        for (Bundle b : extensionBundles()) {
            stoppedBefore |= b.getSymbolicName().equals(bsn) && stoppedByOperator(b);
        }
        Deployments.Installed done = deployments.install(jar);
        Bundle b = done.bundle();
        BundleStartLevel level = b.adapt(BundleStartLevel.class);
        boolean keptStopped = stoppedBefore && b.getState() != Bundle.ACTIVE && b.getState() != Bundle.STARTING
                && level != null && !level.isPersistentlyStarted();
        return new Upload(b, done.created(), keptStopped);
    }

    /** Whether the operator stopped the extension (its problem says so): not marked to start, and not running. */
    private static boolean stoppedByOperator(Bundle b) {
        BundleStartLevel level = b.adapt(BundleStartLevel.class);
        return keptStopped(b) || b.getState() == Bundle.RESOLVED && level != null && !level.isPersistentlyStarted()
                && !isFragment(b);
    }

    /** The extension as the list shows it. */
    Map<String, Object> describe(Bundle b) {
        return describe(b, false);
    }

    /**
     * The extension an upload installed, as the list shows it; the new version of one the operator stopped says that
     * it stays stopped, from the moment it is there (serv.core holds it a moment later).
     */
    Map<String, Object> describe(Upload upload) {
        Map<String, Object> m = describe(upload.bundle(), false);
        if (upload.keptStopped()) {
            m.put("problem", STOPPED_BY_OPERATOR);
        }
        return m;
    }

    Map<String, Object> start(String idOrName) throws ApiException {
        refuseOwnPart(idOrName, "started");
        Bundle b = find(idOrName);
        // One the operator stopped before a restart is kept from starting by serv.core, at a start level the
        // framework never reaches; marked to start, it gets its own level back within half a second: wait for that.
        boolean held = b.adapt(BundleStartLevel.class).getStartLevel() > context.getBundle(0)
                .adapt(FrameworkStartLevel.class).getStartLevel();
        try {
            b.start();
        } catch (BundleException e) {
            throw ApiException.conflict("extension " + b.getSymbolicName() + " could not start: " + e.getMessage());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HELD_START_WAIT_S);
        while (held && b.getState() != Bundle.ACTIVE && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return describe(b, false);
    }

    Map<String, Object> stop(String idOrName) throws ApiException {
        refuseOwnPart(idOrName, "stopped");
        Bundle b = find(idOrName);
        try {
            b.stop();
        } catch (BundleException e) {
            throw ApiException.conflict("extension " + b.getSymbolicName() + " could not stop: " + e.getMessage());
        }
        return describe(b, false);
    }

    /** Removes a deployed extension: its jar leaves deploy/, FileInstall uninstalls it. */
    void uninstall(String idOrName) throws ApiException {
        refuseOwnPart(idOrName, "removed");
        deployments.uninstall(find(idOrName));
    }
}
