package serv.core.internal.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
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
                () -> TenantComponent.check(config("Bad Id", new String[] { "a.test" }, "")));
        assertEquals("tenant: key 'id': 'Bad Id' is not a slug; use lower-case letters, digits and '-', starting "
                + "with a letter", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TenantComponent.check(config("a", new String[] { "http://a.test:80" }, "")));
        assertEquals(true, e.getMessage().startsWith("tenant a: key 'hosts': 'http://a.test:80' is not a host name"));
        e = assertThrows(IllegalArgumentException.class, () -> TenantComponent.check(config("a", new String[0], "/t/a/")));
        assertEquals(true, e.getMessage().startsWith("tenant a: key 'path_prefix'"));
        e = assertThrows(IllegalArgumentException.class, () -> TenantComponent.check(config("a", new String[0], "")));
        assertEquals(true, e.getMessage().contains("give it 'hosts' or a 'path_prefix'"));
    }

    private static TenantConfiguration config(String id, String[] hosts, String prefix) {
        return new TenantConfiguration() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return TenantConfiguration.class;
            }

            @Override
            public String id() {
                return id;
            }

            @Override
            public String name() {
                return "";
            }

            @Override
            public String[] hosts() {
                return hosts;
            }

            @Override
            public String path__prefix() {
                return prefix;
            }

            @Override
            public String database__url() {
                return "";
            }

            @Override
            public String database__user() {
                return "";
            }

            @Override
            public String database__password() {
                return "";
            }

            @Override
            public String database__schema() {
                return "";
            }

            @Override
            public String pool__size() {
                return "";
            }

            @Override
            public String max__size() {
                return "";
            }

            @Override
            public String idle__timeout() {
                return "";
            }

            @Override
            public String[] extensions() {
                return new String[0];
            }
        };
    }
}
