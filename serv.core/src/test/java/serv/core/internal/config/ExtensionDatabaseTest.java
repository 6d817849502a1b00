package serv.core.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Hashtable;

import org.junit.jupiter.api.Test;

class ExtensionDatabaseTest {

    @Test
    void anExtensionsDatabaseSettingBecomesItsRoutesAndMigrationsDatabase() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("service.pid", "serv.notes");
        p.put("database", " reports ");
        ExtensionDatabase.apply(p);
        assertEquals("reports", p.get("serv.route.database"));
        assertEquals("reports", p.get("serv.migrations.database"));
    }

    @Test
    void anExplicitRouteDatabaseWins() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("service.pid", "serv.notes");
        p.put("database", "reports");
        p.put("serv.route.database", "other");
        ExtensionDatabase.apply(p);
        assertEquals("other", p.get("serv.route.database"));
        assertEquals("reports", p.get("serv.migrations.database"));
    }

    @Test
    void factoryConfigurationsAndOtherPidsAreLeftAlone() {
        Hashtable<String, Object> tenant = new Hashtable<>();
        tenant.put("service.pid", "serv.database~x");
        tenant.put("service.factoryPid", "serv.database");
        tenant.put("database", "x");
        ExtensionDatabase.apply(tenant);
        assertNull(tenant.get("serv.route.database"));
        Hashtable<String, Object> foreign = new Hashtable<>();
        foreign.put("service.pid", "com.example.thing");
        foreign.put("database", "x");
        ExtensionDatabase.apply(foreign);
        assertNull(foreign.get("serv.route.database"));
    }
}
