package serv.core.internal.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.service.metatype.AttributeDefinition;

import serv.core.config.Desired;
import serv.core.config.Snapshot;
import serv.core.config.Suggestions;
import serv.core.internal.tenant.TenantConfigCheck;
import serv.core.internal.tenant.TenantRegistry;

/**
 * {@code serv config validate}: a home's serv.config.yaml (with a profile's overlay) and etc/ checked without a
 * server, by the rules the server applies when it reads them: the files' own checks ({@link ApplicationFile},
 * {@link EtcDirectory}), unknown keys with the closest known one and values against the metatype of the bundles
 * ({@link ConfigChecker#problem}, as the console's form), {@code ${VAR}} references from the environment
 * ({@link EnvInterpolation}), then the checks of databases and tenants, and of the tenants beside each other and the
 * server's databases (the tenant registry's own rules, {@link TenantRegistry#offlineProblems}). Called by the command
 * line through a class loader over serv.jar's bundles, never inside the framework.
 */
public final class OfflineValidation {

    private static final Pattern UNRESOLVED = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.]*)}");

    private OfflineValidation() {
    }

    /**
     * What is wrong with the configuration of {@code home}, each line naming the file or configuration, the key and
     * the fix; empty when nothing is.
     *
     * @param profile the profile (SERV_PROFILE), or null
     * @param bundles the jars whose metatype describes the configurations (serv.jar's bundles, deploy/'s)
     * @param databases the check of a database's settings (serv.database's), given the resolved properties
     * @param env the environment's variables (and system properties) by name
     */
    public static List<String> problems(Path home, String profile, List<Path> bundles,
            Function<Map<String, ?>, List<String>> databases, UnaryOperator<String> env) throws IOException {
        Metatypes metatypes = Metatypes.of(bundles);
        List<String> out = new ArrayList<>();
        Map<String, String> definedIn = new HashMap<>();
        List<String> read = new ArrayList<>();
        Map<String, Snapshot> sources = new LinkedHashMap<>();
        sources.put("etc/", EtcDirectory.read(home.resolve(EtcDirectory.NAME)));
        sources.put(ApplicationFile.FILE, ApplicationFile.read(home, profile, read));
        // The tenants and databases whose own settings are right, as the server gets them: checked together below.
        List<Map<String, ?>> tenants = new ArrayList<>();
        Map<String, String> tenantSource = new HashMap<>();
        List<Map<String, ?>> servers = new ArrayList<>();
        boolean defaultConfigured = Files.exists(home.resolve(ConfigReconciler.DEFAULT_CONFIGURED));
        boolean allRead = true;
        for (Map.Entry<String, Snapshot> source : sources.entrySet()) {
            Snapshot s = source.getValue();
            for (String p : s.problems()) {
                out.add(p.startsWith("etc/") || p.startsWith(ApplicationFile.FILE) ? p : source.getKey() + ": " + p);
            }
            if (!s.valid()) {
                allRead = false;
                continue;
            }
            // a file that cannot be read may be the one that configures default (it is named, among the problems)
            allRead &= !s.held().contains(Desired.database("default", Map.of()).pid());
            for (Desired d : s.desired()) {
                String before = definedIn.putIfAbsent(d.pid(), source.getKey());
                if (before != null) {
                    out.add(d.label() + " is defined in " + before + " and in " + source.getKey() + "; " + before
                            + " wins: define it in one place");
                }
                Map<String, Object> resolved = new LinkedHashMap<>();
                List<String> problems = check(d, metatypes, databases, env, resolved);
                for (String p : problems) {
                    out.add(source.getKey() + ": " + labelled(d, p));
                }
                if (Desired.DATABASE.equals(d.factoryPid())) {
                    defaultConfigured |= d.name().equals("default");
                }
                if (!problems.isEmpty() || before != null) {
                    continue;
                }
                if (Desired.TENANT.equals(d.factoryPid())) {
                    tenants.add(resolved);
                    tenantSource.put(d.name(), source.getKey());
                } else if (Desired.DATABASE.equals(d.factoryPid())) {
                    servers.add(resolved);
                }
            }
        }
        if (!defaultConfigured && allRead) {
            // A new server's embedded default: what a schema tenant's data would go into, what no tenant may use.
            servers.add(Map.of("name", "default", "url", ConfigReconciler.DEFAULT_DATABASE_URL));
        }
        TenantRegistry.offlineProblems(home, tenants, servers).forEach((id, problems) -> {
            for (String p : problems) {
                out.add(tenantSource.get(id) + ": " + labelled(Desired.tenant(id, Map.of()), p));
            }
        });
        return new ArrayList<>(new LinkedHashSet<>(out));
    }

    /**
     * A problem of configuration {@code d}, said once with its label: the tenant checks' own words begin with it
     * already ("tenant acme: key ...", or "tenant: key 'id' ..." for an id that is not one).
     */
    static String labelled(Desired d, String problem) {
        String label = d.label();
        if (problem.startsWith(label + ": ")) {
            return problem;
        }
        if (Desired.TENANT.equals(d.factoryPid()) && problem.startsWith("tenant: ")) {
            return label + ": " + problem.substring("tenant: ".length());
        }
        return label + ": " + problem;
    }

    /** The problems of {@code d}'s own settings; its properties, references resolved, go to {@code resolved}. */
    private static List<String> check(Desired d, Metatypes metatypes, Function<Map<String, ?>, List<String>> databases,
            UnaryOperator<String> env, Map<String, Object> resolved) {
        List<String> out = new ArrayList<>();
        Map<String, AttributeDefinition> ads = metatypes.attributes(d.factoryPid() != null ? d.factoryPid()
                : d.name());
        for (Map.Entry<String, Object> e : d.properties().entrySet()) {
            if (e.getKey().startsWith(".") || e.getValue() == null || "".equals(e.getValue())) {
                continue;
            }
            if (!ads.isEmpty() && !ads.containsKey(e.getKey())) {
                out.add("unknown key '" + e.getKey() + "' (ignored)" + Suggestions.hint(e.getKey(), ads.keySet()));
                continue;
            }
            Object v = e.getValue();
            if (v instanceof String text && text.contains("${")) {
                v = EnvInterpolation.resolve(text, env);
                Matcher m = UNRESOLVED.matcher((String) v);
                if (m.find()) {
                    out.add("key '" + e.getKey() + "': environment variable " + m.group(1) + " is not set and has no"
                            + " default; set it, or write ${" + m.group(1) + ":default}");
                    continue;
                }
            }
            resolved.put(e.getKey(), v);
            AttributeDefinition ad = ads.get(e.getKey());
            if (ad != null && !(v instanceof Object[]) && !(v instanceof java.util.Collection)) {
                String problem = ConfigChecker.problem(ad, v.toString().strip());
                if (problem != null) {
                    out.add("key '" + e.getKey() + "': " + problem);
                }
            }
        }
        // The name or id is the configuration's, whatever its properties say (as the server applies it).
        if (Desired.DATABASE.equals(d.factoryPid())) {
            resolved.put("name", d.name());
        } else if (Desired.TENANT.equals(d.factoryPid())) {
            resolved.put("id", d.name());
        }
        if (out.isEmpty()) {
            if (Desired.DATABASE.equals(d.factoryPid())) {
                out.addAll(databases.apply(resolved));
            } else if (Desired.TENANT.equals(d.factoryPid())) {
                out.addAll(new TenantConfigCheck().problems(resolved));
            }
        }
        return out;
    }
}
