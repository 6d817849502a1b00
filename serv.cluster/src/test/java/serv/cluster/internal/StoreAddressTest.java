package serv.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class StoreAddressTest {

    @Test
    void aPasswordInTheUrlIsNeverShown() {
        StoreAddress a = new StoreAddress("postgresql://serv:top-secret@db.internal:5433/serv?sslmode=require", null);
        assertEquals("postgresql://serv@db.internal:5433/serv", a.toString());
        assertFalse(a.toString().contains("top-secret"));
    }

    @Test
    void theDefaultPortIs5432AndJdbcUrlsAreTakenAsTheyAre() {
        assertEquals("postgresql://db:5432/serv", new StoreAddress("postgres://db/serv", null).toString());
        StoreAddress jdbc = new StoreAddress("jdbc:postgresql://db/serv?password=x", null);
        assertFalse(jdbc.toString().contains("password=x"), jdbc.toString());
    }

    @Test
    void anythingButPostgresqlIsRefusedWithTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new StoreAddress("sqlite:///data/cluster.db", null));
        assertTrue(e.getMessage().contains("postgresql://"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new StoreAddress(" ", null));
    }

    @Test
    void settingsGoToTheStoreAsJsonAndComeBackAsConfigurationValues() {
        String json = Store.json(Map.of("hosts", new String[] { "a.example", "b.example" }, "max_size", 5,
                "database_password", "{serv-sealed}abc"));
        Map<String, Object> back = Store.properties(json);
        assertEquals(java.util.List.of("a.example", "b.example"), java.util.List.of((String[]) back.get("hosts")));
        assertEquals(5, back.get("max_size"));
        assertEquals("{serv-sealed}abc", back.get("database_password"));
        assertEquals("tenant acme", Store.label("serv.tenant~acme"));
        assertEquals("configuration serv.blog", Store.label("serv.blog"));
    }
}
