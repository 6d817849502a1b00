package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.util.TimeZone;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import serv.testkit.ServTestSupport;

/**
 * The blog on PostgreSQL in a JVM whose zone skips an hour in spring (failsafe's execution {@code berlin}:
 * {@code -Duser.timezone=Europe/Berlin}): a post written at 02:30 on 2026-03-29, a time that zone does not have,
 * reads back as 02:30 with either repository, through the JPA entities and the list's native query as through JDBC.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BlogBerlinJpaIT extends ServTestSupport {

    @Configuration
    public Option[] config() {
        return serv(BlogContract.yaml(freshPostgres(), "jpa"));
    }

    @Test
    public void aPostOfTheSkippedHourReadsBackAsStored() throws Exception {
        // Run by failsafe's execution berlin; -Dit.test=BlogBerlinJpaIT brings it into the default one too: skipped there.
        assumeTrue("not in Europe/Berlin", "Europe/Berlin".equals(TimeZone.getDefault().getID()));
        truncate("default", "posts", "users");
        try (Connection c = database("default").connection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO users (id, username, email, password_hash, created_at) VALUES"
                    + " (1, 'ann', 'ann@example.com', 'pbkdf2-sha256$1$AA$AA', '2026-03-29 02:15:00')");
            s.executeUpdate("INSERT INTO posts (id, title, content, author_id, created_at) VALUES"
                    + " (1, 'Spring', 'forward', 1, '2026-03-29 02:30:00')");
        }
        for (String repository : new String[] {"jpa", "jdbc"}) {
            BlogContract.useRepository(repository);
            Answer post = get("/posts/1");
            assertEquals(post.body(), 200, post.status());
            assertEquals(repository + ": " + post.body(), "2026-03-29T02:30:00",
                    BlogContract.field(post.body(), "created_at"));
            Answer list = get("/posts");
            assertTrue(repository + ": " + list.body(), list.body().contains("\"created_at\":\"2026-03-29T02:30:00\""));
            Answer user = get("/users/1");
            assertEquals(repository + ": " + user.body(), "2026-03-29T02:15:00",
                    BlogContract.field(user.body(), "created_at"));
        }
    }
}
