package serv.core.internal.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import jakarta.servlet.http.HttpServletRequest;
import serv.core.HttpException;

/**
 * The body of one request, read once on first use and bounded: larger than the limit is a 413 (after the rest is
 * read and dropped, so that the client gets the answer); as form fields (urlencoded or a JSON object) or as JSON.
 */
final class RequestBody {

    /** Most bytes of an oversized body read and dropped before answering 413; past it the connection closes. */
    static final long DISCARD_LIMIT = 64L << 20;

    private final HttpServletRequest servlet;
    private final long maxBody;
    private byte[] bytes;

    /** @param read the body when it was read already ({@link AsyncBody}), else null */
    RequestBody(HttpServletRequest servlet, long maxBody, byte[] read) {
        this.servlet = servlet;
        this.maxBody = maxBody;
        this.bytes = read;
    }

    byte[] bytes() throws IOException {
        if (bytes == null) {
            // A request that declared no body (read here, if a route asks anyway, with the same limits)
            long declared = servlet.getContentLengthLong();
            byte[] buffer = new byte[8192];
            try (InputStream in = servlet.getInputStream()) {
                if (declared > maxBody) {
                    throw tooLarge(in, buffer);
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 256);
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (out.size() + n > maxBody) {
                        throw tooLarge(in, buffer);
                    }
                    out.write(buffer, 0, n);
                }
                bytes = out.toByteArray();
            }
        }
        return bytes;
    }

    /**
     * The 413 for a body over the limit. The rest of the body is read and dropped first (up to
     * {@link #DISCARD_LIMIT}), so that the client, still sending, gets the answer instead of a broken connection.
     */
    private HttpException tooLarge(InputStream in, byte[] buffer) throws IOException {
        long dropped = 0;
        int n;
        while (dropped < DISCARD_LIMIT && (n = in.read(buffer)) > 0) {
            dropped += n;
        }
        return HttpException.payloadTooLarge(maxBody);
    }

    /**
     * The fields of the body. A value with a NUL character is refused here (400 naming the field): no text column
     * takes one, and PostgreSQL would refuse it deep inside the handler's transaction.
     */
    Map<String, String> form() throws IOException {
        Map<String, String> fields = fields();
        fields.forEach((name, value) -> {
            if (value.indexOf('\0') >= 0) {
                throw HttpException.badRequest(name + " must not contain a NUL character");
            }
        });
        return fields;
    }

    private Map<String, String> fields() throws IOException {
        String type = servlet.getContentType() == null ? "" : servlet.getContentType().toLowerCase(Locale.ROOT);
        if (type.startsWith("application/x-www-form-urlencoded")) {
            Map<String, String> fields = new LinkedHashMap<>();
            decodeForm(new String(bytes(), StandardCharsets.UTF_8))
                    .forEach((k, v) -> fields.put(k, v.isEmpty() ? "" : v.get(0)));
            return fields;
        }
        if (type.startsWith("application/json")) {
            JsonNode node = json(JsonNode.class);
            if (node == null || !node.isObject()) {
                throw HttpException.badRequest("the JSON body must be an object");
            }
            Map<String, String> fields = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> {
                JsonNode v = e.getValue();
                if (v.isContainerNode()) {
                    // A field is one value: an array or object is no text of it (it was stored as its JSON text).
                    throw HttpException.badRequest(e.getKey() + " must be a string, a number or a boolean, not "
                            + (v.isArray() ? "an array" : "an object"));
                }
                if (!v.isNull()) {
                    fields.put(e.getKey(), v.asText());
                }
            });
            return fields;
        }
        throw new HttpException(415, "send application/x-www-form-urlencoded or application/json");
    }

    <T> T json(Class<T> type) throws IOException {
        byte[] b = bytes();
        if (b.length == 0) {
            throw HttpException.badRequest("the request body is empty");
        }
        try {
            return Json.MAPPER.readValue(b, type);
        } catch (JsonProcessingException e) {
            throw HttpException.badRequest("the request body is not valid JSON");
        }
    }

    /** Decodes {@code application/x-www-form-urlencoded} text (a body or a query string). */
    static Map<String, List<String>> decodeForm(String text) {
        if (text == null || text.isEmpty()) {
            return Map.of();
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key;
            String value;
            try {
                key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw HttpException.badRequest("malformed percent-encoding in form or query");
            }
            out.computeIfAbsent(key, k -> new ArrayList<>(1)).add(value);
        }
        out.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return Collections.unmodifiableMap(out);
    }
}
