package serv.jpa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.List;
import java.util.TimeZone;
import java.util.UUID;

import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;

import org.eclipse.persistence.jpa.PersistenceProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

import serv.database.Dialect;

/**
 * Timestamps through EclipseLink with Serv's settings ({@link PersistenceUnits#properties}) on a JVM whose zone
 * skips an hour in spring: {@code 2026-03-29 02:30} does not exist in Europe/Berlin, and EclipseLink's own
 * platforms read and write it as 03:30. On the real PostgreSQL at 127.0.0.1:5432 (a database of its own, dropped
 * after) and on SQLite (a temporary file).
 */
class LocalTimestampsTest {

    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/";
    private static final LocalDateTime GAP = LocalDateTime.parse("2026-03-29T02:30:00");
    private static final String GAP_TEXT = "2026-03-29 02:30:00";

    private static String pgDatabase;
    private static Path sqliteFile;
    private static TimeZone zone;

    private EntityManagerFactory factory;
    private String url;

    @BeforeAll
    static void setUp() throws Exception {
        zone = TimeZone.getDefault();
        pgDatabase = "serv_tz_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + pgDatabase);
        }
        sqliteFile = Files.createTempFile("serv-tz", ".db");
    }

    @AfterAll
    static void tearDown() throws Exception {
        TimeZone.setDefault(zone);
        try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + pgDatabase);
        }
        Files.deleteIfExists(sqliteFile);
    }

    @BeforeEach
    void berlin() {
        TimeZone.setDefault(TimeZone.getTimeZone("Europe/Berlin"));
    }

    @AfterEach
    void close() {
        if (factory != null) {
            factory.close();
        }
        TimeZone.setDefault(zone);
    }

    private EntityManagerFactory start(Dialect dialect) throws SQLException {
        javax.sql.DataSource ds;
        if (dialect == Dialect.POSTGRESQL) {
            PGSimpleDataSource pg = new PGSimpleDataSource();
            pg.setUrl(PG + pgDatabase);
            pg.setUser("postgres");
            ds = pg;
            url = PG + pgDatabase;
        } else {
            SQLiteDataSource lite = new SQLiteDataSource();
            url = "jdbc:sqlite:" + sqliteFile;
            lite.setUrl(url);
            ds = lite;
        }
        sql("DROP TABLE IF EXISTS times");
        sql("CREATE TABLE times (id INTEGER PRIMARY KEY, at TIMESTAMP, legacy TIMESTAMP)");
        factory = new PersistenceProvider().createEntityManagerFactory("serv.jpa.test",
                PersistenceUnits.properties(dialect, ds));
        return factory;
    }

    private void sql(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The column's text as the database holds it (SQLite: its text; PostgreSQL: its output format). */
    private String text(int id, String column) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT " + column + " FROM times WHERE id = " + id)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private <T> T inTransaction(java.util.function.Function<EntityManager, T> work) {
        EntityManager em = factory.createEntityManager();
        try {
            em.getTransaction().begin();
            T result = work.apply(em);
            em.getTransaction().commit();
            return result;
        } finally {
            em.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void anEntityReadsTheDatabasesTime(Dialect dialect) throws Exception {
        start(dialect);
        sql("INSERT INTO times VALUES (1, '" + GAP_TEXT + "', '2026-01-15 10:00:00')");
        TimesEntity read = inTransaction(em -> em.find(TimesEntity.class, 1));
        assertEquals(GAP, read.at);
        // A Timestamp is the JVM zone's by nature: read as before, where the zone has that time.
        assertEquals(Timestamp.valueOf("2026-01-15 10:00:00"), read.legacy);
        // JPQL with the time as a parameter finds it (bound as it is).
        List<TimesEntity> found = inTransaction(em -> em.createQuery(
                "SELECT t FROM Times t WHERE t.at = :at", TimesEntity.class).setParameter("at", GAP).getResultList());
        assertEquals(1, found.size());
        List<TimesEntity> named = inTransaction(em -> em.createNamedQuery("Times.byAt", TimesEntity.class)
                .setParameter("at", GAP).getResultList());
        assertEquals(GAP, named.get(0).at);
        // A projection of the attribute (a report query) too.
        assertEquals(GAP, inTransaction(em -> em.createQuery("SELECT t.at FROM Times t WHERE t.id = 1",
                LocalDateTime.class).getSingleResult()));
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void anEntityWritesItsTimeAsItIs(Dialect dialect) throws Exception {
        start(dialect);
        inTransaction(em -> {
            em.persist(new TimesEntity(2, GAP, Timestamp.valueOf("2026-01-15 10:00:00")));
            em.persist(new TimesEntity(3, null, null));
            return null;
        });
        assertEquals(GAP, LocalDateTime.parse(text(2, "at").replace(' ', 'T')));
        if (dialect == Dialect.POSTGRESQL) {
            assertEquals("2026-01-15 10:00:00", text(2, "legacy"));
        } // SQLite's driver stores a Timestamp as milliseconds since 1970 (as before): it reads them back
        assertEquals(Timestamp.valueOf("2026-01-15 10:00:00"), inTransaction(em -> em.find(TimesEntity.class, 2)).legacy);
        assertNull(text(3, "at"));
        // An update writes it as it is too.
        inTransaction(em -> {
            em.find(TimesEntity.class, 3).at = GAP.plusSeconds(1);
            return null;
        });
        assertEquals(GAP.plusSeconds(1), LocalDateTime.parse(text(3, "at").replace(' ', 'T')));
        assertEquals(GAP, inTransaction(em -> em.find(TimesEntity.class, 2)).at);
        assertEquals(GAP.plusSeconds(1), inTransaction(em -> em.find(TimesEntity.class, 3)).at);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aNativeQueryAnswersALocalDateTime(Dialect dialect) throws Exception {
        start(dialect);
        sql("INSERT INTO times VALUES (4, '" + GAP_TEXT + "', NULL)");
        Object at = inTransaction(em -> em.createNativeQuery("SELECT at FROM times WHERE id = 4").getSingleResult());
        assertEquals(GAP, at);
        Object[] row = (Object[]) inTransaction(em -> em.createNativeQuery(
                "SELECT id, at FROM times WHERE at = ?").setParameter(1, GAP).getSingleResult());
        assertEquals(GAP, row[1]);
    }

    @ParameterizedTest
    @EnumSource(value = Dialect.class, names = "POSTGRESQL")
    void aTimestampWithTimeZoneStaysAnInstant(Dialect dialect) throws Exception {
        start(dialect);
        // The driver names timestamptz TIMESTAMP too, but has no LocalDateTime of it: read as before, a Timestamp.
        Object at = inTransaction(em -> em.createNativeQuery(
                "SELECT TIMESTAMPTZ '2026-03-29 00:30:00+00'").getSingleResult());
        assertEquals(java.time.Instant.parse("2026-03-29T00:30:00Z"), ((Timestamp) at).toInstant());
    }
}
