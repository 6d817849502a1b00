package serv.blog.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import serv.core.Handler;
import serv.core.HttpException;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;
import serv.database.SqlError;

/**
 * {@code POST /posts} with a form or JSON body ({@code title}, {@code content}, {@code author_id}): 201 with the
 * new post. Runs in the request's transaction. The seed's {@code CreatePost}.
 */
@Component(service = Handler.class)
@Route(path = "/posts", methods = "POST", database = "default")
public final class CreatePost implements Handler {

    /** The title field: 1-200 characters (code points), else a 400. */
    static String title(Map<String, String> form) {
        return text(form, "title", 200);
    }

    /** The content field: 1-10000 characters (code points), else a 400. */
    static String content(Map<String, String> form) {
        return text(form, "content", 10000);
    }

    private static String text(Map<String, String> form, String field, int max) {
        String value = form.getOrDefault(field, "");
        int length = value.codePointCount(0, value.length());
        if (length < 1 || length > max) {
            throw HttpException.badRequest(field + " must be 1-" + max + " characters");
        }
        return value;
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
        int id;
        String createdAt;
        // One statement: the foreign key says whether the author exists (and no race between a check and the insert).
        try (PreparedStatement st = request.connection().prepareStatement(
                "INSERT INTO posts (title, content, author_id) VALUES (?, ?, ?) RETURNING id, created_at")) {
            st.setString(1, title);
            st.setString(2, content);
            st.setInt(3, authorId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                id = rs.getInt(1);
                createdAt = Timestamps.iso(rs, 2);
            }
        } catch (SQLException e) {
            if (SqlError.classify(e).kind() == SqlError.Kind.FOREIGN_KEY) {
                throw HttpException.badRequest("author not found");
            }
            throw e;
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
