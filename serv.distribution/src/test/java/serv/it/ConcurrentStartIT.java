package serv.it;

import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.regex.Pattern;

import org.junit.Test;
import serv.testkit.ServTestSupport;

/** Two servers starting together against one fresh PostgreSQL database apply each migration exactly once. */
public class ConcurrentStartIT {

    /** The blog's migrations (serv.blog/src/main/resources/serv/migrations/default). */
    private static final int BLOG_MIGRATIONS = 6;

    @Test
    public void twoRuntimesApplyEachMigrationOnce() throws Exception {
        String url = ServTestSupport.freshPostgres();
        String database = url.substring(url.lastIndexOf('/') + 1);
        String yaml = "databases:\n  default:\n    url: \"" + url + "\"\n    pool_size: 2\n";
        Path a = Files.createTempDirectory("serv-concurrent-a-");
        Path b = Files.createTempDirectory("serv-concurrent-b-");
        Files.writeString(a.resolve("serv.config.yaml"), yaml);
        Files.writeString(b.resolve("serv.config.yaml"), yaml);
        try (ServProcess one = new ServProcess(a, ServProcess.freePort(), "serv.log");
                ServProcess two = new ServProcess(b, ServProcess.freePort(), "serv.log")) {
            one.awaitHealthy();
            two.awaitHealthy();
            Pattern applied = Pattern.compile("applied migration serv\\.blog V");
            long lines = applied.matcher(one.log()).results().count() + applied.matcher(two.log()).results().count();
            assertEquals("migrations applied across both servers", BLOG_MIGRATIONS, lines);
            one.stopGracefully();
            two.stopGracefully();
        }
        try (Connection c = ServTestSupport.postgres(database); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT version) FROM serv_migrations"
                        + " WHERE extension = 'serv.blog'")) {
            rs.next();
            assertEquals(BLOG_MIGRATIONS, rs.getInt(1));
            assertEquals(BLOG_MIGRATIONS, rs.getInt(2));
        }
    }
}
