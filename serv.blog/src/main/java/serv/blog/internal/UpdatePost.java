package serv.blog.internal;

import java.sql.PreparedStatement;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import serv.core.Handler;
import serv.core.HttpException;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;

/**
 * {@code PUT /posts/{id}} (title, content; sets updated_at) and {@code DELETE /posts/{id}} (204; 404 when missing),
 * each in the request's transaction.
 */
@Component(service = Handler.class)
@Route(path = "/posts/{id}", methods = { "PUT", "DELETE" }, database = "default")
public final class UpdatePost implements Handler {

    @Override
    public void handle(Request request, Response response) throws Exception {
        int id = PostDetail.postId(request.pathParam("id"));
        if (request.method().equals("DELETE")) {
            try (PreparedStatement st = request.connection().prepareStatement("DELETE FROM posts WHERE id = ?")) {
                st.setInt(1, id);
                if (st.executeUpdate() == 0) {
                    throw HttpException.notFound("post not found");
                }
            }
            response.status(204);
            return;
        }
        Map<String, String> form = request.form();
        String title = CreatePost.title(form);
        String content = CreatePost.content(form);
        try (PreparedStatement st = request.connection().prepareStatement(
                "UPDATE posts SET title = ?, content = ?, updated_at = CURRENT_TIMESTAMP WHERE id = ?")) {
            st.setString(1, title);
            st.setString(2, content);
            st.setInt(3, id);
            if (st.executeUpdate() == 0) {
                throw HttpException.notFound("post not found");
            }
        }
        PostDetail.answer(request, response, id);
    }
}
