package serv.blog.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.TimeZone;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Timestamps read from the real databases, on a JVM whose time zone skips an hour in spring. */
class TimestampsTest {

    private TimeZone zone;

    @BeforeEach
    void newYork() {
        zone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
    }

    @AfterEach
    void back() {
        TimeZone.setDefault(zone);
    }

    @Test
    void postgresTimestampsAreTheStoredTimeInAnyZone() throws Exception {
        // Read as java.sql.Timestamp, 02:30 on the day New York skips it became 03:30
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT timestamp '2024-03-10 02:30:00', timestamp"
                        + " '2024-01-07 22:40:00.34', timestamp '2024-01-07 22:40:00.000001', NULL::timestamp")) {
            rs.next();
            assertEquals("2024-03-10T02:30:00", Timestamps.iso(rs, 1, true));
            assertEquals("2024-01-07T22:40:00.340", Timestamps.iso(rs, 2, true));
            assertEquals("2024-01-07T22:40:00.000001", Timestamps.iso(rs, 3, true));
            assertNull(Timestamps.iso(rs, 4, true));
        }
    }

    @Test
    void sqliteTextIsReadInBothForms() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT '2024-03-10 02:30:00', '2024-01-07 22:40:00.340',"
                        + " '2024-01-07T22:40:00', NULL")) {
            rs.next();
            assertEquals("2024-03-10T02:30:00", Timestamps.iso(rs, 1, false));
            assertEquals("2024-01-07T22:40:00.340", Timestamps.iso(rs, 2, false));
            assertEquals("2024-01-07T22:40:00", Timestamps.iso(rs, 3, false));
            assertNull(Timestamps.iso(rs, 4, false));
        }
    }
}
