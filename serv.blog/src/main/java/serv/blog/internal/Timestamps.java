package serv.blog.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Timestamps as ISO-8601 local date-times, the same for PostgreSQL's timestamps and SQLite's text, and for JDBC
 * and JPA: {@code 2024-01-07T22:40:00}, with a fraction when it is not zero, in milliseconds where that is exact
 * ({@code 22:40:00.340}), else microseconds or nanoseconds.
 */
public final class Timestamps {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS");
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter NANOS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS");

    private Timestamps() {
    }

    /**
     * A result's timestamp column as ISO text: {@code typed}, read as a {@link LocalDateTime} (PostgreSQL: its driver's
     * {@link java.sql.Timestamp} goes through a calendar of the JVM's time zone, which allocates 2.4 times the rest of
     * a post's read and moves a time that zone skips in spring by an hour); else as the value the driver has (SQLite's
     * text, read as it is stored: its driver's conversion to a LocalDateTime goes through that calendar too).
     */
    public static String iso(ResultSet rs, int column, boolean typed) throws SQLException {
        return iso(typed ? rs.getObject(column, LocalDateTime.class) : rs.getObject(column));
    }

    /** A database value (Timestamp, LocalDateTime or SQLite's "yyyy-MM-dd HH:mm:ss[.SSS]" text) as ISO text. */
    public static String iso(Object value) {
        if (value == null) {
            return null;
        }
        LocalDateTime time;
        if (value instanceof java.sql.Timestamp ts) {
            time = ts.toLocalDateTime();
        } else if (value instanceof LocalDateTime ldt) {
            time = ldt;
        } else {
            try {
                time = LocalDateTime.parse(value.toString().trim().replace(' ', 'T'));
            } catch (DateTimeParseException e) {
                throw new IllegalStateException("not a timestamp in the database: " + value, e);
            }
        }
        int year = time.getYear();
        if (year < 1000 || year > 9999) {
            int nanos = time.getNano();
            DateTimeFormatter format = nanos == 0 ? SECONDS
                    : nanos % 1_000_000 == 0 ? MILLIS : nanos % 1_000 == 0 ? MICROS : NANOS;
            return time.format(format);
        }
        // LocalDateTime's own text is this format (fractions in 3, 6 or 9 digits as needed) and several times faster
        // than a DateTimeFormatter; it leaves out the seconds when they and the fraction are zero.
        String text = time.toString();
        return time.getSecond() == 0 && time.getNano() == 0 ? text + ":00" : text;
    }
}
