package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Before;
import org.junit.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import serv.testkit.ServTestSupport;

/**
 * JPA (Apache Aries JPA + EclipseLink) on a Serv database, the same on PostgreSQL ({@link JpaPostgresIT}) and
 * SQLite ({@link JpaSqliteIT}): a test extension with an entity, a persistence.xml and a migration is hot-deployed;
 * its route writes with JPA and JDBC in one request.
 */
public abstract class JpaContract extends ServTestSupport {

    private static final String FORM = "application/x-www-form-urlencoded";
    private static final AtomicInteger SEQ = new AtomicInteger();

    @Before
    public void deployNotes() throws Exception {
        if (get("/notes").status() == 404) {
            writeAtomically(home().resolve("deploy/notes.jar"), builtBundle("serv.it.bundle.notes"));
        }
        awaitStatus("/notes", 200, Duration.ofSeconds(30));
    }

    private static String counts() throws Exception {
        Answer a = get("/notes");
        assertEquals(a.body(), 200, a.status());
        return a.body();
    }

    private static String text() {
        return "note-" + SEQ.incrementAndGet() + "-" + System.nanoTime();
    }

    @Test
    public void jpaAndJdbcSeeEachOthersWritesInOneRequestAndAcrossRequests() throws Exception {
        String before = counts();
        long n = Long.parseLong(before.replaceAll(".*\"jdbc\":(\\d+).*", "$1"));
        Answer created = send("POST", "/notes", FORM, "text=" + text());
        assertEquals(created.body(), 201, created.status());
        assertEquals("{\"jdbcSeesJpa\":true,\"jpaSeesJdbc\":true}", created.body());
        assertEquals("{\"jpa\":" + (n + 2) + ",\"jdbc\":" + (n + 2) + "}", counts());
    }

    @Test
    public void entitiesAreWovenByEclipseLink() throws Exception {
        counts(); // the unit has served a request: its entity class is loaded
        org.osgi.framework.Bundle notes = java.util.Arrays.stream(context().getBundles())
                .filter(b -> "serv.it.notes".equals(b.getSymbolicName())).findFirst().orElseThrow();
        Class<?> note = notes.loadClass("serv.it.notes.Note");
        List<String> interfaces = java.util.Arrays.stream(note.getInterfaces()).map(Class::getName).toList();
        assertTrue(interfaces.toString(), interfaces.contains("org.eclipse.persistence.internal.weaving.PersistenceWeaved"));
        assertTrue(interfaces.toString(),
                interfaces.contains("org.eclipse.persistence.internal.descriptors.PersistenceEntity"));
    }

    @Test
    public void aFailingRequestRollsBackWhatJpaAndJdbcWrote() throws Exception {
        String before = counts();
        Answer thrown = send("POST", "/notes?fail=throw", FORM, "text=" + text());
        assertEquals(500, thrown.status());
        assertTrue(thrown.body(), thrown.body().matches("\\{\"error\":\"internal server error\",\"id\":\"[0-9a-f]{8}\"}"));
        assertEquals(before, counts());
    }

    @Test
    public void aConstraintFailingAtCommitIsA409AndNothingIsKept() throws Exception {
        String before = counts();
        Answer duplicate = send("POST", "/notes?fail=duplicate", FORM, "text=" + text());
        assertEquals(duplicate.body(), 409, duplicate.status());
        assertTrue(duplicate.body(), duplicate.body().startsWith("{\"error\":\""));
        assertEquals(before, counts());
    }

