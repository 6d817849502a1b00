package serv.core.internal.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import serv.core.tenant.Tenant;

class TenantTableTest {

    private static final Tenant ACME = new Tenant("acme", "ACME", List.of("acme.localhost",
            "*.acme.test"), null, Set.of());
    private static final Tenant DEEP = new Tenant("deep", "Deep", List.of("*.eu.acme.test"), null,
            Set.of());
    private static final Tenant GLOBEX = new Tenant("globex", "Globex", List.of(), "/t/globex",
            Set.of());

    private final TenantTable table = TenantTable.EMPTY.with(ACME).with(DEEP).with(GLOBEX);

    @Test
    void hostsMatchExactlyThenByTheLongestWildcard() {
        assertEquals("acme", table.resolve("acme.localhost", "/posts").tenant().id());
        assertEquals("acme", table.resolve("ACME.localhost:8000", "/posts").tenant().id());
        assertEquals("acme", table.resolve("acme.localhost.", "/posts").tenant().id());
        assertEquals("acme", table.resolve("www.acme.test", "/posts").tenant().id());
        assertEquals("deep", table.resolve("x.eu.acme.test", "/posts").tenant().id());
        assertNull(table.resolve("acme.test", "/posts"));
        assertNull(table.resolve("evilacme.test", "/posts"));
        assertNull(table.resolve("acme.localhost.evil", "/posts"));
        assertNull(table.resolve(null, "/posts"));
    }

    @Test
    void prefixesSelectAndAreRemoved() {
        assertEquals(new TenantTable.Resolved(GLOBEX, "/posts/1"), table.resolve("127.0.0.1", "/t/globex/posts/1"));
        assertEquals(new TenantTable.Resolved(GLOBEX, "/"), table.resolve(null, "/t/globex"));
        assertNull(table.resolve(null, "/t/globexx/posts"));
        assertNull(table.resolve(null, "/t/glob"));
    }

    @Test
    void aRefusedTenantsHostsAndPrefixStayItsWhileNobodyElseHasThem() {
        TenantTable held = TenantTable.of(List.of(ACME, GLOBEX), List.of(
                new TenantTable.Held("typo", List.of("shop.acme.test", "acme.localhost"), "/t/typo"),
                new TenantTable.Held("late", List.of("*.eu.acme.test"), "/t/globex")));
        // an exact host of its own beats a running tenant's wildcard: its requests never reach another's data
        assertEquals(new TenantTable.Resolved(null, "/posts", "typo"), held.resolve("shop.acme.test", "/posts"));
        assertEquals(new TenantTable.Resolved(null, "/posts", "typo"), held.resolve("127.0.0.1", "/t/typo/posts"));
        assertEquals(new TenantTable.Resolved(null, "/posts", "late"), held.resolve("x.eu.acme.test", "/posts"));
        // what a running tenant has stays that tenant's
        assertEquals(new TenantTable.Resolved(ACME, "/posts"), held.resolve("acme.localhost", "/posts"));
        assertEquals(new TenantTable.Resolved(GLOBEX, "/posts"), held.resolve(null, "/t/globex/posts"));
        assertEquals(new TenantTable.Resolved(ACME, "/"), held.resolve("www.acme.test", "/"));
        // refused tenants alone: tenants are configured, the table is not empty
        assertEquals(false, TenantTable.of(List.of(), List.of(new TenantTable.Held("a", List.of("a.test"), null)))
                .isEmpty());
    }

    @Test
    void tenantsAreReplacedAndRemovedById() {
        TenantTable edited = table.with(new Tenant("acme", "ACME", List.of("acme.example"), null, Set.of()));
        assertNull(edited.resolve("acme.localhost", "/"));
        assertEquals("acme", edited.resolve("acme.example", "/").tenant().id());
        assertNull(edited.without("acme").resolve("acme.example", "/"));
        assertEquals(TenantTable.EMPTY, TenantTable.EMPTY.with(GLOBEX).without("globex"));
    }

    @Test
    void wrongConfigurationsNameTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TenantSettings.from(config("Bad Id", new String[] { "a.test" }, "")));
        assertEquals("tenant: key 'id': 'Bad Id' is not a slug; use lower-case letters, digits and '-', starting "
                + "with a letter", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TenantSettings.from(config("a", new String[] { "http://a.test:80" }, "")));
        assertEquals(true, e.getMessage().startsWith("tenant a: key 'hosts': 'http://a.test:80' is not a host name"));
        e = assertThrows(IllegalArgumentException.class, () -> TenantSettings.from(config("a", new String[0], "/t/a/")));
        assertEquals(true, e.getMessage().startsWith("tenant a: key 'path_prefix'"));
        e = assertThrows(IllegalArgumentException.class, () -> TenantSettings.from(config("a", new String[0], "")));
        assertEquals(true, e.getMessage().contains("give it 'hosts' or a 'path_prefix'"));
        e = assertThrows(IllegalArgumentException.class, () -> TenantSettings.from(Map.of("id", "a",
                "hosts", "a.test", "pool_size", "abc")));
        assertEquals("tenant a: key 'pool_size': 'abc' is not a whole number; use 0 or more", e.getMessage());
    }

    @Test
    void emptyValuesAreAbsentAndListsMayBeCommaText() {
        TenantSettings t = TenantSettings.from(Map.of("id", "acme", "hosts", "acme.test, *.acme.test",
                "path_prefix", "", "database_url", "", "database_schema", "", "pool_size", "", "extensions", ""));
        assertEquals(List.of("acme.test", "*.acme.test"), t.tenant().hosts());
        assertNull(t.tenant().pathPrefix());
        assertEquals("acme", t.schema());
        assertEquals(0, t.poolSize());
        assertEquals(5, t.maxSize());
        assertEquals(300, t.idleSeconds());
        assertEquals(Set.of(), t.tenant().extensions());
    }

    private static Map<String, Object> config(String id, String[] hosts, String prefix) {
        return Map.of("id", id, "hosts", hosts, "path_prefix", prefix);
    }
}
