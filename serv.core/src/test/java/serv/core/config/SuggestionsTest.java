package serv.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

class SuggestionsTest {

    private static final List<String> KEYS = List.of("extension", "dry_run", "pool_size", "url");

    @Test
    void aTypoGetsTheClosestKey() {
        assertEquals("extension", Suggestions.closest("exension", KEYS));
        assertEquals("dry_run", Suggestions.closest("dyr_run", KEYS)); // two neighbours swapped: one edit
        assertEquals("pool_size", Suggestions.closest("poolSize", KEYS)); // case and separators do not count
        assertEquals("pool_size", Suggestions.closest("pool-size", KEYS));
        assertEquals("; did you mean 'url'?", Suggestions.hint("ulr", KEYS));
    }

    @Test
    void aWordFarFromEveryKeyGetsNone() {
        assertNull(Suggestions.closest("password", KEYS));
        assertEquals("", Suggestions.hint("tenant", KEYS));
        assertNull(Suggestions.closest("x".repeat(1_000_000), KEYS)); // no matrix of a megabyte
        assertNull(Suggestions.closest("anything", List.of()));
    }

    @Test
    void ofTwoAsCloseTheFirstInOrder() {
        assertEquals("ab", Suggestions.closest("aa", List.of("ab", "ba")));
        assertEquals("ba", Suggestions.closest("aa", List.of("ba", "ab")));
    }
}
