package serv.blog.internal.jpa;

import javax.persistence.Column;
import javax.persistence.Convert;
import javax.persistence.Entity;
import javax.persistence.FetchType;
import javax.persistence.GeneratedValue;
import javax.persistence.GenerationType;
import javax.persistence.Id;
import javax.persistence.JoinColumn;
import javax.persistence.ManyToOne;
import javax.persistence.Table;

/** A row of {@code posts}, with its author. */
@Entity(name = "Post")
@Table(name = "posts")
public class PostEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Integer id;

    @Column(nullable = false, length = 200)
    private String title;

    @Column(nullable = false)
    private String content;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "author_id", nullable = false)
    private UserEntity author;

    /** Set by the database's default. */
    @Column(name = "created_at", insertable = false, updatable = false)
    @Convert(converter = IsoTimestamp.class)
    private String createdAt;

    /** Set by the database (its default on insert, a trigger on update: migration V005). */
    @Column(name = "updated_at", insertable = false, updatable = false)
    @Convert(converter = IsoTimestamp.class)
    private String updatedAt;

    protected PostEntity() {
        // for JPA
    }

    PostEntity(String title, String content, UserEntity author) {
        this.title = title;
        this.content = content;
        this.author = author;
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
