package serv.blog.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import serv.core.Route;

/**
 * {@code GET /posts?limit=N&offset=M}: the newest posts first, with the author's name and the content cut to 200
 * characters (code points). The seed's {@code PostList}.
 */
@Component(service = Handler.class, configurationPid = Blog.PID)
@Route(path = "/posts", methods = "GET", database = "default")
public final class PostList implements Handler {

    private final Blog blog;
    private volatile Store store;

    @Activate
    public PostList(@Reference Blog blog, BlogConfiguration settings) {
        this.blog = blog;
        modified(settings);
    }

    /** A new repository setting applies to the next request; the database setting moves the route (Serv does it). */
    @Modified
    void modified(BlogConfiguration settings) {
        store = blog.store(settings);
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        int limit = Math.max(1, Math.min(100, Fields.queryInt(request.query("limit"), "limit", 20)));
        int offset = Math.max(0, Fields.queryInt(request.query("offset"), "offset", 0));
        List<Map<String, Object>> posts = new ArrayList<>(limit);
        for (Post p : Blog.posts(store, request).page(limit, offset)) {
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
