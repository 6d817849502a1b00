package serv.blog.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;

/** {@code GET /users?limit=N&offset=M}: users by id, with the same paging rules as the posts. */
@Component(service = Handler.class, configurationPid = Blog.PID)
@Route(path = "/users", methods = "GET", database = "default")
public final class UserList implements Handler {

    private final Blog blog;
    private volatile Store store;

    @Activate
    public UserList(@Reference Blog blog, BlogConfiguration settings) {
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
        List<Map<String, Object>> users = new ArrayList<>(limit);
        for (User u : store.users(request).page(limit, offset)) {
            users.add(CreateUser.json(u));
        }
        response.json(Map.of("users", users));
    }
}
