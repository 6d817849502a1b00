package serv.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

class ApplicationConfigTest {

    private static Map<String, Object> yaml(String text) throws Exception {
        return new ObjectMapper(new YAMLFactory()).readValue(text, new TypeReference<Map<String, Object>>() {
        });
    }

    @Test
    void databasesMapBecomesOneEntryPerDatabase() throws Exception {
        var dbs = ApplicationConfig.databases(yaml("""
                site_info: {name: "My Blog App"}
                databases:
                  default:
                    url: "${DATABASE_URL:sqlite:///data/app.db}"
                    pool_size: "${DB_POOL_SIZE:10}"
                    max_overflow: 20
                  analytics:
                    url: "postgresql://reporter@db.internal:5432/analytics?sslmode=require"
                    password: "${ANALYTICS_DB_PASSWORD}"
                extensions:
                  - extension: blog
                    settings: {database: default}
                """));
        assertEquals(List.of("default", "analytics"), List.copyOf(dbs.keySet()));
        assertEquals("${DB_POOL_SIZE:10}", dbs.get("default").get("pool_size"));
        assertEquals(20, dbs.get("default").get("max_overflow"));
    }

    @Test
    void theSeedsExtensionFormConfiguresDefault() throws Exception {
        var dbs = ApplicationConfig.databases(yaml("""
                extensions:
                  - extension: database
                    settings:
                      database_url: "${DATABASE_URL:postgresql://localhost/myapp}"
                      pool_size: "${DB_POOL_SIZE:10}"
                """));
        assertEquals(Map.of("url", "${DATABASE_URL:postgresql://localhost/myapp}", "pool_size", "${DB_POOL_SIZE:10}"),
                dbs.get("default"));
    }

    @Test
    void wrongShapesAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> ApplicationConfig.databases(yaml("databases: [a, b]")));
        assertThrows(IllegalArgumentException.class, () -> ApplicationConfig.databases(yaml("databases: {a: 1}")));
        assertThrows(IllegalArgumentException.class, () -> ApplicationConfig.databases(yaml("extensions: {a: 1}")));
    }
}
