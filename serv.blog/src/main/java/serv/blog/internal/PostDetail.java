package serv.blog.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import serv.core.Route;

/** {@code GET /posts/{id}}: one post, or 404. The seed's {@code PostDetail}. */
@Component(service = Handler.class, configurationPid = Blog.PID)
@Route(path = "/posts/{id}", methods = "GET", database = "default")
public final class PostDetail implements Handler {

    private final Blog blog;
    private volatile Store store;

    @Activate
    public PostDetail(@Reference Blog blog, BlogConfiguration settings) {
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
        response.json(json(Blog.posts(store, request).get(Fields.postId(request.pathParam("id")))));
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
