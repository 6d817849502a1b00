package serv.blog.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

import serv.core.Handler;
import serv.core.HttpException;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;
import serv.database.SqlError;

/**
 * {@code GET /users/{id}}, {@code PUT /users/{id}} (email; 409 when another user has it) and
 * {@code DELETE /users/{id}} (204; 409 while the user has posts); 404 when there is no such user.
 */
@Component(service = Handler.class, configurationPid = Blog.PID)
@Route(path = "/users/{id}", methods = { "GET", "PUT", "DELETE" }, database = "default")
public final class UserDetail implements Handler {

    private final Blog blog;
    private volatile Store store;

    @Activate
    public UserDetail(@Reference Blog blog, BlogConfiguration settings) {
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
        int id = Fields.userId(request.pathParam("id"));
        UserRepository users = store.users(request);
        switch (request.method()) {
            case "PUT" -> {
                String email = Fields.email(request.form().get("email"));
                if (!users.updateEmail(id, email)) {
                    throw HttpException.notFound("user not found");
                }
            }
            case "DELETE" -> {
                boolean deleted;
                try {
                    deleted = users.delete(id);
                } catch (Exception e) {
                    if (SqlError.of(e).map(SqlError::kind).orElse(null) == SqlError.Kind.FOREIGN_KEY) {
                        throw HttpException.conflict("user has posts");
                    }
                    throw e;
                }
                if (!deleted) {
                    throw HttpException.notFound("user not found");
                }
                response.status(204);
                return;
            }
            default -> {
                // GET: below
            }
        }
        response.json(CreateUser.json(users.find(id).orElseThrow(() -> HttpException.notFound("user not found"))));
    }
}
