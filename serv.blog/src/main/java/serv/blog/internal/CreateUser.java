package serv.blog.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import serv.core.Handler;
import serv.core.HttpException;
import serv.core.Passwords;
import serv.core.Request;
import serv.core.Response;

/**
 * {@code POST /users} ({@code username}, {@code email}, {@code password}, as a form or JSON): 201 with the user,
 * never the password or its hash. A username or email already taken is a 409 from the unique constraints, the same
 * on PostgreSQL and SQLite.
 */
final class CreateUser implements Handler {

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{1,50}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}");

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
        if (!USERNAME.matcher(username).matches()) {
            throw HttpException.badRequest("username must be 1-50 letters, digits, '_', '.' or '-'");
        }
        if (email.length() > 100 || !EMAIL.matcher(email).matches()) {
            throw HttpException.badRequest("email must be a valid address of at most 100 characters");
        }
        int length = password.codePointCount(0, password.length());
        if (length < 8 || length > 200) {
            throw HttpException.badRequest("password must be 8-200 characters");
        }
        String hash = Passwords.hash(password); // before borrowing: a derivation takes a while
        User user = blog.users(request).create(username, email, hash);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", user.id());
        body.put("username", user.username());
        body.put("email", user.email());
        body.put("created_at", user.createdAt());
        response.status(201).json(body);
    }
}
