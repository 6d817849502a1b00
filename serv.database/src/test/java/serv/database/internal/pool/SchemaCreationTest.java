package serv.database.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A schema tenant's schema created by several servers at once (the nodes of a cluster serving its first request):
 * each succeeds. PostgreSQL on 127.0.0.1:5432 (user postgres, trust), as the integration tests use; the schemas are
 * made in the {@code postgres} database and dropped.
 */
class SchemaCreationTest {

    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
    private static final int SERVERS = 8;

    @Test
    void serversCreatingOneSchemaAtOnceAllSucceed() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(SERVERS);
        List<Connection> connections = new ArrayList<>();
        try {
            for (int i = 0; i < SERVERS; i++) {
                connections.add(DriverManager.getConnection(URL));
            }
            for (int round = 0; round < 20; round++) {
                String schema = "serv_race_" + ProcessHandle.current().pid() + "_" + round;
                CyclicBarrier together = new CyclicBarrier(SERVERS);
                List<Future<?>> done = new ArrayList<>();
                for (Connection c : connections) {
                    done.add(pool.submit(() -> {
                        together.await(10, TimeUnit.SECONDS);
                        ConnectivityProbe.createSchema(c, schema);
                        return null;
                    }));
                }
                try {
                    for (Future<?> f : done) {
                        f.get(30, TimeUnit.SECONDS); // a failure of one server is thrown here
                    }
                    assertEquals(1, count(connections.get(0), schema));
                } finally {
                    try (Statement st = connections.get(0).createStatement()) {
                        st.execute("DROP SCHEMA IF EXISTS \"" + schema + "\"");
                    }
                }
            }
        } finally {
            pool.shutdownNow();
            for (Connection c : connections) {
                c.close();
            }
        }
    }

    private static int count(Connection c, String schema) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
