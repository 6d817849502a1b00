package serv.core.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import serv.core.config.Desired;
import serv.core.config.Snapshot;

/**
 * A file of etc/ that cannot be read holds its own configuration and is named with its line and the fix; the other
 * files of etc/ are read as usual.
 */
class EtcDirectoryTest {

    @TempDir
    Path etc;

    private void write(String file, String text) throws Exception {
        Files.writeString(etc.resolve(file), text, StandardCharsets.UTF_8);
    }

    private void writeLatin1(String file, String text) throws Exception {
        Files.write(etc.resolve(file), text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aFileSavedInLatin1IsHeldAndNamedWithItsLineAndByteWhileTheOthersAreRead() throws Exception {
        write("serv.database-main.cfg", "url=sqlite:///data/main.db\npool_size=3\n");
        writeLatin1("serv.database-analytics.cfg", "# r\u00e9sum\u00e9\r\nurl=sqlite:///data/a.db\r\n");
        write("serv.blog.cfg", "repository=jdbc\n");

        Snapshot s = EtcDirectory.read(etc);

        assertTrue(s.valid(), "the rest of etc/ is read: " + s.problems());
        assertEquals(List.of(Desired.configuration("serv.blog", Map.of("repository", "jdbc")),
                Desired.database("main", Map.of("url", "sqlite:///data/main.db", "pool_size", "3"))), s.desired());
        assertEquals(Set.of("serv.database~analytics"), s.held());
        assertEquals(List.of("etc/serv.database-analytics.cfg is not UTF-8 text (line 1, byte 0xE9): save it as UTF-8;"
                + " until then the file is not applied, and what it made stays as it is (the rest of etc/ is"
                + " applied)"), s.problems());

        writeLatin1("serv.database-analytics.cfg", "url=sqlite:///data/a.db\rname=caf\u00e9\r");
        assertTrue(EtcDirectory.read(etc).problems().get(0).contains("(line 2, byte 0xE9)"), "a CR ends a line");

        write("serv.database-analytics.cfg", "url=sqlite:///data/caf\u00e9.db\n"); // saved again, as UTF-8
        Snapshot fixed = EtcDirectory.read(etc);
        assertEquals(Set.of(), fixed.held());
        assertEquals(List.of(), fixed.problems());
        assertTrue(fixed.desired().contains(Desired.database("analytics", Map.of("url",
                "sqlite:///data/caf\u00e9.db"))));
    }

    @Test
    void aBrokenEscapeIsNamedWithItsLineAndKeyNotItsValue() throws Exception {
        write("serv.tenant-acme.cfg", "hosts=acme.localhost\n");
        write("serv.database-reports.cfg", """
                # a comment may say \\users
                url=sqlite:///data/reports.db
                password=se\\
                   cr\\u00e9t
                path=C:\\users\\reports
                """);

        Snapshot s = EtcDirectory.read(etc);

        assertTrue(s.valid());
        assertEquals(List.of(Desired.tenant("acme", Map.of("hosts", "acme.localhost"))), s.desired());
        assertEquals(Set.of("serv.database~reports"), s.held());
        assertEquals(List.of("etc/serv.database-reports.cfg (line 5, key 'path'): a backslash followed by 'u' starts a"
                + " \\uXXXX escape, and four hexadecimal digits do not follow it; write a backslash as \\\\"
                + " (C:\\\\users), or the character itself (the file is UTF-8); until then the file is not applied,"
                + " and what it made stays as it is (the rest of etc/ is applied)"), s.problems());
        assertFalse(s.problems().get(0).contains("sers\\reports"), "the value is not shown");

        write("serv.database-reports.cfg", "pass\\uZZword=x\n");
        assertTrue(EtcDirectory.read(etc).problems().get(0).startsWith("etc/serv.database-reports.cfg (line 1, in a"
                + " key):"));
    }

    @Test
    void aFileThatIsNoFileIsHeldAndNamed() throws Exception {
        Files.createDirectories(etc.resolve("serv.tenant-odd.cfg"));
        Snapshot s = EtcDirectory.read(etc);
        assertTrue(s.valid());
        assertEquals(Set.of("serv.tenant~odd"), s.held());
        assertEquals(List.of("etc/serv.tenant-odd.cfg cannot be read (it is a folder): fix it; until then the file is"
                + " not applied, and what it made stays as it is (the rest of etc/ is applied)"), s.problems());
    }

    @Test
    void aLinkToAFileThatIsNotThereIsHeldAndNamed() throws Exception {
        Files.createSymbolicLink(etc.resolve("serv.blog.cfg"), etc.resolve("gone.txt"));
        Snapshot s = EtcDirectory.read(etc);
        assertEquals(Set.of("serv.blog"), s.held());
        assertEquals(List.of("etc/serv.blog.cfg cannot be read (it links to a file that does not exist): fix the link;"
                + " until then the file is not applied, and what it made stays as it is (the rest of etc/ is"
                + " applied)"), s.problems());
    }

    @Test
    void neverTheDecodersWords() throws Exception {
        Files.write(etc.resolve("x.cfg"), new byte[] { 'a', '=', (byte) 0xC3 });
        Snapshot s = EtcDirectory.read(etc);
        assertEquals(Set.of("x"), s.held());
        assertEquals(1, s.problems().size());
        assertTrue(s.problems().get(0).startsWith("etc/x.cfg is not UTF-8 text (line 1, byte 0xC3)"), s.problems()
                .toString());
        assertFalse(s.problems().get(0).contains("Input length"));
        assertFalse(s.problems().get(0).contains(etc.toString()), "no absolute path");
    }
}
