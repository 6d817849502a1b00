package serv.blog.internal.jpa;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.persistence.EntityManager;
import javax.persistence.PersistenceException;

import serv.blog.internal.Post;
import serv.blog.internal.PostRepository;
import serv.blog.internal.Previews;
import serv.blog.internal.Store;
import serv.blog.internal.Timestamps;
import serv.blog.internal.User;
import serv.blog.internal.UserRepository;
import serv.core.Request;
import serv.database.SqlError;
import serv.jpa.EntityManagers;

/**
 * The repositories with JPA entities (EclipseLink), on the request's EntityManager: it shares the request's
 * connection and transaction with JDBC, so both implementations can be mixed and see each other's writes.
 */
public final class JpaStore implements Store {

    /** The blog's persistence unit (META-INF/persistence.xml). */
    public static final String UNIT = "serv.blog";

    private final EntityManagers entityManagers;

    public JpaStore(EntityManagers entityManagers) {
        this.entityManagers = entityManagers;
    }

    @Override
    public String id() {
        return "jpa";
    }

    @Override
    public PostRepository posts(Request request) {
        return new Posts(request, entityManagers);
    }

    @Override
    public UserRepository users(Request request) {
        return new Users(request, entityManagers);
    }

    private record Posts(Request request, EntityManagers entityManagers) implements PostRepository {

        private EntityManager em() {
            return entityManagers.of(request, UNIT);
        }

        @Override
        public List<Post> page(int limit, int offset) {
            // The hottest read is a projection in SQL through the EntityManager (same connection and transaction),
            // a named native query prepared once; entities serve the single-post reads and the writes. Its created_at
            // is a LocalDateTime (Serv's EclipseLink platforms: as the database holds it, whatever the JVM's zone).
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em().createNamedQuery(PostEntity.PAGE).setParameter(1, limit)
                    .setParameter(2, offset).getResultList();
            List<Post> page = new ArrayList<>(rows.size());
            for (Object[] r : rows) {
                page.add(new Post(((Number) r[0]).intValue(), (String) r[1], Previews.of((String) r[2]),
                        ((Number) r[3]).intValue(), (String) r[4], Timestamps.iso(r[5]), null));
            }
            return page;
        }

        @Override
        public Optional<Post> find(int id) {
            // A read-only query (its hint): no working copies in the persistence context.
            List<PostEntity> found = em().createNamedQuery(PostEntity.WITH_AUTHOR, PostEntity.class)
                    .setParameter("id", id)
                    .getResultList();
            return found.stream().findFirst().map(Posts::full);
        }

        @Override
        public Optional<Post> create(String title, String content, int authorId) {
            EntityManager em = em();
            PostEntity post = new PostEntity(title, content, authorId);
            em.persist(post);
            try {
                em.flush(); // one INSERT ... RETURNING id, created_at, updated_at
            } catch (PersistenceException e) {
                // The foreign key checks the author; the request's transaction is rolled back.
                if (SqlError.of(e).map(SqlError::kind).orElse(null) == SqlError.Kind.FOREIGN_KEY) {
                    return Optional.empty();
                }
                throw e;
            }
            return Optional.of(new Post(post.id(), title, content, authorId, null, post.createdAt(), null));
        }

        @Override
        public boolean update(int id, String title, String content) {
            EntityManager em = em();
            int n = em.createNamedQuery(PostEntity.UPDATE)
                    .setParameter("title", title)
                    .setParameter("content", content)
                    .setParameter("id", id)
                    .executeUpdate();
            em.clear(); // a bulk update bypasses the persistence context: forget what it held
            return n > 0;
        }

        @Override
        public boolean delete(int id) {
            EntityManager em = em();
            int n = em.createNamedQuery(PostEntity.DELETE).setParameter("id", id).executeUpdate();
            em.clear();
            return n > 0;
        }

        private static Post full(PostEntity p) {
            UserEntity author = p.author();
            return new Post(p.id(), p.title(), p.content(), author.id(), author.username(), p.createdAt(),
                    p.updatedAt());
        }
    }

    private record Users(Request request, EntityManagers entityManagers) implements UserRepository {

        private EntityManager em() {
            return entityManagers.of(request, UNIT);
        }

        @Override
        public List<User> page(int limit, int offset) {
            List<User> page = new ArrayList<>(limit);
            for (UserEntity u : em().createNamedQuery(UserEntity.PAGE, UserEntity.class).setFirstResult(offset)
                    .setMaxResults(limit).getResultList()) {
                page.add(user(u));
            }
            return page;
        }

        @Override
        public boolean updateEmail(int id, String email) {
            EntityManager em = em();
            UserEntity user = em.find(UserEntity.class, id);
            if (user == null) {
                return false;
            }
            user.email(email);
            em.flush(); // a taken email fails here, as a unique violation
            return true;
        }

        @Override
        public boolean delete(int id) {
            EntityManager em = em();
            int n = em.createNamedQuery(UserEntity.DELETE).setParameter("id", id).executeUpdate();
            em.clear();
            return n > 0;
        }

        @Override
        public Optional<User> find(int id) {
            return Optional.ofNullable(em().find(UserEntity.class, id)).map(Users::user);
        }

        @Override
        public Optional<User> byUsername(String username) {
            return em().createNamedQuery(UserEntity.BY_USERNAME, UserEntity.class)
                    .setParameter("name", username).getResultList().stream().findFirst().map(Users::user);
        }

        @Override
        public User create(String username, String email, String passwordHash) {
            EntityManager em = em();
            UserEntity user = new UserEntity(username, email, passwordHash);
            em.persist(user);
            em.flush(); // one INSERT ... RETURNING id, created_at
            return user(user);
        }

        private static User user(UserEntity u) {
            return new User(u.id(), u.username(), u.email(), u.createdAt());
        }
    }
}
