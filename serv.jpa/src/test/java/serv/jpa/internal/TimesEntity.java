package serv.jpa.internal;

import java.sql.Timestamp;
import java.time.LocalDateTime;

import javax.persistence.Column;
import javax.persistence.Entity;
import javax.persistence.Id;
import javax.persistence.NamedQuery;
import javax.persistence.Table;

/** A row of LocalTimestampsTest's table: a LocalDateTime and a (zone-bound) Timestamp of the same kind of column. */
@Entity(name = "Times")
// Named: parsed when the unit logs in, before Serv's listener sees the fields
@NamedQuery(name = "Times.byAt", query = "SELECT t FROM Times t WHERE t.at = :at ORDER BY t.id")
@Table(name = "times")
public class TimesEntity {

    @Id
    Integer id;

    @Column(name = "at")
    LocalDateTime at;

    @Column(name = "legacy")
    Timestamp legacy;

    protected TimesEntity() {
    }

    TimesEntity(int id, LocalDateTime at, Timestamp legacy) {
        this.id = id;
        this.at = at;
        this.legacy = legacy;
    }
}
