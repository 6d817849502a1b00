package serv.blog.internal;

import java.util.List;
import java.util.Optional;

/**
 * The posts table, the seed's {@code PostRepository}. An instance works for one request, on its connection (JDBC)
 * or its EntityManager (JPA); both implementations give the same answers.
 */
public interface PostRepository {

    /** The newest posts first ({@code created_at}, then id, descending), with previews for content. */
    List<Post> page(int limit, int offset) throws Exception;

    /** One post with its author's name, or empty. */
    Optional<Post> find(int id) throws Exception;

    /**
     * Inserts a post and answers it with its id and created_at; empty when the author does not exist. The insert
     * itself checks the author, through the foreign key (no other request can delete the author between a check
     * and the insert). The request's transaction cannot go on after a refused insert on PostgreSQL: the caller
     * answers the refusal.
     */
    Optional<Post> create(String title, String content, int authorId) throws Exception;

    /** Sets title and content and {@code updated_at}; false when there is no such post. */
    boolean update(int id, String title, String content) throws Exception;

    /** Deletes a post; false when there is no such post. */
    boolean delete(int id) throws Exception;
}
