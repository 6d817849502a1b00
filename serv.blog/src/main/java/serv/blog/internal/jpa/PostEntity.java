package serv.blog.internal.jpa;

import javax.persistence.Column;
import javax.persistence.Convert;
import javax.persistence.Entity;
import javax.persistence.FetchType;
import javax.persistence.Id;
import javax.persistence.JoinColumn;
import javax.persistence.ManyToOne;
import javax.persistence.NamedNativeQuery;
import javax.persistence.NamedQuery;
import javax.persistence.QueryHint;
import javax.persistence.Table;

import org.eclipse.persistence.annotations.ReturnInsert;

import serv.blog.internal.Previews;

/**
 * A row of {@code posts}, with its author. Queries are named: EclipseLink prepares them once, when the unit starts,
 * instead of at every call.
 */
@Entity(name = "Post")
// Read-only (EclipseLink's QueryHints.READ_ONLY): the answer is built from the entities and they are not changed, so
// no working copies are registered in the persistence context (a fifth of this read's cost). A hint of the named
// query, read once when the unit starts: given at each call, its parsing cost 2% of the request.
@NamedQuery(name = PostEntity.WITH_AUTHOR, query = "SELECT p FROM Post p JOIN FETCH p.author WHERE p.id = :id",
        hints = @QueryHint(name = "eclipselink.read-only", value = "true"))
@NamedQuery(name = PostEntity.UPDATE, query = "UPDATE Post p SET p.title = :title, p.content = :content WHERE p.id = :id")
@NamedQuery(name = PostEntity.DELETE, query = "DELETE FROM Post p WHERE p.id = :id")
@NamedNativeQuery(name = PostEntity.PAGE, query = PostEntity.PAGE_SQL)
@Table(name = "posts")
public class PostEntity {

    /** One post and its author, by {@code :id}. */
    static final String WITH_AUTHOR = "Post.withAuthor";

    /** Sets {@code :title} and {@code :content} of post {@code :id} (updated_at follows: a trigger). */
    static final String UPDATE = "Post.update";

    /**
     * A page of the list, newest first, as rows (id, title, the preview's characters, author id, author name,
     * created_at), by {@code ?1} limit and {@code ?2} offset. SQL rather than JPQL: JPQL paged with
     * setFirstResult/setMaxResults is prepared anew at every call; named, this is prepared once.
     */
    static final String PAGE = "Post.page";

    static final String PAGE_SQL = "SELECT p.id, p.title, substr(p.content, 1, " + Previews.FETCH + "), p.author_id,"
            + " u.username, p.created_at FROM posts p JOIN users u ON p.author_id = u.id"
            + " ORDER BY p.created_at DESC, p.id DESC LIMIT ? OFFSET ?";

    /** Deletes post {@code :id}. */
    static final String DELETE = "Post.delete";

    /** Set by the database (a serial / INTEGER PRIMARY KEY), read back by the insert itself ({@code RETURNING}). */
    @Id
    @ReturnInsert(returnOnly = true)
    private Integer id;

    @Column(nullable = false, length = 200)
    private String title;

    @Column(nullable = false)
    private String content;

    /**
     * The author's id, written by an insert as it is: the database's foreign key checks it. A new post needs no
     * author entity (a {@code getReference} registered one in the persistence context: a twentieth of a create).
     */
    @Column(name = "author_id", nullable = false)
    private Integer authorId;

    /** The author, for reads ({@link #WITH_AUTHOR} fetches it); the column is {@link #authorId}'s. */
    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "author_id", nullable = false, insertable = false, updatable = false)
    private UserEntity author;

    /** Set by the database's default, read back by the insert. */
    @ReturnInsert(returnOnly = true)
    @Column(name = "created_at", insertable = false, updatable = false)
    @Convert(converter = IsoTimestamp.class)
    private String createdAt;

    /** Set by the database (its default on insert, a trigger on update: migration V005). */
    @ReturnInsert(returnOnly = true)
    @Column(name = "updated_at", insertable = false, updatable = false)
    @Convert(converter = IsoTimestamp.class)
    private String updatedAt;

    protected PostEntity() {
        // for JPA
    }

    PostEntity(String title, String content, int authorId) {
        this.title = title;
        this.content = content;
        this.authorId = authorId;
    }

    Integer id() {
        return id;
    }

    String title() {
        return title;
    }

    String content() {
        return content;
    }

    UserEntity author() {
        return author;
    }

    String createdAt() {
        return createdAt;
    }

    String updatedAt() {
        return updatedAt;
    }
}
