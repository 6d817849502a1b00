package serv.blog.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import serv.core.Handler;
import serv.core.HttpException;
import serv.core.security.Passwords;
import serv.core.Request;
import serv.core.Response;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import serv.core.Route;

/**
 * {@code POST /users} ({@code username}, {@code email}, {@code password}, as a form or JSON): 201 with the user,
 * never the password or its hash. A username or email already taken is a 409 from the unique constraints, the same
 * on PostgreSQL and SQLite.
 */
@Component(service = Handler.class, configurationPid = Blog.PID)
@Route(path = "/users", methods = "POST", database = "default")
public final class CreateUser implements Handler {

    private final Blog blog;
    private volatile Store store;

    @Activate
    public CreateUser(@Reference Blog blog, BlogConfiguration settings) {
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
        String username = form.getOrDefault("username", "");
        String email = form.getOrDefault("email", "");
        String password = form.getOrDefault("password", "");
        Fields.username(username);
        Fields.email(email);
        int length = password.codePointCount(0, password.length());
        if (length < 8 || length > 200) {
            throw HttpException.badRequest("password must be 8-200 characters");
        }
        String hash = Passwords.hash(password); // before borrowing: a derivation takes a while
        User user = store.users(request).create(username, email, hash);
        response.status(201).json(json(user));
    }

    /** A user as the blog answers it: never the password or its hash. */
    static Map<String, Object> json(User user) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", user.id());
        body.put("username", user.username());
        body.put("email", user.email());
        body.put("created_at", user.createdAt());
        return body;
    }
}
