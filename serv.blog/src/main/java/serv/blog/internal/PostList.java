package serv.blog.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;

/**
 * {@code GET /posts?limit=N&offset=M}: the newest posts first, with the author's name and the content cut to 200
 * characters (code points). The seed's {@code PostList}.
 */
final class PostList implements Handler {

    private final Blog blog;

    PostList(Blog blog) {
        this.blog = blog;
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        int limit = Math.max(1, Math.min(100, Fields.queryInt(request.query("limit"), "limit", 20)));
        int offset = Math.max(0, Fields.queryInt(request.query("offset"), "offset", 0));
        List<Map<String, Object>> posts = new ArrayList<>(limit);
        for (Post p : blog.posts(request).page(limit, offset)) {
            Map<String, Object> post = new LinkedHashMap<>();
            post.put("id", p.id());
            post.put("title", p.title());
            post.put("content", p.content());
            post.put("author", p.author());
            post.put("created_at", p.createdAt());
            posts.add(post);
        }
        response.json(Map.of("posts", posts));
    }
}
