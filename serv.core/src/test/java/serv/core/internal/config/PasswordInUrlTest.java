package serv.core.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** A password written in a URL is moved to its key (which is sealed), so that the URL holds none. */
class PasswordInUrlTest {

    private static Map<String, Object> moved(String url, Object password) {
        Map<String, Object> props = new HashMap<>();
        props.put("url", url);
        if (password != null) {
            props.put("password", password);
        }
        ConfigReconciler.movePasswordOutOfUrl(props, "url", "password");
        return props;
    }

    @Test
    void aPasswordInTheUserInfoOrTheQueryLeavesTheUrl() {
        assertEquals(Map.of("url", "postgresql://app@db:5432/x", "password", "s3cret"),
                moved("postgresql://app:s3cret@db:5432/x", null));
        // the query's, as the PostgreSQL driver takes it: it was stored and shown in clear
        assertEquals(Map.of("url", "jdbc:postgresql://db:5432/x?user=app&ssl=true", "password", "p&w d"),
                moved("jdbc:postgresql://db:5432/x?user=app&password=p%26w+d&ssl=true", null));
        assertEquals(Map.of("url", "postgresql://db/x", "password", "QUERY-PW"),
                moved("postgresql://db/x?PASSWORD=QUERY-PW", null));
        assertEquals(Map.of("url", "postgresql://app@db/x?sslmode=require", "password", "query"),
                moved("postgresql://app:both@db/x?password=query&sslmode=require", null));
        // the key's own wins; an empty key is none (a form's blank field)
        assertEquals(Map.of("url", "jdbc:postgresql://db/x", "password", "kept"),
                moved("jdbc:postgresql://db/x?password=other", "kept"));
        assertEquals(Map.of("url", "jdbc:postgresql://db/x", "password", "from-url"),
                moved("jdbc:postgresql://db/x?password=from-url", ""));
        // nothing to move
        assertEquals(Map.of("url", "jdbc:postgresql://db/x?passwordless=1"), moved("jdbc:postgresql://db/x?passwordless=1", null));
        assertEquals(Map.of("url", "${DATABASE_URL}"), moved("${DATABASE_URL}", null));
    }
}
