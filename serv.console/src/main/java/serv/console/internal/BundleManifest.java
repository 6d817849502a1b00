package serv.console.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

import serv.console.internal.HeaderClauses.Clause;

/**
 * An extension's jar checked as the framework reads it when FileInstall installs it, before anything is written to
 * deploy/: a jar the framework refuses would stay there, refused again with an ERROR at every start, while the upload
 * waited for an install that never came. What is wrong is a 400 naming the header and the fix.
 *
 * <p>The framework's own manifest parser is internal to it (no OSGi API reaches it), so this follows the Core
 * specification: the common header syntax (clauses of names, {@code attribute=value}, {@code directive:=value} and
 * typed {@code attribute:Type=value}), symbolic names ({@code token('.'token)*}), package names (Java identifiers
 * separated by '.'), versions and version ranges, filters; and what Felix refuses besides: a manifest version other
 * than 2, a package imported twice, an export of {@code java.*}, an export naming a bundle, the {@code osgi.wiring.*}
 * namespaces in Require- or Provide-Capability, {@code osgi.ee} and {@code osgi.native} capabilities, a fragment
 * with more than one host. Headers the framework does not read at install (Bundle-NativeCode is matched at resolve)
 * are not checked.
 */
final class BundleManifest {

    /** The bundle a manifest describes. */
    record Identity(String symbolicName, Version version) {
    }

    private static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*");
    private static final Pattern LIST_TYPE = Pattern.compile("List(?:\\s*<\\s*(\\w+)\\s*>)?");
    private static final Set<String> SCALAR_TYPES = Set.of("String", "Version", "Long", "Double");
    private static final String NAME_FIX = "use letters, digits, '_' and '-', in parts separated by '.' (as in"
            + " com.example.notes)";
    private static final String VERSION_FIX = "give up to three numbers separated by '.' and then a qualifier, as"
            + " in 1.0.0 or 1.2.0.beta";
    private static final String RANGE_FIX = "give a version range, as in \"[1.2,2)\", or a version (that one and"
            + " above)";

    private BundleManifest() {
    }

