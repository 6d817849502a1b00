package serv.it.hello;

import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import serv.core.Handler;
import serv.core.Request;
import serv.core.Response;

/**
 * A route packed at test time into a bundle of its own (with a DS descriptor and a migration), to be hot-deployed
 * into the server's deploy/ folder by {@link serv.it.HotDeployIT}.
 */
public final class HelloRoute implements Handler {

    @Override
    public void handle(Request request, Response response) throws Exception {
        try (Statement st = request.connection().createStatement();
                ResultSet rs = st.executeQuery("SELECT greeting FROM hello")) {
            rs.next();
            response.json(Map.of("greeting", rs.getString(1)));
        }
    }
}
