package serv.cli.config;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

import serv.core.internal.config.OfflineValidation;

/**
 * serv config validate on a file that is not UTF-8 or holds a character YAML refuses: the file's name and the line
 * to look at, without the absolute path or the decoder's words the server's reading says.
 */
public class FileTextTest {

    private static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The server's own check of {@code home}, as serv config validate runs it, with this class's lines first. */
    private static List<String> validate(Path home, String profile) throws Exception {
        List<String> server = OfflineValidation.problems(home, profile, List.of(), settings -> List.of(),
                name -> null);
        return FileText.merge(FileText.problems(home, profile), server);
    }

    @Test
    public void aByteThatIsNotUTF8IsSaidWithItsLine() {
        assertEquals("serv.config.yaml is not UTF-8 text (line 3, byte 0xE9): save it as UTF-8",
                FileText.problem("serv.config.yaml", bytes("databases:\n  default:\n    url: caf\u00e9\n"), true));
        assertEquals("etc/x.cfg is not UTF-8 text (line 2, byte 0xE9): save it as UTF-8",
                FileText.problem("etc/x.cfg", bytes("a=1\r\nb=\u00e9\r\n"), false));
        assertEquals("serv.config.yaml is not UTF-8 text (line 1, byte 0xE2): save it as UTF-8",
                FileText.problem("serv.config.yaml", new byte[] { 'a', ':', ' ', (byte) 0xE2, (byte) 0x82 }, true));
        assertNull(FileText.problem("serv.config.yaml", "a: caf\u00e9 \u2713\n".getBytes(StandardCharsets.UTF_8),
                true));
        assertNull("a byte order mark is fine", FileText.problem("serv.config.yaml",
                "\ufeffa: 1\n".getBytes(StandardCharsets.UTF_8), true));
    }

    @Test
    public void aControlCharacterIsSaidOnItsOwnLine() {
        assertEquals("serv.config.yaml (line 3): the character U+0000 (a control character) is not allowed in YAML;"
                + " remove it", FileText.problem("serv.config.yaml", bytes("a: 1\nb: 2\nc: x\0y\n"), true));
        assertEquals("serv.config.yaml (line 2): the character U+0001 (a control character) is not allowed in YAML;"
                + " remove it", FileText.problem("serv.config.yaml", bytes("a: 1\r\nb: [\u0001]\r\n"), true));
        assertNull("tabs and line breaks are text", FileText.problem("serv.config.yaml", bytes("a:\t1\r\nb: 2\r"),
                true));
        assertNull("a properties file may hold one", FileText.problem("etc/x.cfg", bytes("a=x\0y\n"), false));
    }

    @Test
    public void theServersLineForSuchAFileGivesWayToTheFilesNameAndLine() throws Exception {
        Path home = Files.createTempDirectory("serv-validate-test-");
        Files.write(home.resolve("serv.config.yaml"), bytes("databases:\n  default:\n    url: \"sqlite:///caf\u00e9\"\n"));
        assertEquals(List.of("serv.config.yaml is not UTF-8 text (line 3, byte 0xE9): save it as UTF-8"),
                validate(home, null));

        Files.write(home.resolve("serv.config.yaml"), bytes("databases:\n  default:\n    url: \"sqlite:///a\0b\"\n"));
        assertEquals(List.of("serv.config.yaml (line 3): the character U+0000 (a control character) is not allowed"
                + " in YAML; remove it"), validate(home, null));

        Files.writeString(home.resolve("serv.config.yaml"), "databases:\n  default: {url: x\n");
        Files.write(home.resolve("serv.prod.config.yaml"), bytes("a: \u00ff\n"));
        List<String> both = validate(home, "prod");
        assertEquals(both.toString(), 2, both.size());
        assertEquals("serv.prod.config.yaml is not UTF-8 text (line 1, byte 0xFF): save it as UTF-8", both.get(0));
        assertEquals("the other file's own problem is kept", true,
                both.get(1).startsWith("serv.config.yaml is not valid YAML (line 3)"));

        Files.delete(home.resolve("serv.prod.config.yaml"));
        Files.delete(home.resolve("serv.config.yaml"));
        Files.createDirectories(home.resolve("etc"));
        Files.write(home.resolve("etc/serv.database-x.cfg"), bytes("url=sqlite:///caf\u00e9.db\n"));
        assertEquals(List.of("etc/serv.database-x.cfg is not UTF-8 text (line 1, byte 0xE9): save it as UTF-8"),
                validate(home, null));
        for (String line : validate(home, null)) {
            assertEquals(line, false, line.contains(home.toString()) || line.contains("Input length"));
        }
    }

    /**
     * One file of etc/ that cannot be read is said once, with its line; the other files of etc/ are checked as
     * usual (the server applies them).
     */
    @Test
    public void aBrokenFileOfEtcIsSaidOnceAndTheOthersAreChecked() throws Exception {
        Path home = Files.createTempDirectory("serv-validate-test-");
        Files.createDirectories(home.resolve("etc"));
        Files.write(home.resolve("etc/serv.database-analytics.cfg"), bytes("# r\u00e9sum\u00e9\nurl=sqlite:///a\n"));
        Files.writeString(home.resolve("etc/serv.database-reports.cfg"), "url=sqlite:///data/reports.db\n"
                + "path=C:\\users\\reports\n");
        // checked as the server would: a tenant on the server's own (embedded) database
        Files.writeString(home.resolve("etc/serv.tenant-x.cfg"), "hosts=x.localhost\n"
                + "database_url=sqlite:///data/app.db\n");
        List<String> problems = validate(home, null);
        assertEquals(problems.toString(), 3, problems.size());
        assertEquals("etc/serv.database-analytics.cfg is not UTF-8 text (line 1, byte 0xE9): save it as UTF-8",
                problems.get(0));
        assertEquals("etc/serv.database-reports.cfg (line 2, key 'path'): a backslash followed by 'u' starts a"
                + " \\uXXXX escape, and four hexadecimal digits do not follow it; write a backslash as \\\\"
                + " (C:\\\\users), or the character itself (the file is UTF-8); until then the file is not applied,"
                + " and what it made stays as it is (the rest of etc/ is applied)", problems.get(1));
        assertEquals(problems.get(2), true, problems.get(2).startsWith("etc/: tenant x: "));
    }

    @Test
    public void aFileInDeployThatIsNoJarIsAProblemNotAFailure() throws Exception {
        Path deploy = Files.createDirectories(Files.createTempDirectory("serv-validate-test-").resolve("deploy"));
        Files.writeString(deploy.resolve("x.jar"), "junk\n");
        List<String> problems = new ArrayList<>();
        assertEquals(List.of(), Config.deployed(deploy, problems));
        assertEquals(List.of("deploy/x.jar is not a jar (not a zip archive): the server does not install it; replace"
                + " or remove it"), problems);
    }
}
