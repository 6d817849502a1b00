package serv.blog.internal;

import java.util.Map;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;

/** {@code PUT /posts/{id}} (title, content; 200 with the post) and {@code DELETE /posts/{id}} (204); 404 if none. */
final class UpdatePost implements Handler {

    private final Blog blog;

    UpdatePost(Blog blog) {
        this.blog = blog;
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        int id = Fields.postId(request.pathParam("id"));
        if (request.method().equals("DELETE")) {
            blog.posts(request).delete(id);
            response.status(204);
            return;
        }
        Map<String, String> form = request.form();
        String title = Fields.title(form);
        String content = Fields.content(form);
        response.json(PostDetail.json(blog.posts(request).update(id, title, content)));
    }
}
