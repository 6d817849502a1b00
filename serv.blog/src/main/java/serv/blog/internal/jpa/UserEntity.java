package serv.blog.internal.jpa;

import javax.persistence.Column;
import javax.persistence.Convert;
import javax.persistence.Entity;
import javax.persistence.GeneratedValue;
import javax.persistence.GenerationType;
import javax.persistence.Id;
import javax.persistence.Table;

/** A row of {@code users} (the migrations own the schema; JPA only maps it). */
@Entity(name = "User")
@Table(name = "users")
public class UserEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Integer id;

    @Column(nullable = false, length = 50)
    private String username;

    @Column(nullable = false, length = 100)
    private String email;

    @Column(name = "password_hash", nullable = false)
    private String passwordHash;

    /** Set by the database's default. */
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
}
