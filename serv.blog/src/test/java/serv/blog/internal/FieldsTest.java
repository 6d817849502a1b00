package serv.blog.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.Map;

import org.junit.jupiter.api.Test;

import serv.core.HttpException;

class FieldsTest {

    @Test
    void previewsCountCodePoints() {
        String emoji = "\uD83D\uDE00".repeat(201);
        String preview = Previews.of(emoji);
        assertEquals("\uD83D\uDE00".repeat(200) + "...", preview);
        assertEquals("short", Previews.of("short"));
        assertEquals("a".repeat(200), Previews.of("a".repeat(200)));
    }

    @Test
    void timestampsAreTheSameFromEveryDriver() {
        LocalDateTime t = LocalDateTime.of(2024, 1, 7, 22, 40, 0, 123_000_000);
        assertEquals("2024-01-07T22:40:00.123", Timestamps.iso(Timestamp.valueOf(t)));
        assertEquals("2024-01-07T22:40:00.123", Timestamps.iso(t));
        assertEquals("2024-01-07T22:40:00.123", Timestamps.iso("2024-01-07 22:40:00.123"));
        // SQLite's default has milliseconds even when they are zero; PostgreSQL's timestamp has none then.
        assertEquals("2024-01-07T22:40:00", Timestamps.iso("2024-01-07 22:40:00.000"));
        assertEquals("2024-01-07T22:40:00", Timestamps.iso("2024-01-07 22:40:00"));
        assertEquals("2024-01-07T22:40:00.340", Timestamps.iso("2024-01-07 22:40:00.34"));
        assertEquals("2024-01-07T22:40:00.123456", Timestamps.iso(t.withNano(123_456_000)));
        assertEquals("2024-01-07T22:40:00.000000001", Timestamps.iso(t.withNano(1)));
        assertEquals("2024-01-07T22:40:05", Timestamps.iso(t.withSecond(5).withNano(0)));
        assertEquals("2024-01-07T00:00:00", Timestamps.iso(LocalDateTime.of(2024, 1, 7, 0, 0)));
        assertEquals("0999-01-07T22:40:00", Timestamps.iso(LocalDateTime.of(999, 1, 7, 22, 40)));
        // Every form agrees with the pattern it stands for.
        for (LocalDateTime x : new LocalDateTime[] { t, t.withNano(0), t.withNano(5_000), t.withNano(5),
                LocalDateTime.of(2024, 12, 31, 23, 59, 59, 999_999_999) }) {
            int n = x.getNano();
            String pattern = n == 0 ? "uuuu-MM-dd'T'HH:mm:ss" : n % 1_000_000 == 0 ? "uuuu-MM-dd'T'HH:mm:ss.SSS"
                    : n % 1_000 == 0 ? "uuuu-MM-dd'T'HH:mm:ss.SSSSSS" : "uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS";
            assertEquals(x.format(java.time.format.DateTimeFormatter.ofPattern(pattern)), Timestamps.iso(x));
        }
        assertEquals(null, Timestamps.iso(null));
    }

    @Test
    void postIdsAreAsciiIntegersIn32Bits() {
        assertEquals(42, Fields.postId("42"));
        assertEquals(Integer.MAX_VALUE, Fields.postId("2147483647"));
        for (String bad : new String[] { "abc", "1.5", "+1", "0x10", "99999999999", "2147483648", "-1", " 1", "" }) {
            assertThrows(HttpException.class, () -> Fields.postId(bad), bad);
        }
    }

    @Test
    void queryIntegersClampButRejectText() {
        assertEquals(20, Fields.queryInt(null, "limit", 20));
        assertEquals(20, Fields.queryInt("", "limit", 20));
        assertEquals(Integer.MAX_VALUE, Fields.queryInt("99999999999999", "limit", 20));
        assertEquals(-5, Fields.queryInt("-5", "offset", 0));
        assertEquals(7, Fields.queryInt("007", "offset", 0));
        assertEquals(-7, Fields.queryInt("-007", "offset", 0));
        assertEquals(5, Fields.queryInt("000000000000000000005", "limit", 20));
        assertEquals(Integer.MIN_VALUE, Fields.queryInt("-99999999999999", "offset", 0));
        assertEquals(0, Fields.queryInt("-0", "offset", 0));
        for (String bad : new String[] { "1.5", "ten", "-", "+1", "1-", " 1", "1 ", "--1", "١" }) {
            assertThrows(HttpException.class, () -> Fields.queryInt(bad, "limit", 20), bad);
        }
    }

    @Test
    void formFieldsAreCheckedInOrder() {
        assertThrows(HttpException.class, () -> Fields.title(Map.of("title", "")));
        assertEquals("t", Fields.title(Map.of("title", "t")));
        assertThrows(HttpException.class, () -> Fields.title(Map.of("title", "x".repeat(201))));
        assertThrows(HttpException.class, () -> Fields.content(Map.of()));
        assertThrows(HttpException.class, () -> Fields.integer(Map.of("author_id", "1.0"), "author_id"));
        assertEquals(3, Fields.integer(Map.of("author_id", "3"), "author_id"));
        assertEquals(-3, Fields.integer(Map.of("author_id", "-3"), "author_id"));
        for (String bad : new String[] { "-", "+3", "3 ", "2147483648", "12345678901", "x" }) {
            assertThrows(HttpException.class, () -> Fields.integer(Map.of("author_id", bad), "author_id"), bad);
        }
    }
}