    @Test
    public void databaseErrorsAreAnsweredTheSameOnBothDialectsAndKeepNothing() throws Exception {
        String before = counts();
        String[][] cases = {
            { "unique", "409", "{\"error\":\"text already exists\"}" },
            { "fk", "400", "{\"error\":\"a referenced record does not exist\"}" },
            { "notnull", "400", "{\"error\":\"text is required\"}" },
            { "check", "400", "{\"error\":\"a value is not allowed\"}" },
        };
        for (String[] c : cases) {
            Answer a = send("POST", "/notes?sql=" + c[0], FORM, "text=" + text());
            assertEquals(c[0] + ": " + a.body(), Integer.parseInt(c[1]), a.status());
            assertEquals(c[0], c[2], a.body());
            assertEquals(c[0] + " kept nothing", before, counts());
        }

        // Anything else: a 500 that tells the client only an id, the same id as the log line that has the rest.
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        Answer broken;
        System.setErr(new java.io.PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                err.write(b);
                log.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                err.write(b, off, len);
                log.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
        try {
            broken = send("POST", "/notes?sql=broken", FORM, "text=" + text());
        } finally {
            System.setErr(err);
        }
        assertEquals(broken.body(), 500, broken.status());
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("\\{\"error\":\"internal server error\",\"id\":\"([0-9a-f]{8})\"}").matcher(broken.body());
        assertTrue(broken.body(), m.matches());
        String logged = log.toString(StandardCharsets.UTF_8);
        assertTrue(logged, logged.contains("Route /notes failed, error id " + m.group(1)));
        assertTrue(logged, logged.contains("no_such_table"));
        assertEquals(before, counts());
    }

    /** Another database of the same dialect for the pool to switch to; null when the dialect has no server. */
    protected abstract String anotherDatabaseUrl();

    @Test
    public void jpaKeepsWorkingWhileThePoolIsResized() throws Exception {
        ConfigurationAdmin cm = context().getService(context().getServiceReference(ConfigurationAdmin.class));
        Configuration config = cm.listConfigurations("(&(service.factoryPid=serv.database)(name=default))")[0];
        String other = anotherDatabaseUrl();
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger done = new AtomicInteger();
        Thread[] load = new Thread[4];
        for (int i = 0; i < load.length; i++) {
            load[i] = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        Answer a = (done.get() % 3 == 0) ? send("POST", "/notes", FORM, "text=" + text()) : get("/notes");
                        if (a.status() >= 300) {
                            failures.add(a.status() + " " + a.body());
                        }
                        done.incrementAndGet();
                    } catch (IOException | InterruptedException e) {
                        failures.add(e.toString());
                    }
                }
            });
            load[i].start();
        }
        try {
            for (int size = 2; size <= 8; size++) {
                Hashtable<String, Object> props = new Hashtable<>();
                for (String key : java.util.Collections.list(config.getProperties().keys())) {
                    props.put(key, config.getProperties().get(key));
                }
                props.put("pool_size", Integer.toString(size));
                if (size == 5 && other != null) {
                    // Replaced: a new pool on another database is migrated, then takes over; the old one drains.
                    props.put("url", other);
                }
                config.update(props);
                Thread.sleep(size == 5 ? 2000 : 150);
            }
        } finally {
            stop.set(true);
            for (Thread t : load) {
                t.join();
            }
        }
        assertTrue("requests ran: " + done.get(), done.get() > 20);
        assertEquals(List.of(), List.copyOf(failures));
        awaitState("default", "UP", Duration.ofSeconds(10));
        if (other != null) {
            try (java.sql.Connection c = database("default").connection(); java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs = st.executeQuery("SELECT current_database()")) {
                rs.next();
                assertEquals(other.substring(other.lastIndexOf('/') + 1), rs.getString(1));
            }
        }
    }

    @Test
    public void aThousandMixedRequestsLeaveNoConnectionBorrowed() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            int k = i;
            futures.add(pool.submit(() -> {
                try {
                    Answer a = switch (k % 5) {
                        case 0 -> send("POST", "/notes", FORM, "text=" + text());
                        case 1 -> send("POST", "/notes?fail=throw", FORM, "text=" + text());
                        case 2 -> send("POST", "/notes?fail=duplicate", FORM, "text=" + text());
                        default -> get("/notes");
                    };
                    int expected = switch (k % 5) {
                        case 0 -> 201;
                        case 1 -> 500;
                        case 2 -> 409;
                        default -> 200;
                    };
                    if (a.status() != expected) {
                        unexpected.add(k + ": " + a.status() + " " + a.body());
                    }
                } catch (IOException | InterruptedException e) {
                    unexpected.add(k + ": " + e);
                }
            }));
        }
        for (java.util.concurrent.Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        assertEquals(List.of(), List.copyOf(unexpected));
        await("every connection back in the pool", Duration.ofSeconds(10),
                () -> database("default").stats().active() == 0);
    }

    @Test
    public void whenTheDatabaseGoesJpaRoutesAnswer503AndServeAgainWhenItComesBack() throws Exception {
        ConfigurationAdmin cm = context().getService(context().getServiceReference(ConfigurationAdmin.class));
        Configuration config = cm.listConfigurations("(&(service.factoryPid=serv.database)(name=default))")[0];
        Hashtable<String, Object> props = new Hashtable<>();
        for (String key : java.util.Collections.list(config.getProperties().keys())) {
            if (!key.startsWith("service.")) {
                props.put(key, config.getProperties().get(key));
            }
        }
        String before = counts();
        config.delete();
        // While the pool closes, a request may meet it closing ("unavailable"); then the database is gone.
        await("/notes answers that default is not configured", Duration.ofSeconds(10), () -> {
            try {
                Answer a = send("GET", "/notes", null, null);
                return a.status() == 503 && a.body().equals("{\"error\":\"database default is not configured\"}")
                        && a.header("Retry-After") != null;
            } catch (Exception e) {
                return false;
            }
        });
        cm.getFactoryConfiguration("serv.database", "default", "?").update(props);
        awaitStatus("/notes", 200, Duration.ofSeconds(20));
        assertEquals(before, counts());
        Answer created = send("POST", "/notes", FORM, "text=" + text());
        assertEquals(created.body(), 201, created.status());
    }

    /** The JPA test extension, built by bnd: NotesRoute and Note, a persistence.xml and migrations. */
    static java.nio.file.Path notesBundle() {
        return TestBundles.build("serv.it.notes", "serv.it.notes",
                java.util.Map.of("Meta-Persistence", "META-INF/persistence.xml"), java.util.Map.of(
                        "META-INF/persistence.xml", """
                                <?xml version="1.0" encoding="UTF-8"?>
                                <persistence xmlns="http://xmlns.jcp.org/xml/ns/persistence" version="2.1">
                                  <persistence-unit name="serv.it.notes" transaction-type="RESOURCE_LOCAL">
                                    <provider>org.eclipse.persistence.jpa.PersistenceProvider</provider>
                                    <class>serv.it.notes.Note</class>
                                    <exclude-unlisted-classes>true</exclude-unlisted-classes>
                                  </persistence-unit>
                                </persistence>
                                """,
                        "serv/migrations/default/V001__create_notes.postgresql.sql",
                        "CREATE TABLE notes (id SERIAL PRIMARY KEY, text TEXT NOT NULL UNIQUE);",
                        "serv/migrations/default/V001__create_notes.sqlite.sql",
                        "CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL UNIQUE);",
                        "serv/migrations/default/V002__create_note_tags.sql", """
                                CREATE TABLE note_tags (note_id INTEGER NOT NULL REFERENCES notes (id),
                                                        tag TEXT NOT NULL CHECK (length(tag) <= 10));
                                """));
    }
}
