package serv.blog.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import serv.core.Handler;
import serv.core.HttpException;
import serv.core.Request;
import serv.core.Response;
import serv.database.SqlError;

/** The users besides their creation ({@link CreateUser}): the rest of the seed's {@code UserRepository}. */
final class UserRoutes {

    private UserRoutes() {
    }

    /** {@code GET /users?limit=N&offset=M}: users by id, with the same paging rules as the posts. */
    static Handler list(Blog blog) {
        return (request, response) -> {
            int limit = Math.max(1, Math.min(100, Fields.queryInt(request.query("limit"), "limit", 20)));
            int offset = Math.max(0, Fields.queryInt(request.query("offset"), "offset", 0));
            List<Map<String, Object>> users = new ArrayList<>(limit);
            for (User u : blog.users(request).page(limit, offset)) {
                users.add(CreateUser.json(u));
            }
            response.json(Map.of("users", users));
        };
    }

    /**
     * {@code GET /users/{id}}, {@code PUT /users/{id}} (email; 409 when another user has it) and
     * {@code DELETE /users/{id}} (204; 409 while the user has posts); 404 when there is no such user.
     */
    static Handler one(Blog blog) {
        return (Request request, Response response) -> {
            int id = Fields.userId(request.pathParam("id"));
            UserRepository users = blog.users(request);
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
        };
    }
}
