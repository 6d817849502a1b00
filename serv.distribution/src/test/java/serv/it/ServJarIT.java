package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

/**
 * The executable jar as an operator runs it: {@code java -jar serv.jar} in an empty folder creates its home, serves,
 * never lets admin/admin into the console, keeps the generated console password across restarts, keeps secrets out
 * of the log, and stops in order on SIGTERM.
 */
public class ServJarIT {

    private static final Pattern GENERATED = Pattern.compile("user admin, password (\\S+) \\(shown once");

    @Test
    public void runsFromAnEmptyFolderAndStopsOnSigterm() throws Exception {
        Path home = Files.createTempDirectory("serv-jar-it-");
        int port = ServProcess.freePort();
        // A second database with credentials in its URL and in its password key: neither may reach the log.
        Files.writeString(home.resolve("serv.config.yaml"), """
                databases:
                  analytics:
                    url: "postgresql://postgres:UrlSecret42@127.0.0.1:5432/postgres"
                    password: "KeySecret42"
                    pool_size: 1
                """);

        try (ServProcess first = new ServProcess(home, port, "first.log")) {
            long ms = first.awaitHealthy();
            System.out.println("serv.jar: first 200 on /health after " + ms + " ms (first start)");
            for (String folder : new String[] { "etc", "deploy", "data" }) {
                assertTrue(folder, Files.isDirectory(home.resolve(folder)));
            }
            assertTrue(Files.isRegularFile(home.resolve("data/app.db")));
            String health = first.body("/health");
            assertTrue(health, health.contains("\"analytics\":{\"state\":\"UP\",\"dialect\":\"postgresql\""));
            assertFalse(health, health.contains("Secret42"));
            assertEquals(401, first.status("/system/console/bundles", "admin", "admin"));
            assertEquals(401, first.status("/system/console/bundles", null, null));
            first.stopGracefully();
        }
        String log = Files.readString(home.resolve("first.log"));
        assertTrue(log, log.contains("Database analytics: pool started"));
        assertFalse("a secret reached the log", log.contains("UrlSecret42") || log.contains("KeySecret42"));
        Matcher m = GENERATED.matcher(log);
        assertTrue("the generated console password is logged once:\n" + log, m.find());
        String password = m.group(1);
        assertFalse("the hash file must not hold the password",
                Files.readString(home.resolve("data/console.credentials")).contains(password));

        try (ServProcess second = new ServProcess(home, port, "second.log")) {
            second.awaitHealthy();
            assertEquals(200, second.status("/system/console/bundles", "admin", password));
            assertEquals(401, second.status("/system/console/bundles", "admin", "admin"));
            second.stopGracefully();
        }
        assertFalse("a kept password is not printed again",
                GENERATED.matcher(Files.readString(home.resolve("second.log"))).find());
    }
}
