package serv.it.hello;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import serv.core.Handler;
import serv.core.HttpException;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;

/**
 * A route packed at test time into a bundle of its own by bnd (with a migration), to be hot-deployed
 * into the server's deploy/ folder by {@link serv.it.HotDeployIT}. GET answers the greetings; POST writes one
 * and then succeeds, throws ({@code ?fail=throw}; an HttpException of no error status: {@code ?fail=nostatus})
 * or answers an error status ({@code ?fail=status}).
 */
@Component(service = Handler.class)
@Route(path = "/hello", methods = { "GET", "POST" }, database = "default")
public final class HelloRoute implements Handler {

    @Override
    public void handle(Request request, Response response) throws Exception {
        if (request.method().equals("POST")) {
            try (PreparedStatement st = request.connection().prepareStatement("INSERT INTO hello (greeting) VALUES (?)")) {
                st.setString(1, request.form().getOrDefault("greeting", ""));
                st.executeUpdate();
            }
            String fail = request.query("fail");
            if ("throw".equals(fail)) {
                throw new IllegalStateException("failing after the write");
            }
            if ("http".equals(fail)) {
                throw HttpException.conflict("refused after the write");
            }
            if ("nostatus".equals(fail)) {
                throw new HttpException(99, "a status that is none"); // the extension's mistake: a 500 with an id
            }
            response.status("status".equals(fail) ? 422 : 201).json(Map.of("written", true));
            return;
        }
        try (Statement st = request.connection().createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*), min(greeting) FROM hello")) {
            rs.next();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("count", rs.getInt(1));
            body.put("greeting", rs.getString(2));
            response.json(body);
        }
    }
}
