package serv.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import serv.database.SqlError.Kind;

/** The same meaning for the same failure on SQLite (real, in a temporary file) and PostgreSQL (its messages). */
class SqlErrorTest {

    @TempDir
    Path dir;
    private Connection c;

    @BeforeEach
    void schema() throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.enforceForeignKeys(true);
        SQLiteDataSource ds = new SQLiteDataSource(config);
        ds.setUrl("jdbc:sqlite:" + dir.resolve("t.db"));
        c = ds.getConnection();
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL,"
                    + " age INTEGER CHECK (age >= 0))");
            st.execute("CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES users(id))");
            st.execute("INSERT INTO users (id, username) VALUES (1, 'bob')");
        }
    }

    private SqlError sqlite(String sql) {
        SQLException e = assertThrows(SQLException.class, () -> {
            try (Statement st = c.createStatement()) {
                st.execute(sql);
            }
        });
        return SqlError.classify(e);
    }

    @Test
    void sqliteConstraints() {
        assertEquals(new SqlError(Kind.UNIQUE, List.of("username")), sqlite("INSERT INTO users (username) VALUES ('bob')"));
        assertEquals("username already exists", sqlite("INSERT INTO users (username) VALUES ('bob')").clientMessage());
        assertEquals(Kind.FOREIGN_KEY, sqlite("INSERT INTO posts (author_id) VALUES (99)").kind());
        assertEquals(new SqlError(Kind.NOT_NULL, List.of("username")), sqlite("INSERT INTO users (username) VALUES (NULL)"));
        assertEquals(Kind.CHECK, sqlite("INSERT INTO users (username, age) VALUES ('x', -1)").kind());
        assertEquals(Kind.OTHER, sqlite("SELECT * FROM nowhere").kind());
    }

    @Test
    void postgresStatesAndDetails() {
        assertEquals(new SqlError(Kind.UNIQUE, List.of("username")), SqlError.classify(new SQLException(
                "ERROR: duplicate key value violates unique constraint \"users_username_key\"\n  Detail: Key (username)=(bob) already exists.",
                "23505")));
        assertEquals(new SqlError(Kind.FOREIGN_KEY, List.of("author_id")), SqlError.classify(new SQLException(
                "ERROR: insert or update on table \"posts\" violates foreign key constraint\n  Detail: Key (author_id)=(9) is not present in table \"users\".",
                "23503")));
        assertEquals("title is required", SqlError.classify(new SQLException(
                "ERROR: null value in column \"title\" of relation \"posts\" violates not-null constraint", "23502"))
                .clientMessage());
        assertEquals(Kind.CHECK, SqlError.classify(new SQLException("check", "23514")).kind());
        assertEquals(Kind.UNAVAILABLE, SqlError.classify(new SQLException("I/O error", "08006")).kind());
        assertEquals(Kind.UNAVAILABLE, SqlError.classify(new SQLException("canceling statement due to statement timeout", "57014")).kind());
        assertEquals(Kind.UNAVAILABLE, SqlError.classify(new SQLTransientConnectionException("pool timeout")).kind());
        assertEquals(Kind.OTHER, SqlError.classify(new SQLException("syntax error", "42601")).kind());
        // class 22, data exceptions: a client's value, a 400
        SqlError nul = SqlError.classify(new SQLException("invalid byte sequence for encoding \"UTF8\": 0x00", "22021"));
        assertEquals(Kind.INVALID_VALUE, nul.kind());
        assertEquals("a value is not valid", nul.clientMessage());
        assertEquals(Kind.INVALID_VALUE, SqlError.classify(new SQLException("value too long", "22001")).kind());
        assertEquals(Kind.INVALID_VALUE, SqlError.classify(new SQLException("integer out of range", "22003")).kind());
    }

    @Test
    void sqliteDataExceptions() throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE typed (n INTEGER) STRICT");
        }
        assertEquals(Kind.INVALID_VALUE, sqlite("INSERT INTO typed (n) VALUES ('not a number')").kind());
    }

    @Test
    void findsTheSqlExceptionInACauseChain() {
        assertEquals(Kind.UNIQUE, SqlError.of(new RuntimeException(new SQLException("x", "23505"))).orElseThrow().kind());
        assertEquals(java.util.Optional.empty(), SqlError.of(new RuntimeException("no sql")));
    }
}
