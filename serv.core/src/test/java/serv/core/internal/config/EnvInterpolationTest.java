package serv.core.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

class EnvInterpolationTest {

    private final Map<String, String> env = Map.of("DATABASE_URL", "postgresql://h/db", "EMPTY", "");

    @Test
    void valuesDefaultsAndMissingVariables() {
        assertEquals("postgresql://h/db", EnvInterpolation.resolve("${DATABASE_URL:sqlite:///data/app.db}", env::get));
        assertEquals("sqlite:///data/app.db", EnvInterpolation.resolve("${NOPE:sqlite:///data/app.db}", env::get));
        assertEquals("10", EnvInterpolation.resolve("${DB_POOL_SIZE:10}", env::get));
        assertEquals("${ANALYTICS_DB_PASSWORD}", EnvInterpolation.resolve("${ANALYTICS_DB_PASSWORD}", env::get));
        assertEquals("a-postgresql://h/db-b", EnvInterpolation.resolve("a-${DATABASE_URL}-b", env::get));
        assertEquals("", EnvInterpolation.resolve("${EMPTY:x}", env::get));
        assertEquals("$1 \\ ok", EnvInterpolation.resolve("$1 \\ ok", env::get));
    }
}
