import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The yardstick of bench/blog.sh: the blog's three measured endpoints, hand-wired on Jetty 12 (one servlet),
 * HikariCP, JDBC and Jackson, with the blog's SQL, checks and answers, and no framework: no routing table, no
 * middleware, no per-request context, one transaction per write done by hand. Whatever Serv is slower by is what
 * its layers cost.
 *
 * <pre>java -cp target/classes:target/lib/* Baseline PORT JDBC_URL [POOL]</pre>
 */
public final class Baseline extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS");
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS");

    private final transient HikariDataSource pool;

    private Baseline(HikariDataSource pool) {
        this.pool = pool;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[1]);
        config.setUsername("postgres");
        config.setMinimumIdle(size);
        config.setMaximumPoolSize(size);
        HikariDataSource pool = new HikariDataSource(config);

        Server server = new Server();
        ServerConnector http = new ServerConnector(server);
        http.setHost("127.0.0.1");
        http.setPort(port);
        server.addConnector(http);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new Baseline(pool)), "/*");
        server.setHandler(context);
        server.start();
        System.out.println("Baseline ready at http://127.0.0.1:" + port);
        server.join();
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        String method = req.getMethod();
        try {
            if (path.equals("/posts") && method.equals("GET")) {
                list(req, resp);
            } else if (path.equals("/posts") && method.equals("POST")) {
                create(req, resp);
            } else if (path.startsWith("/posts/") && method.equals("GET")) {
                detail(path.substring("/posts/".length()), resp);
            } else {
                send(resp, 404, Map.of("error", "not found"));
            }
        } catch (BadRequest e) {
            send(resp, 400, Map.of("error", e.getMessage()));
        } catch (SQLException e) {
            send(resp, 500, Map.of("error", "internal server error"));
        }
    }

    private void list(HttpServletRequest req, HttpServletResponse resp) throws IOException, SQLException {
        int limit = Math.max(1, Math.min(100, integer(req.getParameter("limit"), 20, "limit")));
        int offset = Math.max(0, integer(req.getParameter("offset"), 0, "offset"));
        List<Map<String, Object>> posts = new ArrayList<>(limit);
        try (Connection c = pool.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT p.id, p.title, substr(p.content, 1, 201), p.author_id, u.username, p.created_at
                FROM posts p JOIN users u ON p.author_id = u.id
                ORDER BY p.created_at DESC, p.id DESC
                LIMIT ? OFFSET ?""")) {
            st.setInt(1, limit);
            st.setInt(2, offset);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> post = new LinkedHashMap<>();
                    post.put("id", rs.getInt(1));
                    post.put("title", rs.getString(2));
                    post.put("content", preview(rs.getString(3)));
                    post.put("author", rs.getString(5));
                    post.put("created_at", iso(rs.getObject(6, LocalDateTime.class)));
                    posts.add(post);
                }
            }
        }
        send(resp, 200, Map.of("posts", posts));
    }

    private void detail(String idText, HttpServletResponse resp) throws IOException, SQLException {
        int id = id(idText);
        try (Connection c = pool.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT p.id, p.title, p.content, p.author_id, u.username, p.created_at, p.updated_at
                FROM posts p JOIN users u ON p.author_id = u.id
                WHERE p.id = ?""")) {
            st.setInt(1, id);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    send(resp, 404, Map.of("error", "post not found"));
                    return;
                }
                Map<String, Object> post = new LinkedHashMap<>();
                post.put("id", rs.getInt(1));
                post.put("title", rs.getString(2));
                post.put("content", rs.getString(3));
                post.put("author", rs.getString(5));
                post.put("created_at", iso(rs.getObject(6, LocalDateTime.class)));
                post.put("updated_at", iso(rs.getObject(7, LocalDateTime.class)));
                send(resp, 200, post);
            }
        }
    }

    private void create(HttpServletRequest req, HttpServletResponse resp) throws IOException, SQLException {
        String title = text(req.getParameter("title"), "title", 200);
        String content = text(req.getParameter("content"), "content", 10_000);
        int authorId = integer(req.getParameter("author_id"), null, "author_id");
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement(
                    "INSERT INTO posts (title, content, author_id) VALUES (?, ?, ?) RETURNING id, created_at")) {
                st.setString(1, title);
                st.setString(2, content);
                st.setInt(3, authorId);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    Map<String, Object> post = new LinkedHashMap<>();
                    post.put("id", rs.getInt(1));
                    post.put("title", title);
                    post.put("content", content);
                    post.put("author_id", authorId);
                    post.put("created_at", iso(rs.getObject(2, LocalDateTime.class)));
                    c.commit();
                    send(resp, 201, post);
                }
            } catch (SQLException e) {
                c.rollback();
                if ("23503".equals(e.getSQLState())) {
                    throw new BadRequest("author not found");
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private static void send(HttpServletResponse resp, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        resp.setStatus(status);
        resp.setContentType("application/json;charset=utf-8");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    private static String preview(String content) {
        if (content.codePointCount(0, content.length()) <= 200) {
            return content;
        }
        return content.substring(0, content.offsetByCodePoints(0, 200)) + "...";
    }

    private static String iso(LocalDateTime time) {
        if (time == null) {
            return null;
        }
        int nanos = time.getNano();
        return time.format(nanos == 0 ? SECONDS : nanos % 1_000_000 == 0 ? MILLIS : MICROS);
    }

    private static int id(String text) {
        if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new BadRequest("id must be an integer");
        }
        long value = Long.parseLong(text);
        if (value > Integer.MAX_VALUE) {
            throw new BadRequest("id must be an integer");
        }
        return (int) value;
    }

    private static int integer(String text, Integer fallback, String name) {
        if (text == null || text.isEmpty()) {
            if (fallback == null) {
                throw new BadRequest(name + " is required");
            }
            return fallback;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new BadRequest(name + " must be an integer");
        }
    }

    private static String text(String value, String name, int max) {
        if (value == null || value.isEmpty()) {
            throw new BadRequest(name + " is required");
        }
        if (value.codePointCount(0, value.length()) > max) {
            throw new BadRequest(name + " must be at most " + max + " characters");
        }
        return value;
    }

    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }
}
