package serv.core.internal.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseIdentityTest {

    @TempDir
    Path home;

    private String key(String url) {
        DatabaseIdentity id = DatabaseIdentity.of(url, home);
        return id == null ? null : id.key();
    }

    @Test
    void oneDatabaseWrittenInEveryWayIsOne() {
        String one = "postgresql://localhost:5432/h1_other";
        assertEquals(one, key("postgresql://postgres:pw@127.0.0.1:5432/h1_other"));
        assertEquals(one, key("jdbc:postgresql://127.0.0.1:5432/h1_other?ssl=false&ApplicationName=x"));
        assertEquals(one, key("postgresql://postgres@localhost:5432/h1_other"));
        assertEquals(one, key("postgresql://postgres@127.0.0.1/h1_other"));
        assertEquals(one, key("postgres://u@LOCALHOST/h1_other?sslmode=disable"));
        assertEquals(one, key("postgresql://[::1]:5432/h1_other"));
        assertEquals(one, key("jdbc:postgresql:h1_other"));
        assertEquals(one, key("jdbc:postgresql://localhost/h1_other?currentSchema=public"));
        assertEquals("postgresql://db.example.com:5432/h1_other", key("postgresql://a@DB.Example.com/h1_other"));
        assertNotEquals(one, key("postgresql://127.0.0.1:5433/h1_other"));
        assertNotEquals(one, key("postgresql://127.0.0.1/h1_main"));
    }

    @Test
    void aSchemaNamedInTheUrlIsPartOfItsIdentity() {
        assertEquals("postgresql://localhost:5432/h1_main#s1", key("postgresql://x@127.0.0.1/h1_main?currentSchema=s1"));
        assertEquals("postgresql://localhost:5432/h1_main#s1", key("jdbc:postgresql://localhost/h1_main?currentschema=S1"));
        assertEquals("postgresql://localhost:5432/h1_main#s1",
                key("postgresql://localhost/h1_main?options=-c%20search_path%3Ds1"));
        assertEquals("postgresql://localhost:5432/h1_main#s1",
                key("postgresql://localhost/h1_main?currentSchema=%22$user%22,s1,public"));
        assertEquals("postgresql://localhost:5432/h1_main", key("postgresql://localhost/h1_main?currentSchema=public"));
    }

    @Test
    void aSqliteFileIsItsAbsolutePath() {
        String abs = "sqlite:" + home.toAbsolutePath().normalize().resolve("data/app.db");
        assertEquals(abs, key("sqlite:///data/app.db"));
        assertEquals(abs, key("sqlite:///data/../data/./app.db"));
        assertEquals(abs, key("sqlite:///" + home.toAbsolutePath().resolve("data/app.db")));
        assertEquals(abs, key("jdbc:sqlite:data/app.db"));
        assertNotEquals(abs, key("sqlite:///data/other.db"));
        assertNull(key("mysql://localhost/x"));
    }
}
