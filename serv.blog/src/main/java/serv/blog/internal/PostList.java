package serv.blog.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import serv.core.Handler;
import serv.core.HttpException;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;

/**
 * {@code GET /posts?limit=N&offset=M}: the newest posts first, with the author's name and the content cut to 200
 * characters (code points). The seed's {@code PostList}.
 */
@Component(service = Handler.class)
@Route(path = "/posts", methods = "GET", database = "default")
public final class PostList implements Handler {

    static final int MAX_PREVIEW = 200;

    @Override
    public void handle(Request request, Response response) throws Exception {
        int limit = Math.max(1, Math.min(100, intParam(request, "limit", 20)));
        int offset = Math.max(0, intParam(request, "offset", 0));
        List<Map<String, Object>> posts = new ArrayList<>();
        Connection c = request.connection();
        try (PreparedStatement st = c.prepareStatement("""
                SELECT p.id, p.title, substr(p.content, 1, 201), u.username, p.created_at
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
                    post.put("author", rs.getString(4));
                    post.put("created_at", Timestamps.iso(rs, 5));
                    posts.add(post);
                }
            }
        }
        response.json(Map.of("posts", posts));
    }

    /**
     * The first 200 code points, and "..." when the text is longer. The query fetches at most 201 characters
     * ({@code substr} counts characters on both PostgreSQL and SQLite): enough to know whether to cut.
     */
    static String preview(String content) {
        if (content.codePointCount(0, content.length()) <= MAX_PREVIEW) {
            return content;
        }
        return content.substring(0, content.offsetByCodePoints(0, MAX_PREVIEW)) + "...";
    }

    /** An integer query parameter; any number of digits (clamped later), but nothing that is not an integer. */
    static int intParam(Request request, String name, int fallback) {
        String value = request.query(name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        if (!value.matches("-?[0-9]+")) {
            throw HttpException.badRequest(name + " must be an integer");
        }
        String digits = value.replaceFirst("^(-?)0+(?=[0-9])", "$1");
        if (digits.length() > 10) {
            return digits.startsWith("-") ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        }
        long v = Long.parseLong(digits);
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }
}
