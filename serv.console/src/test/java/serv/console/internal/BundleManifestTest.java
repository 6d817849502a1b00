package serv.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.felix.framework.Logger;
import org.apache.felix.framework.util.manifestparser.ManifestParser;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;

class BundleManifestTest {

    /** A manifest as bnd writes one, with {@code changes} over it (a null value removes a header). */
    private static Attributes manifest(String... changes) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Manifest-Version", "1.0");
        headers.put("Bundle-ManifestVersion", "2");
        headers.put("Bundle-SymbolicName", "com.example.notes");
        headers.put("Bundle-Version", "1.0.0");
        headers.put("Import-Package", "serv.core;version=\"[1.0,2)\",serv.database;version=\"[1.4,2)\"");
        for (int i = 0; i < changes.length; i += 2) {
            if (changes[i + 1] == null) {
                headers.remove(changes[i]);
            } else {
                headers.put(changes[i], changes[i + 1]);
            }
        }
        Attributes a = new Attributes();
        headers.forEach(a::putValue);
        return a;
    }

    private static ApiException refused(String... changes) {
        return assertThrows(ApiException.class, () -> BundleManifest.check(manifest(changes)),
                Arrays.toString(changes));
    }

    /** Whether Felix's own parser (the framework's, as FileInstall's install runs it) refuses the manifest. */
    private static String felixRefuses(Attributes a) {
        Map<String, Object> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        a.forEach((k, v) -> headers.put(k.toString(), v.toString()));
        try {
            new ManifestParser(new Logger(), Map.of(), null, headers);
            return null;
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void aManifestAsBndWritesItIsTaken() throws ApiException {
        BundleManifest.Identity id = BundleManifest.check(manifest(
                "Bundle-SymbolicName", "com.example.notes;singleton:=true",
                "Bundle-Version", "1.2.3.SNAPSHOT",
                "Export-Package", "com.example.notes.api;uses:=\"serv.core,com.example.notes.model\";version=\"1.2.0\","
                        + "com.example.notes.model;version=\"1.0\"",
                "Import-Package", "com.example.notes.api;version=\"[1.2,1.3)\",javax.sql,org.slf4j;version=\"[2.0,3)\";"
                        + "resolution:=optional,serv.core;version=\"[1.0,2)\"",
                "DynamicImport-Package", "*,com.example.plugins.*",
                "Require-Capability", "osgi.extender;filter:=\"(&(osgi.extender=osgi.component)(version>=1.5.0)"
                        + "(!(version>=2.0.0)))\",osgi.ee;filter:=\"(&(osgi.ee=JavaSE)(version=17))\"",
                "Provide-Capability", "osgi.service;objectClass:List<String>=\"serv.core.Handler\";uses:=\"serv.core\","
                        + "serv.ext;serv.ext=notes;version:Version=\"1.2.3\";rank:Long=3;weight:Double=\"0.5\"",
                "Bundle-ActivationPolicy", "lazy",
                "Require-Bundle", "com.example.base;bundle-version=\"[1,2)\";visibility:=reexport"));
        assertEquals(new BundleManifest.Identity("com.example.notes", new Version(1, 2, 3, "SNAPSHOT")), id);
        assertEquals(new BundleManifest.Identity("com.example.notes", Version.emptyVersion),
                BundleManifest.check(manifest("Bundle-Version", null)));
        assertEquals("com.example.notes", BundleManifest.check(manifest("Fragment-Host",
                "com.example.host;bundle-version=\"[1.0,2.0)\"")).symbolicName());
    }

    @Test
    void aBadVersionIsA400NamingTheHeaderAndTheFix() {
        ApiException e = refused("Bundle-Version", "abc");
        assertEquals(400, e.status());
        assertEquals("the jar's manifest is not one the framework installs: Bundle-Version: 'abc' is not a version;"
                + " give up to three numbers separated by '.' and then a qualifier, as in 1.0.0 or 1.2.0.beta (nothing"
                + " was installed)", e.getMessage());
        assertTrue(refused("Bundle-Version", "1.0.0-SNAPSHOT").getMessage().contains("Bundle-Version: '1.0.0-SNAPSHOT'"
                + " is not a version"));
        String range = refused("Import-Package", "com.x;version=\"[1.0,2\"").getMessage();
        assertTrue(range.contains("Import-Package: package com.x: version '[1.0,2' is not a version range; give a"
                + " version range, as in \"[1.2,2)\""), range);
    }

    @Test
    void aSymbolicNameFollowsTheSpecificationsSyntax() {
        assertTrue(refused("Bundle-SymbolicName", null).getMessage().startsWith("the jar is not an OSGi bundle: its"
                + " manifest has no Bundle-SymbolicName"));
        for (String bad : List.of("a b", ".hidden", "a..b", "a.", "../../etc/x", "x/y", "caf\u00e9", "a\u0000b")) {
            String m = refused("Bundle-SymbolicName", bad).getMessage();
            assertTrue(m.contains("Bundle-SymbolicName: '") && m.contains("' is not a symbolic name; use letters,"
                    + " digits, '_' and '-', in parts separated by '.'"), m);
        }
        assertTrue(refused("Bundle-SymbolicName", "a, b").getMessage().contains("names more than one bundle"));
        String longName = refused("Bundle-SymbolicName", "x ".repeat(50_000)).getMessage();
        assertTrue(longName.length() < 400, longName);
        assertTrue(refused("Bundle-ManifestVersion", null).getMessage().contains("Bundle-ManifestVersion: missing;"
                + " give 2"));
    }

    /** What the framework's parser refuses, the check refuses (before the jar is written to deploy/). */
    @Test
    void whatTheFrameworkRefusesIsRefusedFirst() {
        List<String[]> refusedByFelix = List.of(
                new String[] { "Bundle-Version", "abc" },
                new String[] { "Bundle-Version", "1.0.0-SNAPSHOT" },
                new String[] { "Bundle-Version", "1.2.3.4.5" },
                new String[] { "Bundle-ManifestVersion", "3" },
                new String[] { "Bundle-ManifestVersion", "1" },
                new String[] { "Bundle-SymbolicName", null },
                new String[] { "Bundle-SymbolicName", "a, b" },
                new String[] { "Bundle-SymbolicName", "a;b" },
                new String[] { "Import-Package", "com.x;version=\"abc\"" },
                new String[] { "Import-Package", "com.x;version=\"[1,2\"" },
                new String[] { "Import-Package", "com.x,com.x" },
                new String[] { "Import-Package", "com.x;com.x;version=1" },
                new String[] { "Import-Package", "." },
                new String[] { "Import-Package", "com.x," },
                new String[] { "Import-Package", "" },
                new String[] { "Import-Package", "com.x;version=1;version=2" },
                new String[] { "Import-Package", "com.x;version=\"1" },
                new String[] { "Import-Package", "com.x;version=1;specification-version=2" },
                new String[] { "Import-Package", "com.x;bundle-version=\"x\"" },
                new String[] { "Export-Package", "java.lang.extra" },
                new String[] { "Export-Package", "com.x;version=abc" },
                new String[] { "Export-Package", "com.x;version=\"[1,2)\"" },
                new String[] { "Export-Package", "com.x;bundle-version=1" },
                new String[] { "Export-Package", "com.x;bundle-symbolic-name=a" },
                new String[] { "Export-Package", "" },
                new String[] { "DynamicImport-Package", "com.x*" },
                new String[] { "DynamicImport-Package", "com.x;version=abc" },
                new String[] { "Require-Bundle", "a;bundle-version=\"[1,\"" },
                new String[] { "Fragment-Host", "a, b" },
                new String[] { "Fragment-Host", "a;b" },
                new String[] { "Fragment-Host", "a;bundle-version=x" },
                new String[] { "Fragment-Host", "a;extension:=framework" },
                new String[] { "Fragment-Host", "system.bundle;extension:=foo" },
                new String[] { "Require-Capability", "osgi.wiring.package;filter:=\"(osgi.wiring.package=x)\"" },
                new String[] { "Require-Capability", "osgi.extender;filter:=\"(osgi.extender=x\"" },
                new String[] { "Provide-Capability", "osgi.wiring.package;osgi.wiring.package=x" },
                new String[] { "Provide-Capability", "osgi.ee;osgi.ee=JavaSE" },
                new String[] { "Provide-Capability", "osgi.native;osgi.native.osname=Linux" },
                new String[] { "Provide-Capability", "a;v:Version=abc" },
                new String[] { "Provide-Capability", "a;v:Long=x" },
                new String[] { "Provide-Capability", "a;v:Double=x" },
                new String[] { "Provide-Capability", "a;v:Integer=1" },
                new String[] { "Provide-Capability", "a;v:List<Integer>=1" },
                new String[] { "Provide-Capability", "a;v:List<Long>=\"1,x\"" });
        List<String> missed = new ArrayList<>();
        for (String[] change : refusedByFelix) {
            Attributes a = manifest(change);
            assertTrue(felixRefuses(a) != null, "Felix takes " + Arrays.toString(change) + ": not a case");
            try {
                BundleManifest.check(a);
                missed.add(Arrays.toString(change) + " (Felix: " + felixRefuses(a) + ")");
            } catch (ApiException e) {
                assertEquals(400, e.status());
            }
        }
        assertEquals(List.of(), missed);
        // And the framework extension that may not have an activator.
        Attributes extension = manifest("Fragment-Host", "system.bundle;extension:=framework", "Bundle-Activator",
                "com.example.A");
        assertTrue(felixRefuses(extension) != null);
        assertThrows(ApiException.class, () -> BundleManifest.check(extension));
    }

    /** What the check takes, the framework takes: no valid extension is refused. */
    @Test
    void whatTheCheckTakesTheFrameworkTakes() throws ApiException {
        List<String[]> taken = List.of(
                new String[] {},
                new String[] { "Bundle-Version", "1" },
                new String[] { "Bundle-Version", " 1.2 " },
                new String[] { "Bundle-SymbolicName", "com.example.notes;singleton:=true;fragment-attachment:=never" },
                new String[] { "Bundle-SymbolicName", "a-b_c.1" },
                new String[] { "Import-Package", "com.x;version=\"[1,2)\";resolution:=optional,com.y;version=1.2" },
                new String[] { "Import-Package", "com.x;com.y;version=\"[1,2)\"" },
                new String[] { "Import-Package", "java.util.function,com.\u00e9t\u00e9" },
                new String[] { "Export-Package", "com.x;version=1.0.0;uses:=\"com.y,com.z\";mandatory:=\"a\";a=b" },
                new String[] { "Export-Package", "com.x;com.y;version=1;specification-version=1" },
                new String[] { "DynamicImport-Package", "*" },
                new String[] { "Fragment-Host", "com.example.host;bundle-version=1.0" },
                new String[] { "Fragment-Host", "system.bundle;extension:=framework" },
                new String[] { "Require-Capability", "osgi.ee;filter:=\"(&(osgi.ee=JavaSE)(version=17))\"" },
                new String[] { "Provide-Capability", "a;v:List<Version>=\"1.0,2.0\";w:List=\"x,y\";x:String=y" });
        for (String[] change : taken) {
            Attributes a = manifest(change);
            BundleManifest.check(a);
            assertEquals(null, felixRefuses(a), Arrays.toString(change));
        }
    }

    /** Where the specification is stricter than Felix, the check follows the specification. */
    @Test
    void theSpecificationsSyntaxIsFollowedWhereFelixIsLenient() {
        for (String[] change : List.of(new String[] { "Bundle-SymbolicName", "a b" },
                new String[] { "Bundle-SymbolicName", ".hidden" }, new String[] { "Import-Package", "1com.x" },
                new String[] { "Import-Package", "com.x;version=1;com.y" })) {
            refused(change);
        }
    }

    // ---- the jar ------------------------------------------------------------------------------------------

    private static byte[] jar(Attributes main, boolean manifestFirst) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Manifest m = new Manifest();
        m.getMainAttributes().putAll(main);
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            if (!manifestFirst) {
                zip.putNextEntry(new ZipEntry("com/example/notes/A.class"));
                zip.write(new byte[] { (byte) 0xCA, (byte) 0xFE });
            }
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            m.write(zip);
            zip.putNextEntry(new ZipEntry("serv/migrations/default/V001__notes.sql"));
            zip.write("CREATE TABLE notes (id INT);".getBytes());
        }
        return out.toByteArray();
    }

    @Test
    void theJarIsReadWholeAndItsManifestFoundWhereverItIs() throws Exception {
        assertEquals("com.example.notes", BundleManifest.read(jar(manifest(), true)).symbolicName());
        assertEquals("com.example.notes", BundleManifest.read(jar(manifest(), false)).symbolicName());
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (JarOutputStream j = new JarOutputStream(plain, new Manifest())) {
            j.putNextEntry(new ZipEntry("a.txt"));
        }
        assertTrue(assertThrows(ApiException.class, () -> BundleManifest.read(plain.toByteArray())).getMessage()
                .startsWith("the jar is not an OSGi bundle: its manifest has no Bundle-SymbolicName"));

        assertEquals("the body is not a jar: send the extension's jar as the body (Content-Type:"
                + " application/java-archive)", assertThrows(ApiException.class, () -> BundleManifest.read(
                        "not a jar".getBytes())).getMessage());
        byte[] whole = jar(manifest(), true);
        for (int cut : new int[] { whole.length - 10, whole.length / 2 }) {
            ApiException e = assertThrows(ApiException.class, () -> BundleManifest.read(Arrays.copyOf(whole, cut)));
            assertEquals(400, e.status());
        }
        ApiException bad = assertThrows(ApiException.class, () -> BundleManifest.read(jar(manifest("Bundle-Version",
                "abc"), true)));
        assertTrue(bad.getMessage().contains("Bundle-Version: 'abc' is not a version"));
        if (bad.getMessage().contains("/")) {
            fail("no path in " + bad.getMessage());
        }
    }
}
