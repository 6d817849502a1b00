package serv.blog.internal.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import serv.blog.internal.Post;
import serv.blog.internal.PostRepository;
import serv.blog.internal.Previews;
import serv.blog.internal.Store;
import serv.blog.internal.Timestamps;
import serv.blog.internal.User;
import serv.blog.internal.UserRepository;
import serv.core.Request;
import serv.database.Database;
import serv.database.Dialect;
import serv.database.SqlError;

/** The repositories in plain JDBC on the request's connection: one statement per call, no other state. */
public final class JdbcStore implements Store {

    @Override
    public String id() {
        return "jdbc";
    }

    @Override
    public PostRepository posts(Request request) {
        return new Posts(request, typed(request));
    }

    @Override
    public UserRepository users(Request request) {
        return new Users(request, typed(request));
    }

    /**
     * Whether the route's database reads its timestamps as {@link java.time.LocalDateTime}s: PostgreSQL's, whose
     * driver otherwise makes a {@link java.sql.Timestamp} through a calendar of the JVM's zone; SQLite keeps text,
     * which its driver's conversions would put through that calendar.
     */
    private static boolean typed(Request request) {
        return request.database().flatMap(Database::dialect).orElse(null) == Dialect.POSTGRESQL;
    }

    private record Posts(Request request, boolean typed) implements PostRepository {

        /**
         * A page of the list, newest first, by limit and offset. A constant: formatted at each call, the text cost
         * 2% of the list's CPU (a Formatter per request).
         */
        private static final String PAGE = "SELECT p.id, p.title, substr(p.content, 1, " + Previews.FETCH + "),"
                + " p.author_id, u.username, p.created_at FROM posts p JOIN users u ON p.author_id = u.id"
                + " ORDER BY p.created_at DESC, p.id DESC LIMIT ? OFFSET ?";

        @Override
        public List<Post> page(int limit, int offset) throws SQLException {
            List<Post> page = new ArrayList<>(limit);
            try (PreparedStatement st = request.connection().prepareStatement(PAGE)) {
                st.setInt(1, limit);
                st.setInt(2, offset);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        page.add(new Post(rs.getInt(1), rs.getString(2), Previews.of(rs.getString(3)), rs.getInt(4),
                                rs.getString(5), Timestamps.iso(rs, 6, typed), null));
                    }
                }
            }
            return page;
        }

        @Override
        public Optional<Post> find(int id) throws SQLException {
            try (PreparedStatement st = request.connection().prepareStatement("""
                    SELECT p.id, p.title, p.content, p.author_id, u.username, p.created_at, p.updated_at
                    FROM posts p JOIN users u ON p.author_id = u.id
                    WHERE p.id = ?""")) {
                st.setInt(1, id);
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Post(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            rs.getString(5), Timestamps.iso(rs, 6, typed), Timestamps.iso(rs, 7, typed)));
                }
            }
        }

        @Override
        public Optional<Post> create(String title, String content, int authorId) throws SQLException {
            // The foreign key checks the author, in the insert itself. Like the JPA implementation, a refused
            // insert uses up a value of PostgreSQL's serial: both answer the same ids.
            try (PreparedStatement st = request.connection().prepareStatement(
                    "INSERT INTO posts (title, content, author_id) VALUES (?, ?, ?) RETURNING id, created_at")) {
                st.setString(1, title);
                st.setString(2, content);
                st.setInt(3, authorId);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return Optional.of(new Post(rs.getInt(1), title, content, authorId, null,
                            Timestamps.iso(rs, 2, typed), null));
                }
            } catch (SQLException e) {
                if (SqlError.classify(e).kind() == SqlError.Kind.FOREIGN_KEY) {
                    return Optional.empty();
                }
                throw e;
            }
        }

        @Override
        public boolean update(int id, String title, String content) throws SQLException {
            try (PreparedStatement st = request.connection().prepareStatement(
                    "UPDATE posts SET title = ?, content = ? WHERE id = ?")) {
                st.setString(1, title);
                st.setString(2, content);
                st.setInt(3, id);
                return st.executeUpdate() > 0;
            }
        }

        @Override
        public boolean delete(int id) throws SQLException {
            try (PreparedStatement st = request.connection().prepareStatement("DELETE FROM posts WHERE id = ?")) {
                st.setInt(1, id);
                return st.executeUpdate() > 0;
            }
        }
    }

    private record Users(Request request, boolean typed) implements UserRepository {

        @Override
        public List<User> page(int limit, int offset) throws SQLException {
            List<User> page = new ArrayList<>(limit);
            try (PreparedStatement st = request.connection().prepareStatement(
                    "SELECT id, username, email, created_at FROM users ORDER BY id LIMIT ? OFFSET ?")) {
                st.setInt(1, limit);
                st.setInt(2, offset);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        page.add(user(rs));
                    }
                }
            }
            return page;
        }

        @Override
        public boolean updateEmail(int id, String email) throws SQLException {
            try (PreparedStatement st = request.connection().prepareStatement(
                    "UPDATE users SET email = ? WHERE id = ?")) {
                st.setString(1, email);
                st.setInt(2, id);
                return st.executeUpdate() > 0;
            }
        }

        @Override
        public boolean delete(int id) throws SQLException {
            try (PreparedStatement st = request.connection().prepareStatement("DELETE FROM users WHERE id = ?")) {
                st.setInt(1, id);
                return st.executeUpdate() > 0;
            }
        }

        private User user(ResultSet rs) throws SQLException {
            return new User(rs.getInt(1), rs.getString(2), rs.getString(3), Timestamps.iso(rs, 4, typed));
        }

        @Override
        public Optional<User> find(int id) throws SQLException {
            return one("SELECT id, username, email, created_at FROM users WHERE id = ?", st -> st.setInt(1, id));
        }

        @Override
        public Optional<User> byUsername(String username) throws SQLException {
            return one("SELECT id, username, email, created_at FROM users WHERE username = ?",
                    st -> st.setString(1, username));
        }

        @Override
        public User create(String username, String email, String passwordHash) throws SQLException {
            Connection c = request.connection();
            try (PreparedStatement st = c.prepareStatement(
                    "INSERT INTO users (username, email, password_hash) VALUES (?, ?, ?) RETURNING id, created_at")) {
                st.setString(1, username);
                st.setString(2, email);
                st.setString(3, passwordHash);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return new User(rs.getInt(1), username, email, Timestamps.iso(rs, 2, typed));
                }
            }
        }

        private interface Binder {
            void bind(PreparedStatement st) throws SQLException;
        }

        private Optional<User> one(String sql, Binder binder) throws SQLException {
            try (PreparedStatement st = request.connection().prepareStatement(sql)) {
                binder.bind(st);
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(user(rs));
                }
            }
        }
    }
}
