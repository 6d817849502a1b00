package serv.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonBodyTest {

    private final JsonBody body = new JsonBody();

    private ApiException refused(String json) {
        return assertThrows(ApiException.class, () -> body.parse(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aBodyNestedTooDeeplyIsSaidSoWithoutTheParsersNames() {
        ApiException e = refused("[".repeat(5000) + "]".repeat(5000));
        assertEquals(400, e.status());
        assertEquals("the body is nested too deeply (more than " + JsonBody.MAX_DEPTH + " levels of arrays and"
                + " objects)", e.getMessage());
        ApiException object = refused("{\"a\":".repeat(200) + "1" + "}".repeat(200));
        assertEquals(e.getMessage(), object.getMessage());
        assertEquals(Map.of("a", List.of(List.of(1))), parse("{\"a\":[[1]]}"));
    }

    @Test
    void noClassOrMethodNameOfTheParserIsAnswered() {
        for (String json : List.of("{\"n\":" + "9".repeat(2000) + "}", "{\"" + "k".repeat(60_000) + "\":1}",
                "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":[1,2}", "{\"id\":\"x\",\"id\":\"y\"}", "{\"a\":1} 2",
                "{\"a\":" + "z".repeat(10_000) + "}")) {
            String m = refused(json).getMessage();
            assertFalse(m.contains("`") || m.contains("StreamReadConstraints") || m.contains("com.fasterxml")
                    || m.contains("java.") || m.contains("()"), m);
            assertTrue(m.length() < 300, m);
        }
    }

    @Test
    void theParsersWordsNameTheTokenAndWhereItIs() {
        assertEquals("the body is not valid JSON: Unexpected close marker '}': expected ']' (line 1, column 10)",
                refused("{\"a\":[1,2}").getMessage());
        assertEquals("the body is not valid JSON: Duplicate field 'id' (line 1, column 18)",
                refused("{\"id\":\"ops1\",\"id\":\"ops9\"}").getMessage());
        assertEquals("the body is not valid JSON: more follows its value (line 1, column 15)",
                refused("{\"id\":\"ops1\"} {\"id\":\"ops9\"}").getMessage());
        assertEquals("the body is not a JSON object: it is an array", refused("[]").getMessage());
    }

    @Test
    void onlyJsonMediaTypesAreJson() {
        for (String type : List.of("application/json", "Application/JSON", "application/json; charset=utf-8",
                " application/json ;charset=UTF-8", "application/merge-patch+json", "application/vnd.serv+json")) {
            assertTrue(JsonBody.isJson(type), type);
        }
        for (String type : List.of("application/jsonx", "application/json-patch", "application/jsonp", "text/json",
                "text/plain", "application/x-www-form-urlencoded", "application/+json", "json", "")) {
            assertFalse(JsonBody.isJson(type), type);
        }
        assertFalse(JsonBody.isJson(null));
    }

    private Map<String, Object> parse(String json) {
        try {
            return body.parse(json.getBytes(StandardCharsets.UTF_8));
        } catch (ApiException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}
