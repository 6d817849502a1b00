package serv.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EchoTest {

    @Test
    void aLongValueIsCutAfterSixtyCharactersWithAnEllipsis() {
        String id = "a".repeat(100_000);
        String cut = Echo.cut(id);
        assertEquals("a".repeat(Echo.MAX) + "…", cut);
        assertEquals("acme", Echo.cut("acme"));
        assertEquals("a".repeat(Echo.MAX), Echo.cut("a".repeat(Echo.MAX)));
        assertEquals("", Echo.cut(null));
    }

    @Test
    void aCutNeverSplitsACharacter() {
        String emoji = "\uD83D\uDE00".repeat(100); // 100 characters outside the BMP, 200 chars
        String cut = Echo.cut(emoji);
        assertEquals("\uD83D\uDE00".repeat(Echo.MAX) + "…", cut);
        assertEquals(emoji.substring(0, 2 * Echo.MAX), cut.substring(0, cut.length() - 1));
    }

    @Test
    void longQuotedValuesInAnotherPartsMessageAreCut() {
        String message = "tenant: key 'id': '" + "x".repeat(100_000) + "' is not a slug; use lower-case letters";
        String cut = Echo.cutQuoted(message);
        assertEquals("tenant: key 'id': '" + "x".repeat(Echo.MAX) + "…' is not a slug; use lower-case letters", cut);
        assertTrue(cut.length() < 200, cut);
        assertEquals("key 'id': 'ops1' is fine", Echo.cutQuoted("key 'id': 'ops1' is fine"));
        // The text between two short quoted words is no value.
        String parser = "Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null',"
                + " 'true' or 'false')";
        assertEquals(parser, Echo.cutQuoted(parser));
    }
}
