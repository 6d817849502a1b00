package serv.core.internal.http;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one Jackson mapper of the runtime (thread-safe once configured). */
final class Json {

    /** UTF-8 throughout: characters outside the BMP (emoji) as their four bytes, not as escaped surrogates. */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {
    }

    /**
     * Empties the mapper's caches of serializers, deserializers and types, which hold the classes they were made for
     * (an extension's record answered with {@code response.json}): called when an extension is uninstalled or
     * updated, so that the class loader of its old classes can go. Kept, every deploy of such an extension left
     * its classes in memory for good.
     */
    static void forgetClasses() {
        MAPPER.clearCaches();
    }

    static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer cannot be written as JSON", e);
        }
    }

    /** {@code {"error": message}} plus extra members. */
    static byte[] error(String message, Object... more) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        for (int i = 0; i + 1 < more.length; i += 2) {
            body.put(more[i].toString(), more[i + 1]);
        }
        return bytes(body);
    }
}
