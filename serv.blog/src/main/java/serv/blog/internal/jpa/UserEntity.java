package serv.blog.internal.jpa;

import javax.persistence.Column;
import javax.persistence.Convert;
import javax.persistence.Entity;
import javax.persistence.Id;
import javax.persistence.NamedQuery;
import javax.persistence.Table;

import org.eclipse.persistence.annotations.ReturnInsert;

/** A row of {@code users} (the migrations own the schema; JPA only maps it). Queries are named (prepared once). */
@Entity(name = "User")
@NamedQuery(name = UserEntity.BY_USERNAME, query = "SELECT u FROM User u WHERE u.username = :name")
@NamedQuery(name = UserEntity.PAGE, query = "SELECT u FROM User u ORDER BY u.id")
@NamedQuery(name = UserEntity.DELETE, query = "DELETE FROM User u WHERE u.id = :id")
@Table(name = "users")
public class UserEntity {

    /** The user named {@code :name}. */
    static final String BY_USERNAME = "User.byUsername";

    /** Users by id (paged by the caller). */
    static final String PAGE = "User.page";

    /** Deletes user {@code :id}. */
    static final String DELETE = "User.delete";

    /** Set by the database, read back by the insert itself ({@code RETURNING}). */
    @Id
    @ReturnInsert(returnOnly = true)
    private Integer id;

    @Column(nullable = false, length = 50)
    private String username;

    @Column(nullable = false, length = 100)
    private String email;

    @Column(name = "password_hash", nullable = false)
    private String passwordHash;

    /** Set by the database's default, read back by the insert. */
    @ReturnInsert(returnOnly = true)
    @Column(name = "created_at", insertable = false, updatable = false)
    @Convert(converter = IsoTimestamp.class)
    private String createdAt;

    protected UserEntity() {
        // for JPA
    }

    UserEntity(String username, String email, String passwordHash) {
        this.username = username;
        this.email = email;
        this.passwordHash = passwordHash;
    }

    Integer id() {
        return id;
    }

    String username() {
        return username;
    }

    String email() {
        return email;
    }

    String createdAt() {
        return createdAt;
    }

    void email(String email) {
        this.email = email;
    }
}
