package serv.cli.deploy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.Test;

import picocli.CommandLine;
import serv.cli.Main;

/** What serv deploy says of a JAR argument that is no bundle's jar: what it is, what to give, exit code 2. */
public class DeployTest {

    private static Path jar(Path folder, String name, String symbolicName, String version) throws Exception {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (symbolicName != null) {
            m.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        }
        if (version != null) {
            m.getMainAttributes().putValue("Bundle-Version", version);
        }
        Path jar = folder.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.closeEntry();
        }
        return jar;
    }

    private static String refused(Path jar) {
        return assertThrows(IllegalArgumentException.class, () -> Deploy.read(jar)).getMessage();
    }

    @Test
    public void aFolderOrAFileThatIsNoJarIsSaidForWhatItIs() throws Exception {
        Path folder = Files.createTempDirectory("serv-deploy-test-");
        assertEquals(folder + " is a folder, not a jar: name the extension's jar file (such as"
                + " target/notes-1.0.0.jar), or run serv deploy without a jar in the project's folder, after mvn"
                + " package", refused(folder));
        Path text = Files.writeString(folder.resolve("x.jar"), "not a zip\n");
        assertEquals(text + " is not a jar (not a zip archive): name the extension's jar file", refused(text));
        assertEquals(folder.resolve("absent.jar") + " does not exist: name the extension's jar file",
                refused(folder.resolve("absent.jar")));
        assertEquals(folder.resolve("plain.jar") + " is not an OSGi bundle (no Bundle-SymbolicName)",
                refused(jar(folder, "plain.jar", null, null)));
        assertEquals(folder.resolve("v.jar") + " has Bundle-Version 'one', which is not an OSGi version"
                + " (MAJOR.MINOR.MICRO, then .QUALIFIER if any)", refused(jar(folder, "v.jar", "x.y", "one")));
        Deploy.Bundle ok = Deploy.read(jar(folder, "ok.jar", "x.y;singleton:=true", "1.2.3.SNAPSHOT"));
        assertEquals("x.y", ok.symbolicName());
        assertEquals("1.2.3.SNAPSHOT", ok.version());
        assertEquals("1.0.0", Deploy.read(jar(folder, "short.jar", "x.z", "1")).version());
    }

    @Test
    public void aWrongJarOrURLIsAUsageErrorInOneLine() throws Exception {
        Path folder = Files.createTempDirectory("serv-deploy-test-");
        Path text = Files.writeString(folder.resolve("x.jar"), "not a zip\n");
        for (String[] args : new String[][] { { "deploy", folder.toString() }, { "deploy", text.toString() },
            { "deploy", jar(folder, "ok.jar", "x.y", "1.0.0").toString(), "--url=ftp://127.0.0.1:1" } }) {
            StringWriter err = new StringWriter();
            CommandLine cli = new CommandLine(new Main());
            cli.setErr(new PrintWriter(err, true));
            assertEquals(err.toString(), 2, cli.execute(args));
            assertEquals(err.toString(), 1, err.toString().lines().count());
            assertFalse(err.toString(), err.toString().contains("Exception") || err.toString().contains("END header"));
        }
    }
}
