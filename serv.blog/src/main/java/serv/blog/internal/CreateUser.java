package serv.blog.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import serv.core.Handler;
import serv.core.HttpException;
import serv.core.security.Passwords;
import serv.core.Request;
import serv.core.Response;

/**
 * {@code POST /users} ({@code username}, {@code email}, {@code password}, as a form or JSON): 201 with the user,
 * never the password or its hash. A username or email already taken is a 409 from the unique constraints, the same
 * on PostgreSQL and SQLite.
 */
final class CreateUser implements Handler {

    private final Blog blog;

    CreateUser(Blog blog) {
        this.blog = blog;
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
        User user = blog.users(request).create(username, email, hash);
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
