package serv.blog.internal;

import java.util.Optional;

/** The users table, for one request (see {@link PostRepository}). */
public interface UserRepository {

    /** One user, or empty. */
    Optional<User> find(int id) throws Exception;

    /** The user with this username, or empty. */
    Optional<User> byUsername(String username) throws Exception;

    /** Inserts a user; a taken username or email is a unique-constraint error (409). */
    User create(String username, String email, String passwordHash) throws Exception;
}
