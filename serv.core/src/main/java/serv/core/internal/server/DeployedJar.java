package serv.core.internal.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.osgi.framework.Constants;
import org.osgi.framework.Version;

/**
 * A jar of {@code deploy/} as read: the extension it holds (symbolic name and version), or why it holds none
 * ({@link #problem}). {@link #choose} says which jar of an extension serves when the folder holds more than one.
 *
 * @param file the jar
 * @param symbolicName its Bundle-SymbolicName, or null when it is not a bundle
 * @param version its Bundle-Version
 * @param stamp its size and modification time when read: another stamp is other content
 * @param modified its modification time (ms)
 * @param problem why nothing is installed from it (not a zip, not a bundle), or null
 */
record DeployedJar(Path file, String symbolicName, Version version, String stamp, long modified, String problem) {

    /** How an operator makes a bundle of a plain jar: said with every jar of deploy/ that is none. */
    static final String HOW_TO_BUILD = "an extension is an OSGi bundle: make one with `serv create extension` (the"
            + " guide: docs/extensions.md)";

    /** Of two jars of one extension, the one that serves first: the higher version, then the one copied last. */
    static final Comparator<DeployedJar> SERVES_FIRST = Comparator.comparing(DeployedJar::version)
            .thenComparingLong(DeployedJar::modified)
            .thenComparing(j -> j.file().getFileName().toString())
            .reversed();

    /** The jar as it is now; never throws (what cannot be read is a problem). */
    static DeployedJar read(Path file) {
        String stamp;
        long modified;
        try {
            modified = Files.getLastModifiedTime(file).toMillis();
            stamp = Files.size(file) + "@" + modified;
        } catch (IOException e) {
            return new DeployedJar(file, null, Version.emptyVersion, "", 0, "it cannot be read (" + e + ")");
        }
        try (JarFile jar = new JarFile(file.toFile(), false)) {
            Manifest manifest = jar.getManifest();
            Attributes main = manifest == null ? null : manifest.getMainAttributes();
            String bsn = main == null ? null : main.getValue(Constants.BUNDLE_SYMBOLICNAME);
            if (bsn == null || bsn.split(";")[0].isBlank()) {
                return new DeployedJar(file, null, Version.emptyVersion, stamp, modified, "it is not an OSGi bundle"
                        + " (its manifest has no Bundle-SymbolicName: a plain library or an application jar), so"
                        + " nothing is installed from it; " + HOW_TO_BUILD + "; remove it from deploy/");
            }
            Version version;
            try {
                String v = main.getValue(Constants.BUNDLE_VERSION);
                version = v == null ? Version.emptyVersion : Version.parseVersion(v.strip());
            } catch (IllegalArgumentException e) {
                return new DeployedJar(file, null, Version.emptyVersion, stamp, modified, "its Bundle-Version is not"
                        + " an OSGi version (" + e.getMessage() + "), so nothing is installed from it; fix the"
                        + " version and build it again");
            }
            return new DeployedJar(file, bsn.split(";")[0].strip(), version, stamp, modified, null);
        } catch (IOException | SecurityException e) {
            return new DeployedJar(file, null, Version.emptyVersion, stamp, modified, "it is not a whole jar (not a"
                    + " zip archive, or cut short: " + e.getMessage() + "), so nothing is installed from it; copy"
                    + " it again (to a name starting with a dot, then rename it) or remove it");
        }
    }

    /** Whether it holds a bundle. */
    boolean bundle() {
        return symbolicName != null;
    }

    /** The jar's name as the operator sees it ({@code deploy/x.jar}). */
    String shown() {
        return "deploy/" + file.getFileName();
    }

    /** The bundles among {@code jars}, by symbolic name, each list with the jar that serves first. */
    static Map<String, List<DeployedJar>> byExtension(Collection<DeployedJar> jars) {
        Map<String, List<DeployedJar>> out = new TreeMap<>();
        for (DeployedJar j : jars) {
            if (j.bundle()) {
                out.computeIfAbsent(j.symbolicName(), k -> new ArrayList<>()).add(j);
            }
        }
        out.values().forEach(l -> l.sort(SERVES_FIRST));
        return out;
    }

    /**
     * The one WARN line (and /health warning) for an extension held by more than one jar: which serves, and the
     * fix. {@code jars} in {@link #SERVES_FIRST} order.
     */
    static String duplicate(String symbolicName, List<DeployedJar> jars) {
        DeployedJar serving = jars.get(0);
        List<String> names = jars.stream().map(DeployedJar::shown).toList();
        boolean sameVersion = jars.get(1).version().equals(serving.version());
        return String.join(" and ", names) + (jars.size() == 2 ? " are both" : " are all") + " extension " + symbolicName + " ("
                + String.join(", ", jars.stream().map(j -> j.version().toString()).toList()) + "): "
                + serving.shown() + " serves, as the " + (sameVersion ? "one copied last" : "highest version")
                + ", the other" + (jars.size() > 2 ? "s are" : " is") + " not installed; remove one of "
                + String.join(", ", names);
    }
}