    /** The identity of the bundle in {@code jar}, once its manifest and the jar itself are as the framework takes. */
    static Identity read(byte[] jar) throws ApiException {
        Manifest manifest;
        int entries = 0;
        // Not verified: the framework does not check signatures either (it runs without a security manager).
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar), false)) {
            manifest = in.getManifest();
            byte[] buffer = new byte[8192];
            for (JarEntry e; (e = in.getNextJarEntry()) != null; entries++) {
                if (manifest == null && e.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME)) {
                    manifest = new Manifest(in); // not among the first entries, where JarInputStream looks
                }
                while (in.read(buffer) >= 0) {
                    // read every entry whole: a jar cut short or corrupt is found here, not by the framework
                }
            }
        } catch (IOException | RuntimeException e) {
            throw ApiException.badRequest("the body is not a whole jar (" + Echo.cut(e.getMessage())
                    + "): send the extension's jar as it was built");
        }
        if (entries == 0 && manifest == null) {
            throw ApiException.badRequest("the body is not a jar: send the extension's jar as the body (Content-Type:"
                    + " application/java-archive)");
        }
        if (!endsWithDirectory(jar)) {
            throw ApiException.badRequest("the jar is cut short: it has no central directory at its end; send the"
                    + " extension's jar as it was built");
        }
        if (manifest == null) {
            throw ApiException.badRequest("the jar is not an OSGi bundle: it has no META-INF/MANIFEST.MF; build it"
                    + " with bnd (or a plugin that uses it), which writes one");
        }
        return check(manifest.getMainAttributes());
    }

    /** Whether the jar ends with a zip's end of central directory record (in its last 64 KiB and 22 bytes). */
    private static boolean endsWithDirectory(byte[] jar) {
        for (int i = jar.length - 22; i >= 0 && i >= jar.length - 22 - 0xFFFF; i--) {
            if (jar[i] == 0x50 && jar[i + 1] == 0x4b && jar[i + 2] == 0x05 && jar[i + 3] == 0x06) {
                return true;
            }
        }
        return false;
    }

    /** The identity of the bundle the main attributes of a manifest describe, once they are as the framework takes. */
    static Identity check(Attributes main) throws ApiException {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER); // as the framework reads them
        main.forEach((k, v) -> headers.put(k.toString(), v.toString()));

        String manifestVersion = headers.get(Constants.BUNDLE_MANIFESTVERSION);
        String bsnHeader = headers.get(Constants.BUNDLE_SYMBOLICNAME);
        if (bsnHeader == null || bsnHeader.isBlank()) {
            throw ApiException.badRequest("the jar is not an OSGi bundle: its manifest has no Bundle-SymbolicName;"
                    + " give it one, as in com.example.notes (bnd writes it from the project)");
        }
        if (manifestVersion == null || !manifestVersion.strip().equals("2")) {
            throw refuse(Constants.BUNDLE_MANIFESTVERSION, manifestVersion == null ? "missing"
                    : "'" + Echo.cut(manifestVersion) + "' is not a manifest version the framework takes",
                    "give 2 (an OSGi R4 bundle or later; bnd writes it)");
        }
        List<Clause> bsn = clauses(Constants.BUNDLE_SYMBOLICNAME, bsnHeader);
        if (bsn.size() != 1 || bsn.get(0).paths.size() != 1) {
            throw refuse(Constants.BUNDLE_SYMBOLICNAME, "'" + Echo.cut(bsnHeader) + "' names more than one bundle",
                    "give one symbolic name");
        }
        String name = bsn.get(0).paths.get(0);
        if (!isSymbolicName(name)) {
            throw refuse(Constants.BUNDLE_SYMBOLICNAME, "'" + Echo.cut(name) + "' is not a symbolic name", NAME_FIX);
        }
        typed(Constants.BUNDLE_SYMBOLICNAME, bsn.get(0));

        Version version = Version.emptyVersion;
        String v = headers.get(Constants.BUNDLE_VERSION);
        if (v != null) {
            version = version(Constants.BUNDLE_VERSION, null, v);
        }

        boolean extension = fragmentHost(headers);
        if (extension) {
            for (String h : List.of(Constants.REQUIRE_BUNDLE, Constants.BUNDLE_NATIVECODE,
                    Constants.DYNAMICIMPORT_PACKAGE, Constants.BUNDLE_ACTIVATOR)) {
                if (headers.containsKey(h)) {
                    throw refuse(h, "a framework extension (Fragment-Host: system.bundle) cannot have it",
                            "remove it, or make the bundle a fragment of another bundle");
                }
            }
        }
        requireBundle(headers.get(Constants.REQUIRE_BUNDLE));
        imports(headers.get(Constants.IMPORT_PACKAGE));
        dynamicImports(headers.get(Constants.DYNAMICIMPORT_PACKAGE));
        exports(headers.get(Constants.EXPORT_PACKAGE));
        capabilities(Constants.REQUIRE_CAPABILITY, headers.get(Constants.REQUIRE_CAPABILITY));
        capabilities(Constants.PROVIDE_CAPABILITY, headers.get(Constants.PROVIDE_CAPABILITY));
        if (headers.get(Constants.BUNDLE_ACTIVATIONPOLICY) != null) {
            clauses(Constants.BUNDLE_ACTIVATIONPOLICY, headers.get(Constants.BUNDLE_ACTIVATIONPOLICY));
        }
        return new Identity(name, version);
    }

    /** Whether {@code name} is a symbolic name: {@code token('.'token)*}, a token of letters, digits, '_' and '-'. */
    static boolean isSymbolicName(String name) {
        return name != null && SYMBOLIC_NAME.matcher(name).matches();
    }

    /** Whether {@code name} is a package name: Java identifiers separated by '.'. */
    static boolean isPackageName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (String part : name.split("\\.", -1)) {
            if (part.isEmpty() || !Character.isJavaIdentifierStart(part.codePointAt(0))
                    || !part.codePoints().skip(1).allMatch(Character::isJavaIdentifierPart)) {
                return false;
            }
        }
        return true;
    }

    /** Checks Fragment-Host; true when the bundle is a framework extension. */
    private static boolean fragmentHost(Map<String, String> headers) throws ApiException {
        String header = headers.get(Constants.FRAGMENT_HOST);
        if (header == null) {
            return false;
        }
        List<Clause> host = clauses(Constants.FRAGMENT_HOST, header);
        if (host.size() != 1 || host.get(0).paths.size() != 1) {
            throw refuse(Constants.FRAGMENT_HOST, "'" + Echo.cut(header) + "' names more than one host",
                    "a fragment has one host: give its symbolic name");
        }
        Clause c = host.get(0);
        String name = c.paths.get(0);
        if (!isSymbolicName(name)) {
            throw refuse(Constants.FRAGMENT_HOST, "'" + Echo.cut(name) + "' is not a symbolic name", NAME_FIX);
        }
        bundleVersion(Constants.FRAGMENT_HOST, name, c);
        String extension = c.directives.get(Constants.EXTENSION_DIRECTIVE);
        boolean framework = name.equals(Constants.SYSTEM_BUNDLE_SYMBOLICNAME)
                || name.equals("org.apache.felix.framework");
        if (extension != null && !framework) {
            throw refuse(Constants.FRAGMENT_HOST, "extension:= is for fragments of the framework (system.bundle),"
                    + " not of " + Echo.cut(name), "remove the directive");
        }
        if (extension != null && !extension.equals(Constants.EXTENSION_FRAMEWORK)
                && !extension.equals(Constants.EXTENSION_BOOTCLASSPATH)) {
            throw refuse(Constants.FRAGMENT_HOST, "extension:='" + Echo.cut(extension) + "' is not an extension"
                    + " kind", "give extension:=framework or extension:=bootclasspath");
        }
        return framework;
    }

    private static void requireBundle(String header) throws ApiException {
        if (header == null) {
            return;
        }
        for (Clause c : clauses(Constants.REQUIRE_BUNDLE, header)) {
            for (String name : c.paths) {
                if (!isSymbolicName(name)) {
                    throw refuse(Constants.REQUIRE_BUNDLE, "'" + Echo.cut(name) + "' is not a symbolic name",
                            NAME_FIX);
                }
                bundleVersion(Constants.REQUIRE_BUNDLE, name, c);
            }
        }
    }

    private static void imports(String header) throws ApiException {
        if (header == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (Clause c : clauses(Constants.IMPORT_PACKAGE, header)) {
            for (String pkg : c.paths) {
                packageName(Constants.IMPORT_PACKAGE, pkg);
                if (!seen.add(pkg)) {
                    throw refuse(Constants.IMPORT_PACKAGE, "package " + Echo.cut(pkg) + " is imported twice",
                            "import each package once");
                }
                packageVersion(Constants.IMPORT_PACKAGE, pkg, c, true);
                bundleVersion(Constants.IMPORT_PACKAGE, pkg, c);
            }
        }
    }

    private static void dynamicImports(String header) throws ApiException {
        if (header == null) {
            return;
        }
        for (Clause c : clauses(Constants.DYNAMICIMPORT_PACKAGE, header)) {
            for (String pkg : c.paths) {
                String name = pkg.endsWith(".*") ? pkg.substring(0, pkg.length() - 2) : pkg;
                if (!pkg.equals("*") && !isPackageName(name)) {
                    throw refuse(Constants.DYNAMICIMPORT_PACKAGE, "'" + Echo.cut(pkg) + "' is not a package name"
                            + " or pattern", "give a package name, one that ends with .* (its subpackages), or *");
                }
                packageVersion(Constants.DYNAMICIMPORT_PACKAGE, pkg, c, true);
                bundleVersion(Constants.DYNAMICIMPORT_PACKAGE, pkg, c);
            }
        }
    }

    private static void exports(String header) throws ApiException {
        if (header == null) {
            return;
        }
        for (Clause c : clauses(Constants.EXPORT_PACKAGE, header)) {
            for (String pkg : c.paths) {
                packageName(Constants.EXPORT_PACKAGE, pkg);
                if (pkg.startsWith("java.")) {
                    throw refuse(Constants.EXPORT_PACKAGE, "package " + Echo.cut(pkg) + " is one of Java's own",
                            "only the framework exports java.* packages: remove it");
                }
                packageVersion(Constants.EXPORT_PACKAGE, pkg, c, false);
                if (c.attributes.containsKey(Constants.BUNDLE_SYMBOLICNAME_ATTRIBUTE)
                        || c.attributes.containsKey(Constants.BUNDLE_VERSION_ATTRIBUTE)) {
                    throw refuse(Constants.EXPORT_PACKAGE, "package " + Echo.cut(pkg) + " names a bundle"
                            + " (bundle-symbolic-name or bundle-version)", "remove them: an export is the exporting"
                            + " bundle's");
                }
            }
        }
    }

    private static void capabilities(String header, String value) throws ApiException {
        if (value == null) {
            return;
        }
        boolean provide = header.equals(Constants.PROVIDE_CAPABILITY);
        for (Clause c : clauses(header, value)) {
            for (String namespace : c.paths) {
                if (!isSymbolicName(namespace)) {
                    throw refuse(header, "'" + Echo.cut(namespace) + "' is not a namespace", "give one such as"
                            + " osgi.extender or osgi.service");
                }
                if (namespace.startsWith("osgi.wiring.")) {
                    throw refuse(header, "namespace " + namespace + " is not used here", "use Import-Package,"
                            + " Export-Package, Require-Bundle or Fragment-Host");
                }
                if (provide && (namespace.startsWith("osgi.ee") || namespace.startsWith("osgi.native"))) {
                    throw refuse(header, "namespace " + namespace + " is the framework's to provide",
                            "remove it");
                }
            }
            String filter = c.directives.get(Constants.FILTER_DIRECTIVE);
            if (!provide && filter != null) {
                try {
                    FrameworkUtil.createFilter(filter);
                } catch (InvalidSyntaxException e) {
                    throw refuse(header, "filter:='" + Echo.cut(filter) + "' is not a filter", "give an LDAP"
                            + " filter, as in (&(osgi.extender=osgi.component)(version>=1.5))");
                }
            }
            typed(header, c);
        }
    }

    private static void packageName(String header, String pkg) throws ApiException {
        if (!isPackageName(pkg)) {
            throw refuse(header, "'" + Echo.cut(pkg) + "' is not a package name", "give Java identifiers"
                    + " separated by '.', as in com.example.notes");
        }
    }

    /** The version (an export's) or version range (an import's) of a package, and specification-version. */
    private static void packageVersion(String header, String pkg, Clause c, boolean range) throws ApiException {
        String v = c.attributes.get(Constants.VERSION_ATTRIBUTE);
        @SuppressWarnings("deprecation")
        String sv = c.attributes.get(Constants.PACKAGE_SPECIFICATION_VERSION);
        if (v != null && sv != null && !v.strip().equals(sv.strip())) {
            throw refuse(header, "package " + Echo.cut(pkg) + " has both version and specification-version, and"
                    + " they differ", "give version alone");
        }
        String given = v != null ? v : sv;
        if (given == null) {
            return;
        }
        if (range) {
            range(header, "package " + pkg, "version", given);
        } else {
            version(header, "package " + pkg + ": version", given);
        }
    }

    private static void bundleVersion(String header, String name, Clause c) throws ApiException {
        String v = c.attributes.get(Constants.BUNDLE_VERSION_ATTRIBUTE);
        if (v != null) {
            range(header, Echo.cut(name), Constants.BUNDLE_VERSION_ATTRIBUTE, v);
        }
    }

    private static Version version(String header, String where, String value) throws ApiException {
        try {
            return Version.parseVersion(value);
        } catch (IllegalArgumentException e) {
            throw refuse(header, (where == null ? "" : Echo.cut(where) + " ") + "'" + Echo.cut(value) + "' is not a"
                    + " version", VERSION_FIX);
        }
    }

    private static void range(String header, String where, String attribute, String value) throws ApiException {
        try {
            new VersionRange(value);
        } catch (IllegalArgumentException e) {
            throw refuse(header, Echo.cut(where) + ": " + attribute + " '" + Echo.cut(value) + "' is not a version"
                    + " range", RANGE_FIX);
        }
    }

    /** The typed attributes of a clause ({@code name:Type=value}) have values of their type. */
    private static void typed(String header, Clause c) throws ApiException {
        for (Map.Entry<String, String> t : c.types.entrySet()) {
            String key = t.getKey();
            String type = t.getValue();
            Matcher list = LIST_TYPE.matcher(type);
            String scalar = list.matches() ? (list.group(1) == null ? "String" : list.group(1)) : type;
            if (!SCALAR_TYPES.contains(scalar)) {
                throw refuse(header, "attribute " + Echo.cut(key) + " has the type '" + Echo.cut(type) + "'",
                        "give String, Version, Long, Double or a List<> of one of them");
            }
            String value = c.attributes.get(key);
            for (String one : list.matches() ? List.of(value.split("(?<!\\\\),", -1)) : List.of(value)) {
                try {
                    switch (scalar) {
                        case "Version" -> new Version(one.strip());
                        case "Long" -> Long.parseLong(one.strip());
                        case "Double" -> Double.parseDouble(one.strip());
                        default -> {
                            // any text
                        }
                    }
                } catch (IllegalArgumentException e) {
                    throw refuse(header, "attribute " + Echo.cut(key) + ": '" + Echo.cut(one.strip()) + "' is not a "
                            + scalar, "give a value of its type, or change the type");
                }
            }
        }
    }

    /** The clauses of a header; its syntax is a 400 when wrong. */
    private static List<Clause> clauses(String header, String value) throws ApiException {
        try {
            return HeaderClauses.parse(value);
        } catch (HeaderClauses.Invalid e) {
            throw refuse(header, e.problem(), e.fix());
        }
    }

    private static ApiException refuse(String header, String problem, String fix) {
        return ApiException.badRequest("the jar's manifest is not one the framework installs: " + header + ": "
                + problem + "; " + fix + " (nothing was installed)");
    }
}
