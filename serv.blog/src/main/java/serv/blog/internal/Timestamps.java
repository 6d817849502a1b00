package serv.blog.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** Timestamps as ISO-8601 local date-times, the same on PostgreSQL and SQLite. */
final class Timestamps {

    private Timestamps() {
    }

    static String iso(ResultSet rs, int column) throws SQLException {
        Object value = rs.getObject(column);
        if (value == null) {
            return null;
        }
        if (value instanceof java.sql.Timestamp ts) {
            return ts.toLocalDateTime().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
        }
        if (value instanceof LocalDateTime ldt) {
            return ldt.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
        }
        // SQLite stores CURRENT_TIMESTAMP as text "yyyy-MM-dd HH:mm:ss[.SSS]"
        return value.toString().replace(' ', 'T');
    }
}
