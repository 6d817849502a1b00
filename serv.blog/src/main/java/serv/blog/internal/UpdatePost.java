package serv.blog.internal;

import java.util.Map;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import serv.core.Route;

/** {@code PUT /posts/{id}} (title, content; 200 with the post) and {@code DELETE /posts/{id}} (204); 404 if none. */
@Component(service = Handler.class, configurationPid = Blog.PID)
@Route(path = "/posts/{id}", methods = { "PUT", "DELETE" }, database = "default")
public final class UpdatePost implements Handler {

    private final Blog blog;
    private volatile Store store;

    @Activate
    public UpdatePost(@Reference Blog blog, BlogConfiguration settings) {
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
        int id = Fields.postId(request.pathParam("id"));
        if (request.method().equals("DELETE")) {
            Blog.posts(store, request).delete(id);
            response.status(204);
            return;
        }
        Map<String, String> form = request.form();
        String title = Fields.title(form);
        String content = Fields.content(form);
        response.json(PostDetail.json(Blog.posts(store, request).update(id, title, content)));
    }
}
