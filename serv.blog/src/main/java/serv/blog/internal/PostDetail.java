package serv.blog.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;

/** {@code GET /posts/{id}}: one post, or 404. The seed's {@code PostDetail}. */
final class PostDetail implements Handler {

    private final Blog blog;

    PostDetail(Blog blog) {
        this.blog = blog;
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        response.json(json(blog.posts(request).get(Fields.postId(request.pathParam("id")))));
    }

    /** A post with everything, as {@code GET /posts/{id}} and {@code PUT} answer it. */
    static Map<String, Object> json(Post p) {
        Map<String, Object> post = new LinkedHashMap<>();
        post.put("id", p.id());
        post.put("title", p.title());
        post.put("content", p.content());
        post.put("author", p.author());
        post.put("created_at", p.createdAt());
        post.put("updated_at", p.updatedAt());
        return post;
    }
}
