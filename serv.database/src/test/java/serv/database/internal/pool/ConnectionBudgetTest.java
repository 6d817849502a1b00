package serv.database.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;


import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;

import serv.database.AbstractDataSource;

class ConnectionBudgetTest {

    /** A data source of fake connections, counting the open ones. */
    private static final class Fake extends AbstractDataSource {
        final AtomicInteger open = new AtomicInteger();

        @Override
        public Connection getConnection() {
            open.incrementAndGet();
            java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
                    (proxy, method, args) -> {
                        if (method.getName().equals("close") && closed.compareAndSet(false, true)) {
                            open.decrementAndGet(); // like JDBC: closing twice is closing once
                        }
                        return method.getReturnType() == boolean.class ? false : null;
                    });
        }
    }


    @AfterEach
    void defaultBudget() {
        ConnectionBudget.configure(Integer.toString(ConnectionBudget.DEFAULT), ConnectionBudget.PROPERTY);
    }

    @Test
    void serversAreHostAndPortOfPostgresqlOnly() {
        assertEquals("db:5432", ConnectionBudget.server("jdbc:postgresql://db:5432/app?currentSchema=a"));
        assertEquals("db:5432", ConnectionBudget.server("jdbc:postgresql://DB/app"));
        assertEquals("a:5432,b:6432", ConnectionBudget.server("jdbc:postgresql://a,B:6432/app?ssl=true"));
        assertEquals("[::1]:5432", ConnectionBudget.server("jdbc:postgresql://[::1]/app"));
        assertEquals("[::1]:6432", ConnectionBudget.server("jdbc:postgresql://[::1]:6432/app"));
        assertEquals("localhost:5432", ConnectionBudget.server("jdbc:postgresql:///app"));
        assertNull(ConnectionBudget.server("jdbc:sqlite:/tmp/app.db"));
        Fake fake = new Fake();
        assertSame(fake, ConnectionBudget.wrap(fake, null, 10));
    }

    @Test
    void aPoolsGuaranteedConnectionsAreKeptForIt() throws Exception {
        ConnectionBudget.configure("3", ConnectionBudget.PROPERTY);
        String server = "guarantee-test-" + System.nanoTime() + ":5432";
        Fake a = new Fake();
        Fake b = new Fake();
        DataSource busy = ConnectionBudget.wrap(a, server, 50, 1);
        DataSource light = ConnectionBudget.wrap(b, server, 50, 1);
        ConnectionBudget.track(server, null, busy);
        ConnectionBudget.track(server, null, light);
        List<Connection> held = new ArrayList<>(List.of(busy.getConnection(), busy.getConnection()));
        // One left, and it is light's: the busy pool is refused though the budget is not all open.
        SQLTransientConnectionException refused = assertThrows(SQLTransientConnectionException.class,
                busy::getConnection);
        assertTrue(refused.getMessage().contains("guaranteed"), refused.getMessage());
        held.add(light.getConnection());
        assertEquals(3, a.open.get() + b.open.get());
        // Raising light's guarantee live keeps one more for it as soon as one is given back.
        ConnectionBudget.guarantee(light, 2);
        held.remove(0).close();
        assertThrows(SQLTransientConnectionException.class, busy::getConnection);
        held.add(light.getConnection());
        for (Connection c : held) {
            c.close();
        }
    }

    @Test
    void morePoolsThanTheBudgetCanGuaranteeEachStillGetTheirFirstConnection() throws Exception {
        ConnectionBudget.configure("3", ConnectionBudget.PROPERTY);
        String server = "overcommit-test-" + System.nanoTime() + ":5432";
        List<DataSource> pools = new ArrayList<>();
        List<Fake> fakes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Fake f = new Fake();
            DataSource pool = ConnectionBudget.wrap(f, server, 50, 1);
            ConnectionBudget.track(server, null, pool);
            pools.add(pool);
            fakes.add(f);
        }
        // Five open pools are promised one connection each, the budget has three: the first three to ask get one,
        // though the other pools' guarantees, counted in full, would leave none.
        List<Connection> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(pools.get(i).getConnection());
        }
        // Used up: the fourth waits and is refused (nothing idle to close here), and nobody goes above it.
        assertThrows(SQLTransientConnectionException.class, pools.get(3)::getConnection);
        held.remove(0).close();
        // A pool above its guarantee still leaves the others' guarantees alone...
        SQLTransientConnectionException above = assertThrows(SQLTransientConnectionException.class,
                pools.get(1)::getConnection);
        assertTrue(above.getMessage().contains("guaranteed"), above.getMessage());
        // ...and the connection given back goes to a pool below its guarantee.
        held.add(pools.get(3).getConnection());
        assertEquals(3, fakes.stream().mapToInt(f -> f.open.get()).sum());
        for (Connection c : held) {
            c.close();
        }
        assertEquals(0, fakes.stream().mapToInt(f -> f.open.get()).sum());
    }

    @Test
    void poolsOfOneServerShareTheBudgetAndClosingGivesItBack() throws Exception {
        ConnectionBudget.configure("3", ConnectionBudget.PROPERTY);
        String server = "budget-test-" + System.nanoTime() + ":5432";
        Fake a = new Fake();
        Fake b = new Fake();
        DataSource poolA = ConnectionBudget.wrap(a, server, 50);
        DataSource poolB = ConnectionBudget.wrap(b, server, 50);
        List<Connection> held = new ArrayList<>(List.of(poolA.getConnection(), poolB.getConnection(),
                poolA.getConnection()));
        SQLTransientConnectionException full = assertThrows(SQLTransientConnectionException.class,
                poolB::getConnection);
        assertTrue(full.getMessage().contains("budget of 3 connections"), full.getMessage());
        assertEquals(3, a.open.get() + b.open.get());
        held.remove(0).close();
        held.add(poolB.getConnection());
        assertEquals(3, a.open.get() + b.open.get());
        assertEquals(3, ConnectionBudget.peak(server));
        Connection c = held.get(0);
        c.close();
        c.close(); // a second close gives nothing back twice
        held.add(poolA.getConnection());
        assertThrows(SQLTransientConnectionException.class, poolA::getConnection);
        for (Connection h : held) {
            h.close();
        }
        assertEquals(0, a.open.get() + b.open.get());
    }

    @Test
    void aWrongBudgetKeepsTheCurrentOne() throws Exception {
        ConnectionBudget.configure("1", ConnectionBudget.PROPERTY);
        ConnectionBudget.configure("none", ConnectionBudget.PROPERTY);
        ConnectionBudget.configure("0", ConnectionBudget.PROPERTY);
        DataSource pool = ConnectionBudget.wrap(new Fake(), "budget-wrong-" + System.nanoTime(), 20);
        Connection one = pool.getConnection();
        assertThrows(SQLTransientConnectionException.class, pool::getConnection);
        one.close();
    }

    @Test
    void oneServerIsOneBudgetHoweverItsUrlIsWritten() {
        assertEquals("db:5432", ConnectionBudget.server("jdbc:postgresql://db/app"));
        assertEquals("db:5432", ConnectionBudget.server("jdbc:postgresql://DB:5432/other?sslmode=require"));
        assertEquals("db:6432", ConnectionBudget.server("jdbc:postgresql://db:6432/app"));
        assertEquals("[::1]:5432", ConnectionBudget.server("jdbc:postgresql://[::1]/app"));
        assertEquals("a:5432,b:5433", ConnectionBudget.server("jdbc:postgresql://a,b:5433/app"));
        assertNull(ConnectionBudget.server("jdbc:sqlite:/tmp/x.db"));
    }
}
