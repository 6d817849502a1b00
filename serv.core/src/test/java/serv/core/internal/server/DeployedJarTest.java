package serv.core.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Version;

class DeployedJarTest {

    @TempDir
    Path dir;

    private Path jar(String name, String bsn, String version, long modified) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (bsn != null) {
            m.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
        }
        if (version != null) {
            m.getMainAttributes().putValue("Bundle-Version", version);
        }
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new java.util.jar.JarEntry("a.txt"));
            j.write('a');
        }
        Files.setLastModifiedTime(file, FileTime.fromMillis(modified));
        return file;
    }

    @Test
    void theHighestVersionServesThenTheJarCopiedLast() throws IOException {
        jar("blog-1.0.jar", "serv.blog;singleton:=true", "1.0.0", 3_000_000);
        jar("blog-1.1.jar", "serv.blog", "1.1.0", 1_000_000);
        jar("copy.jar", "serv.blog", "1.1.0", 2_000_000);
        jar("notes.jar", "notes", null, 1_000_000);
        List<DeployedJar> read = List.of(DeployedJar.read(dir.resolve("blog-1.0.jar")),
                DeployedJar.read(dir.resolve("blog-1.1.jar")), DeployedJar.read(dir.resolve("copy.jar")),
                DeployedJar.read(dir.resolve("notes.jar")));
        Map<String, List<DeployedJar>> by = DeployedJar.byExtension(read);
        assertEquals(List.of("copy.jar", "blog-1.1.jar", "blog-1.0.jar"),
                by.get("serv.blog").stream().map(j -> j.file().getFileName().toString()).toList());
        assertEquals(Version.emptyVersion, by.get("notes").get(0).version());
        assertEquals("deploy/copy.jar and deploy/blog-1.1.jar and deploy/blog-1.0.jar are all extension serv.blog"
                + " (1.1.0, 1.1.0, 1.0.0): deploy/copy.jar serves, as the one copied last, the others are not"
                + " installed; remove one of deploy/copy.jar, deploy/blog-1.1.jar, deploy/blog-1.0.jar",
                DeployedJar.duplicate("serv.blog", by.get("serv.blog")));
        assertEquals(List.of("copy.jar", "notes.jar"), DeployFolder.serving(dir).stream()
                .map(j -> j.file().getFileName().toString()).sorted().toList());
    }

    @Test
    void aJarThatIsNoBundleSaysWhyAndWhatToDo() throws IOException {
        DeployedJar plain = DeployedJar.read(jar("lib.jar", null, "2.0", 1_000));
        assertNull(plain.symbolicName());
        assertTrue(plain.problem().startsWith("it is not an OSGi bundle (its manifest has no Bundle-SymbolicName"),
                plain.problem());
        assertTrue(plain.problem().contains("serv create extension"), plain.problem());

        byte[] whole = Files.readAllBytes(jar("whole.jar", "x", "1", 1_000));
        Path cut = Files.write(dir.resolve("cut.jar"), java.util.Arrays.copyOf(whole, whole.length / 2));
        assertTrue(DeployedJar.read(cut).problem().startsWith("it is not a whole jar"), DeployedJar.read(cut).problem());

        DeployedJar badVersion = DeployedJar.read(jar("v.jar", "x", "one", 1_000));
        assertTrue(badVersion.problem().startsWith("its Bundle-Version is not an OSGi version"), badVersion.problem());
        assertTrue(DeployFolder.serving(dir).stream().allMatch(j -> j.file().getFileName().toString().equals(
                "whole.jar")));
    }
}
