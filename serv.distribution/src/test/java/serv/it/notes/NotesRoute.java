package serv.it.notes;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.persistence.EntityManager;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;
import serv.jpa.EntityManagers;

/**
 * The JPA test extension's route ({@link serv.it.JpaContract}), packed at test time with {@link Note}, a persistence.xml
 * and a migration. {@code POST /notes} (form {@code text}) writes one note with JPA and one with JDBC in the same
 * request, and answers whether each API saw the other's write; {@code ?fail=throw} then throws,
 * {@code ?fail=duplicate} persists a note whose text exists (the unique violation shows at commit's flush).
 * {@code GET /notes} counts the notes with both APIs. {@code POST /notes?sql=unique|fk|notnull|check|broken} writes
 * a note with JDBC and then runs a statement that fails that way, for the mapping of database errors to answers.
 */
@Component(service = Handler.class)
@Route(path = "/notes", methods = { "GET", "POST" }, database = "default")
public final class NotesRoute implements Handler {

    static final String UNIT = "serv.it.notes";

    @Reference
    private EntityManagers jpa;

    @Override
    public void handle(Request request, Response response) throws Exception {
        EntityManager em = jpa.of(request, UNIT);
        Map<String, Object> body = new LinkedHashMap<>();
        if (request.method().equals("GET")) {
            body.put("jpa", em.createQuery("SELECT COUNT(n) FROM Note n", Long.class).getSingleResult());
            body.put("jdbc", jdbcCount(request, null));
            response.json(body);
            return;
        }
        String text = request.form().getOrDefault("text", "");
        String violation = request.query("sql");
        if (violation != null) {
            violate(request, violation, text);
            response.status(201).json(Map.of("violated", false));
            return;
        }
        em.persist(new Note(text));
        em.flush();
        body.put("jdbcSeesJpa", jdbcCount(request, text) == 1);
        try (PreparedStatement st = request.connection().prepareStatement("INSERT INTO notes (text) VALUES (?)")) {
            st.setString(1, text + "/jdbc");
            st.executeUpdate();
        }
        body.put("jpaSeesJdbc", em.createQuery("SELECT COUNT(n) FROM Note n WHERE n.text = :t", Long.class)
                .setParameter("t", text + "/jdbc").getSingleResult() == 1L);
        String fail = request.query("fail");
        if ("throw".equals(fail)) {
            throw new IllegalStateException("failing after both writes");
        }
        if ("duplicate".equals(fail)) {
            em.persist(new Note(text)); // not flushed here: the request's commit flushes it and fails
        }
        response.status(201).json(body);
    }

    private static void violate(Request request, String violation, String text) throws SQLException {
        long id;
        try (PreparedStatement st = request.connection().prepareStatement("INSERT INTO notes (text) VALUES (?)")) {
            st.setString(1, text);
            st.executeUpdate();
        }
        try (PreparedStatement st = request.connection().prepareStatement("SELECT id FROM notes WHERE text = ?")) {
            st.setString(1, text);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        String sql = switch (violation) {
            case "unique" -> "INSERT INTO notes (text) VALUES ('" + text.replace("'", "''") + "')";
            case "fk" -> "INSERT INTO note_tags (note_id, tag) VALUES (-1, 'x')";
            case "notnull" -> "INSERT INTO notes (text) VALUES (NULL)";
            case "check" -> "INSERT INTO note_tags (note_id, tag) VALUES (" + id + ", 'a tag far too long')";
            default -> "SELECT secret FROM no_such_table";
        };
        try (PreparedStatement st = request.connection().prepareStatement(sql)) {
            st.execute();
        }
    }

    private static long jdbcCount(Request request, String text) throws SQLException {
        String sql = text == null ? "SELECT count(*) FROM notes" : "SELECT count(*) FROM notes WHERE text = ?";
        try (PreparedStatement st = request.connection().prepareStatement(sql)) {
            if (text != null) {
                st.setString(1, text);
            }
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
