package serv.database.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import serv.database.SqlError;

/** On the machine's PostgreSQL (127.0.0.1:5432, user postgres), as the tests' servers use it. */
class StalePlanTest {

    private final String table = "stale_plan_" + UUID.randomUUID().toString().replace("-", "");
    private Connection c;
    private Connection other;

    @BeforeEach
    void connect() throws SQLException {
        c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
        other = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
        try (Statement st = other.createStatement()) {
            st.execute("CREATE TABLE " + table + " (id SERIAL PRIMARY KEY, title TEXT)");
        }
    }

    @AfterEach
    void drop() throws SQLException {
        try (Statement st = other.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + table);
        } finally {
            c.close();
            other.close();
        }
    }

    @Test
    void aStatementPreparedBeforeItsTableChangedIsAReasonToRetry() throws SQLException {
        String select = "SELECT * FROM " + table + " WHERE id > ?";
        for (int i = 0; i < 6; i++) { // pgjdbc prepares it on the server from its 5th use
            run(select);
        }
        try (Statement st = other.createStatement()) { // as another server's migration would
            st.execute("ALTER TABLE " + table + " ADD COLUMN added INT");
        }
        c.setAutoCommit(false); // as a request's transaction: pgjdbc retries it by itself only outside one
        SQLException e = assertThrows(SQLException.class, () -> run(select));
        c.rollback();
        assertTrue(StalePlan.is(e), e.getMessage());
        assertEquals(SqlError.Kind.UNAVAILABLE, SqlError.classify(e).kind(), "a 503: the next try runs");
    }

    @Test
    void otherFeaturesNotSupportedAreNot() {
        SQLException e = assertThrows(SQLException.class, () -> {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT count(*) FROM " + table + " FOR UPDATE");
            }
        });
        assertEquals("0A000", e.getSQLState(), e.getMessage());
        assertFalse(StalePlan.is(e));
        assertEquals(SqlError.Kind.OTHER, SqlError.classify(e).kind(), "a bug: a 500");
        assertFalse(StalePlan.is(new SQLException("ERROR: cannot do that", "0A000")));
        assertTrue(StalePlan.is(new SQLException("ERROR: cached plan must not change result type", "0A000")));
    }

    private void run(String sql) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setInt(1, 0);
            st.executeQuery().close();
        }
    }
}
