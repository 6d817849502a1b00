package serv.blog.internal;

import java.util.List;
import java.util.Optional;

/** The users table, for one request (see {@link PostRepository}). */
public interface UserRepository {

    /** Users by id. */
    List<User> page(int limit, int offset) throws Exception;

    /** One user, or empty. */
    Optional<User> find(int id) throws Exception;

    /** The user with this username, or empty. */
    Optional<User> byUsername(String username) throws Exception;

    /** Inserts a user; a taken username or email is a unique-constraint error (409). */
    User create(String username, String email, String passwordHash) throws Exception;

    /** Sets a user's email; false when there is no such user; a taken email is a unique-constraint error (409). */
    boolean updateEmail(int id, String email) throws Exception;

    /** Deletes a user; false when there is no such user; one who still has posts is a foreign-key error. */
    boolean delete(int id) throws Exception;
}
