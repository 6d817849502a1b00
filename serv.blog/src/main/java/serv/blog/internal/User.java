package serv.blog.internal;

/**
 * A user as the blog answers it: never the password or its hash.
 *
 * @param id the user's id
 * @param username unique
 * @param email unique
 * @param createdAt ISO-8601 local date-time
 */
public record User(int id, String username, String email, String createdAt) {
}
