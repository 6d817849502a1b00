package serv.database;

import java.util.Locale;

/** The SQL dialects Serv knows. */
public enum Dialect {
    /** PostgreSQL, through the PostgreSQL JDBC driver. */
    POSTGRESQL,
    /** SQLite, the embedded default, through xerial sqlite-jdbc. */
    SQLITE;

    /** The lower-case name used in service properties and URLs. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
