package serv.database;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import serv.database.internal.StalePlan;

/**
 * What a failed SQL statement means, the same way on PostgreSQL and SQLite, without the SQL or the values: the
 * runtime turns it into an HTTP answer (409, 400, 503, or a 500 with an error id).
 *
 * @param kind what went wrong
 * @param columns the columns involved, when the database says (empty otherwise)
 */
public record SqlError(Kind kind, List<String> columns) {

    /** The kinds of failure that have a meaning for a client. */
    public enum Kind {
        /** A unique or primary key constraint: the value exists already. */
        UNIQUE,
        /** A foreign key constraint: the referenced row does not exist (or is still referenced). */
        FOREIGN_KEY,
        /** A NOT NULL constraint: a value is missing. */
        NOT_NULL,
        /** A CHECK constraint: a value is not allowed. */
        CHECK,
        /**
         * A value the database cannot take: too long, out of range, not valid text (a NUL character), not of the
         * column's type (SQLSTATE class 22; SQLite's TOOBIG, MISMATCH and datatype constraint). A client's mistake.
         *
         * @since 1.4
         */
        INVALID_VALUE,
        /**
         * The database cannot be reached, is busy, or the statement timed out; or, on PostgreSQL, a statement
         * prepared on the connection before its table changed ("cached plan must not change result type": the pool
         * replaces its connections and the next try runs).
         */
        UNAVAILABLE,
        /** Anything else: a bug or an unexpected state. */
        OTHER
    }

    private static final Pattern PG_KEY = Pattern.compile("Key \\(([^)]+)\\)=");
    private static final Pattern PG_NOT_NULL = Pattern.compile("null value in column \"([^\"]+)\"");
    private static final Pattern SQLITE_COLUMNS = Pattern.compile("constraint failed: ([^)\\]]+)");

    /** Classifies the first SQL exception in {@code error}'s cause chain; empty when there is none. */
    public static Optional<SqlError> of(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                return Optional.of(classify(sql));
            }
        }
        return Optional.empty();
    }

    /** Classifies one exception by SQLState (PostgreSQL, standard) or by SQLite's result code and message. */
    public static SqlError classify(SQLException e) {
        if (e instanceof SQLTransientConnectionException) {
            return new SqlError(Kind.UNAVAILABLE, List.of());
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.startsWith("[SQLITE_")) {
            return sqlite(e.getErrorCode(), message);
        }
        if (state.equals("23505")) {
            return new SqlError(Kind.UNIQUE, group(PG_KEY, message));
        }
        if (state.equals("23503")) {
            return new SqlError(Kind.FOREIGN_KEY, group(PG_KEY, message));
        }
        if (state.equals("23502")) {
            return new SqlError(Kind.NOT_NULL, group(PG_NOT_NULL, message));
        }
        if (state.equals("23514")) {
            return new SqlError(Kind.CHECK, List.of());
        }
        if (StalePlan.is(e)) {
            // a statement prepared on this connection before its table changed: it runs on the next connection
            return new SqlError(Kind.UNAVAILABLE, List.of());
        }
        if (state.startsWith("22")) {
            return new SqlError(Kind.INVALID_VALUE, List.of());
        }
        // 08: connection exception; 53: insufficient resources; 57P0x: server shutting down; 57014: timeout
        if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P") || state.equals("57014")
                || state.equals("40001") || state.equals("40P01")) {
            return new SqlError(Kind.UNAVAILABLE, List.of());
        }
        return new SqlError(Kind.OTHER, List.of());
    }

    private static SqlError sqlite(int code, String message) {
        String upper = message.toUpperCase(Locale.ROOT);
        if (code == 5 || code == 6 || upper.startsWith("[SQLITE_BUSY") || upper.startsWith("[SQLITE_LOCKED")) {
            return new SqlError(Kind.UNAVAILABLE, List.of());
        }
        if (upper.startsWith("[SQLITE_CONSTRAINT_UNIQUE") || upper.startsWith("[SQLITE_CONSTRAINT_PRIMARYKEY")) {
            return new SqlError(Kind.UNIQUE, sqliteColumns(message));
        }
        if (upper.startsWith("[SQLITE_CONSTRAINT_FOREIGNKEY")) {
            return new SqlError(Kind.FOREIGN_KEY, List.of());
        }
        if (upper.startsWith("[SQLITE_CONSTRAINT_NOTNULL")) {
            return new SqlError(Kind.NOT_NULL, sqliteColumns(message));
        }
        if (upper.startsWith("[SQLITE_CONSTRAINT_CHECK")) {
            return new SqlError(Kind.CHECK, List.of());
        }
        if (code == 18 || code == 20 || upper.startsWith("[SQLITE_TOOBIG") || upper.startsWith("[SQLITE_MISMATCH")
                || upper.startsWith("[SQLITE_CONSTRAINT_DATATYPE")) {
            return new SqlError(Kind.INVALID_VALUE, List.of());
        }
        return new SqlError(Kind.OTHER, List.of());
    }

    /** "users.username, users.email" to [username, email]. */
    private static List<String> sqliteColumns(String message) {
        Matcher m = SQLITE_COLUMNS.matcher(message);
        if (!m.find()) {
            return List.of();
        }
        return java.util.Arrays.stream(m.group(1).split(","))
                .map(String::strip)
                .map(c -> c.substring(c.lastIndexOf('.') + 1))
                .filter(c -> c.matches("[A-Za-z_][A-Za-z0-9_]*"))
                .toList();
    }

    private static List<String> group(Pattern p, String message) {
        Matcher m = p.matcher(message);
        if (!m.find()) {
            return List.of();
        }
        return java.util.Arrays.stream(m.group(1).split(","))
                .map(String::strip)
                .map(c -> c.replace("\"", ""))
                .filter(c -> c.matches("[A-Za-z_][A-Za-z0-9_]*"))
                .toList();
    }

    /** A message for the client, without values or SQL: "username already exists", "title is required". */
    public String clientMessage() {
        String fields = String.join(", ", columns);
        return switch (kind) {
            case UNIQUE -> fields.isEmpty() ? "the record already exists" : fields + " already exists";
            case FOREIGN_KEY -> "a referenced record does not exist";
            case NOT_NULL -> fields.isEmpty() ? "a required value is missing" : fields + " is required";
            case CHECK -> "a value is not allowed";
            case INVALID_VALUE -> "a value is not valid";
            case UNAVAILABLE -> "the database is unavailable";
            case OTHER -> "internal server error";
        };
    }
}
