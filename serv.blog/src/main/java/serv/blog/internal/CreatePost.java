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

/**
 * {@code POST /posts} with a form or JSON body ({@code title}, {@code content}, {@code author_id}): 201 with the
 * new post. Runs in the request's transaction. The seed's {@code CreatePost}.
 */
@Component(service = Handler.class, configurationPid = Blog.PID)
@Route(path = "/posts", methods = "POST", database = "default")
public final class CreatePost implements Handler {

    private final Blog blog;
    private volatile Store store;

    @Activate
    public CreatePost(@Reference Blog blog, BlogConfiguration settings) {
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
        Map<String, String> form = request.form();
        String title = Fields.title(form);
        String content = Fields.content(form);
        int authorId = Fields.integer(form, "author_id");
        Post created = Blog.posts(store, request).create(title, content, authorId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", created.id());
        body.put("title", created.title());
        body.put("content", created.content());
        body.put("author_id", created.authorId());
        body.put("created_at", created.createdAt());
        response.status(201).json(body);
    }
}
