package serv.core.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import serv.core.HttpException;

class RequestBodyTest {

    private static Map<String, List<String>> form(String text) {
        return RequestBody.decodeForm(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String refusal(Runnable r) {
        HttpException e = assertThrows(HttpException.class, r::run);
        assertEquals(400, e.status());
        return e.getMessage();
    }

    @Test
    void formsDecodePercentEscapesPlusesAndUtf8() {
        assertEquals(Map.of("title", List.of("Grüße aus Köln"), "tags", List.of("a", "b"), "empty", List.of(""),
                "flag", List.of("")), form("title=Gr%C3%BC%C3%9Fe+aus+K%c3%b6ln&tags=a&&tags=b&empty=&flag"));
        // raw UTF-8 bytes (not escaped) are taken as they are
        assertEquals(Map.of("t", List.of("é")), RequestBody.decodeForm("t=é".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Map.of("q", List.of("a b")), RequestBody.decodeForm("q=a%20b"));
        assertEquals(Map.of(), RequestBody.decodeForm((String) null));
    }

    @Test
    void formsInAnotherEncodingThanUtf8AreRefusedNamingTheField() {
        // Latin-1's é, escaped and raw: the JDK's URLDecoder made both a replacement character, stored as such
        assertEquals("title is not valid UTF-8: send text as UTF-8", refusal(() -> form("a=1&title=caf%E9")));
        assertEquals("title is not valid UTF-8: send text as UTF-8", refusal(() -> form("title=caf\u00e9")));
        // a surrogate encoded as UTF-8 (CESU) is no UTF-8 either
        assertEquals("title is not valid UTF-8: send text as UTF-8", refusal(() -> form("title=%ED%A0%80")));
        assertEquals("a field name of the form or query is not valid UTF-8: send text as UTF-8",
                refusal(() -> form("%FF=1")));
        assertEquals("malformed percent-encoding in form or query", refusal(() -> form("title=%ZZ")));
        assertEquals("malformed percent-encoding in form or query", refusal(() -> form("title=ab%4")));
        assertEquals("malformed percent-encoding in form or query", refusal(() -> form("title=ab%")));
    }

    @Test
    void aMediaTypeIsTheOneNamedWithoutItsParameters() {
        assertEquals("application/json", RequestBody.mediaType(" Application/JSON ; charset=UTF-8"));
        assertEquals("application/jsonx", RequestBody.mediaType("application/jsonx"));
        assertEquals("", RequestBody.mediaType(null));
    }

    private static JsonNode json(String body) throws Exception {
        return new RequestBody(null, 1 << 20, body.getBytes(StandardCharsets.UTF_8)).json(JsonNode.class);
    }

    private static String jsonRefusal(String body) {
        return refusal(() -> {
            try {
                json(body);
            } catch (HttpException e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void jsonIsOneValueWithEachFieldOnceAndWholeCharacters() throws Exception {
        assertEquals("😀 \\ \"", json("{\"t\":\"\\ud83d\\ude00 \\\\ \\\"\", \"u\":\"\\\\ud800\"}").get("t").asText());
        assertEquals("\\ud800", json("{\"u\":\"\\\\ud800\"}").get("u").asText()); // an escaped backslash, then text
        assertEquals("the request body is not valid JSON: more follows its value (line 1, column 12)",
                jsonRefusal("{\"t\":\"a\"} x"));
        assertEquals("the request body is not valid JSON: more follows its value (line 1, column 10)",
                jsonRefusal("{\"t\":\"a\"}{\"t\":\"b\"}"));
        assertEquals("the request body is not valid JSON: 't' is given twice (line 1, column 13)",
                jsonRefusal("{\"t\":\"a\",\"t\":\"b\"}"));
        assertEquals("the request body is not valid JSON: a lone UTF-16 surrogate at byte 6 (half of a pair is no"
                + " character)", jsonRefusal("{\"t\":\"\\ud800\"}"));
        assertEquals("the request body is not valid JSON: a lone UTF-16 surrogate at byte 7 (half of a pair is no"
                + " character)", jsonRefusal("{\"t\":\"a\\udc00\\ud800\"}"));
        assertEquals("the request body is not valid JSON: a lone UTF-16 surrogate at byte 6 (half of a pair is no"
                + " character)", jsonRefusal("{\"t\":\"\\ud800x\"}"));
        assertEquals(6, RequestBody.loneSurrogate(new byte[] { '{', '"', 't', '"', ':', '"', (byte) 0xED,
                (byte) 0xA0, (byte) 0x80, '"', '}' }));
        assertEquals("the request body is not valid JSON (line 1, column 6)", jsonRefusal("{\"t\":"));
        assertEquals("the request body is empty", jsonRefusal(""));
    }
}
