package serv.blog.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import serv.core.Handler;
import serv.core.HttpException;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;

/** {@code GET /posts/{id}}: one post, whole. The seed's {@code PostDetail}. */
@Component(service = Handler.class)
@Route(path = "/posts/{id}", methods = "GET", database = "default")
public final class PostDetail implements Handler {

    @Override
    public void handle(Request request, Response response) throws Exception {
        answer(request, response, postId(request.pathParam("id")));
    }

    /** Answers with one post as JSON, or 404. */
    static void answer(Request request, Response response, int id) throws Exception {
        try (PreparedStatement st = request.connection().prepareStatement("""
                SELECT p.id, p.title, p.content, u.username, p.created_at, p.updated_at
                FROM posts p JOIN users u ON p.author_id = u.id
                WHERE p.id = ?""")) {
            st.setInt(1, id);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw HttpException.notFound("post not found");
                }
                Map<String, Object> post = new LinkedHashMap<>();
                post.put("id", rs.getInt(1));
                post.put("title", rs.getString(2));
                post.put("content", rs.getString(3));
                post.put("author", rs.getString(4));
                post.put("created_at", Timestamps.iso(rs, 5));
                post.put("updated_at", Timestamps.iso(rs, 6));
                response.json(post);
            }
        }
    }

    /** An ASCII integer in the 32-bit range: no sign, no spaces, no hex, no fraction. */
    static int postId(String text) {
        if (text == null || !text.matches("[0-9]{1,10}")) {
            throw HttpException.badRequest("invalid post id");
        }
        long value = Long.parseLong(text);
        if (value > Integer.MAX_VALUE) {
            throw HttpException.badRequest("invalid post id");
        }
        return (int) value;
    }
}
