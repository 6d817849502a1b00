package serv.blog.internal.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.UUID;

import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;
import javax.sql.DataSource;

import org.eclipse.persistence.jpa.PersistenceProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

import serv.blog.internal.Post;
import serv.blog.internal.PostRepository;
import serv.blog.internal.User;
import serv.database.Dialect;
import serv.jpa.internal.PersistenceUnits;

/**
 * The blog's JPA repository end to end, on EclipseLink with Serv's settings for every unit, on a JVM whose zone
 * (Europe/Berlin) skips 02:00–03:00 on 2026-03-29: a post and a user created then read back as the database holds
 * them, through the entities (their converter) and the list's native query. On the real PostgreSQL at
 * 127.0.0.1:5432 (a database of its own, dropped after) and SQLite (a temporary file), with the blog's migrations.
 */
class JpaTimestampsTest {

    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/";
    private static final String[] MIGRATIONS = {"V001__create_users", "V002__create_posts", "V003__add_posts_indexes",
            "V004__index_posts_newest_first", "V005__maintain_updated_at", "V006__maintain_users_updated_at"};

    private TimeZone zone;
    private String pgDatabase;
    private Path sqliteFile;
    private String url;
    private EntityManagerFactory factory;
    private EntityManager em;

    @BeforeEach
    void berlin() {
        zone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("Europe/Berlin"));
    }

    @AfterEach
    void close() throws Exception {
        try {
            if (em != null) {
                em.close();
            }
            if (factory != null) {
                factory.close();
            }
            if (pgDatabase != null) {
                try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                        Statement s = c.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS " + pgDatabase);
                }
            }
            if (sqliteFile != null) {
                Files.deleteIfExists(sqliteFile);
            }
        } finally {
            TimeZone.setDefault(zone);
        }
    }

    private JpaStore start(Dialect dialect) throws Exception {
        DataSource ds;
        if (dialect == Dialect.POSTGRESQL) {
            pgDatabase = "serv_tz_blog_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                    Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + pgDatabase);
            }
            url = PG + pgDatabase;
            PGSimpleDataSource pg = new PGSimpleDataSource();
            pg.setUrl(url);
            pg.setUser("postgres");
            ds = pg;
        } else {
            sqliteFile = Files.createTempFile("serv-tz-blog", ".db");
            url = "jdbc:sqlite:" + sqliteFile;
            SQLiteDataSource lite = new SQLiteDataSource();
            lite.setUrl(url);
            ds = lite;
        }
        for (String migration : MIGRATIONS) {
            String sql = migration(migration + "." + (dialect == Dialect.POSTGRESQL ? "postgresql" : "sqlite"));
            sql(sql != null ? sql : migration(migration));
        }
        Map<String, Object> props = new HashMap<>(PersistenceUnits.properties(dialect, ds));
        props.put("eclipselink.weaving", "false"); // Aries JPA weaves in the server; no agent here
        factory = new PersistenceProvider().createEntityManagerFactory(JpaStore.UNIT, props);
        em = factory.createEntityManager();
        return new JpaStore((request, unit) -> em);
    }

    private static String migration(String name) throws IOException {
        try (InputStream in = JpaTimestampsTest.class.getResourceAsStream("/serv/migrations/default/" + name + ".sql")) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void sql(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            if (url.startsWith("jdbc:sqlite")) {
                for (String statement : sql.split(";\\s*\\n")) { // SQLite's driver runs one statement a call
                    if (!statement.isBlank()) {
                        s.execute(statement);
                    }
                }
            } else {
                s.execute(sql);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aPostCreatedInTheSkippedHourReadsBackAsStored(Dialect dialect) throws Exception {
        JpaStore store = start(dialect);
        sql("INSERT INTO users (id, username, email, password_hash, created_at) VALUES"
                + " (1, 'ada', 'ada@example.com', 'x', '2026-03-29 02:15:00')");
        sql("INSERT INTO posts (id, title, content, author_id, created_at, updated_at) VALUES"
                + " (1, 'Spring', 'forward', 1, '2026-03-29 02:30:00', '2026-03-29 02:45:00.250')");

        PostRepository posts = store.posts(null);
        Post read = posts.find(1).orElseThrow();
        assertEquals("2026-03-29T02:30:00", read.createdAt());
        assertEquals("2026-03-29T02:45:00.250", read.updatedAt());

        List<Post> page = posts.page(10, 0); // the named native query
        assertEquals("2026-03-29T02:30:00", page.get(0).createdAt());

        User user = store.users(null).find(1).orElseThrow();
        assertEquals("2026-03-29T02:15:00", user.createdAt());
    }
}
