package serv.blog.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import serv.core.Handler;
import serv.core.HttpException;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;

/**
 * {@code POST /posts} with a form or JSON body ({@code title}, {@code content}, {@code author_id}): 201 with the
 * new post. Runs in the request's transaction. The seed's {@code CreatePost}.
 */
@Component(service = Handler.class)
@Route(path = "/posts", methods = "POST", database = "default")
public final class CreatePost implements Handler {

    /** The title field: 1-200 characters (code points), else a 400. */
    static String title(Map<String, String> form) {
        String title = form.getOrDefault("title", "");
        int length = title.codePointCount(0, title.length());
        if (length < 1 || length > 200) {
            throw HttpException.badRequest("title must be 1-200 characters");
        }
        return title;
    }

    /** The content field: 1-10000 characters (code points), else a 400. */
    static String content(Map<String, String> form) {
        String content = form.getOrDefault("content", "");
        int length = content.codePointCount(0, content.length());
        if (length < 1 || length > 10000) {
            throw HttpException.badRequest("content must be 1-10000 characters");
        }
        return content;
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        Map<String, String> form = request.form();
        String title = title(form);
        String content = content(form);
        String author = form.get("author_id");
        if (author == null || !author.matches("-?[0-9]{1,10}") || Long.parseLong(author) > Integer.MAX_VALUE
                || Long.parseLong(author) < Integer.MIN_VALUE) {
            throw HttpException.badRequest("author_id must be an integer");
        }
        int authorId = Integer.parseInt(author);
        Connection c = request.connection();
        try (PreparedStatement st = c.prepareStatement("SELECT 1 FROM users WHERE id = ?")) {
            st.setInt(1, authorId);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw HttpException.badRequest("author not found");
                }
            }
        }
        int id;
        try (PreparedStatement st = c.prepareStatement(
                "INSERT INTO posts (title, content, author_id) VALUES (?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            st.setString(1, title);
            st.setString(2, content);
            st.setInt(3, authorId);
            st.executeUpdate();
            try (ResultSet keys = st.getGeneratedKeys()) {
                keys.next();
                id = keys.getInt(1);
            }
        }
        String createdAt;
        try (PreparedStatement st = c.prepareStatement("SELECT created_at FROM posts WHERE id = ?")) {
            st.setInt(1, id);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                createdAt = Timestamps.iso(rs, 1);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("title", title);
        body.put("content", content);
        body.put("author_id", authorId);
        body.put("created_at", createdAt);
        response.status(201).json(body);
    }
}
