package serv.core.internal.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
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
            if (declared > maxBody && expectsContinue(servlet)) {
                throw HttpException.payloadTooLarge(maxBody); // not sent before a 100 Continue: nothing to drop
            }
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

    /** The client waits for a 100 Continue before it sends the body. */
    static boolean expectsContinue(HttpServletRequest request) {
        String expect = request.getHeader("Expect");
        return expect != null && expect.strip().equalsIgnoreCase("100-continue");
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
        String type = mediaType(servlet.getContentType());
        if (type.equals("application/x-www-form-urlencoded")) {
            identity();
            Map<String, String> fields = new LinkedHashMap<>();
            decodeForm(bytes()).forEach((k, v) -> fields.put(k, v.isEmpty() ? "" : v.get(0)));
            return fields;
        }
        if (type.equals("application/json") || type.endsWith("+json")) {
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

    /** The media type of a Content-Type, lower case, without its parameters; "" when none. */
    static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    /**
     * Refuses a body sent compressed (415 naming the coding, with {@code Accept-Encoding: identity}) where it is read
     * as text: its bytes were taken as they came, a gzip'd JSON body answered "not valid JSON" and a compressed form
     * "title must be 1-200 characters". {@link #bytes()} stays as sent, for a route that inflates it itself.
     */
    private void identity() {
        String coding = servlet == null ? null : servlet.getHeader("Content-Encoding");
        if (coding != null && !coding.isBlank() && !coding.strip().equalsIgnoreCase("identity")) {
            throw new HttpException(415, "the body is sent with Content-Encoding " + coding.strip()
                    + ", which this route does not take: send it uncompressed", Map.of("Accept-Encoding", "identity"));
        }
    }

    /**
     * The body as JSON, strictly: one value and nothing after it, no field given twice in an object (which one
     * would count?), no lone UTF-16 surrogate (a u-escape of D800 to DFFF without its pair is no character: stored,
     * it became {@code ?} or a replacement character). Each is a 400 saying what and where.
     */
    <T> T json(Class<T> type) throws IOException {
        identity();
        byte[] b = bytes();
        if (b.length == 0) {
            throw HttpException.badRequest("the request body is empty");
        }
        int lone = loneSurrogate(b);
        if (lone >= 0) {
            throw HttpException.badRequest("the request body is not valid JSON: a lone UTF-16 surrogate at byte "
                    + lone + " (half of a pair is no character)");
        }
        try (JsonParser parser = Json.MAPPER.createParser(b)) {
            parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            T value = Json.MAPPER.readValue(parser, type);
            JsonLocation more;
            try {
                more = parser.nextToken() == null ? null : parser.currentTokenLocation();
            } catch (JsonParseException e) {
                more = e.getLocation(); // not even a token
            }
            if (more != null) {
                throw HttpException.badRequest("the request body is not valid JSON: more follows its value" + at(more));
            }
            return value;
        } catch (JsonParseException e) {
            String duplicate = e.getOriginalMessage();
            if (duplicate != null && duplicate.startsWith("Duplicate field ")) {
                // Jackson's words: Duplicate field 'title'
                throw HttpException.badRequest("the request body is not valid JSON: "
                        + duplicate.substring("Duplicate field ".length()) + " is given twice" + at(e.getLocation()));
            }
            throw HttpException.badRequest("the request body is not valid JSON" + at(e.getLocation()));
        } catch (JsonProcessingException e) {
            throw HttpException.badRequest("the request body is not valid JSON");
        }
    }

    private static String at(JsonLocation where) {
        return where == null || where.getLineNr() < 1 ? ""
                : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
    }

    /**
     * Where {@code json} holds half of a UTF-16 surrogate pair, or -1: a u-escape of D800 to DFFF not paired
     * high-then-low, or a surrogate encoded as UTF-8 bytes (never valid UTF-8). Jackson takes both
     * into a Java string as they are, and neither database can store them.
     */
    static int loneSurrogate(byte[] json) {
        for (int i = 0; i < json.length; i++) {
            int c = json[i] & 0xff;
            if (c == 0xED && i + 1 < json.length && (json[i + 1] & 0xff) >= 0xA0) {
                return i;
            }
            if (c != '\\' || i + 1 >= json.length) {
                continue;
            }
            if (json[i + 1] != 'u') {
                i++; // an escaped character, \\ included
                continue;
            }
            int u = hex4(json, i + 2);
            if (u >= 0xDC00 && u <= 0xDFFF) {
                return i; // a low half first
            }
            if (u >= 0xD800 && u <= 0xDBFF) {
                int low = i + 7 < json.length && json[i + 6] == '\\' && json[i + 7] == 'u' ? hex4(json, i + 8) : -1;
                if (low < 0xDC00 || low > 0xDFFF) {
                    return i;
                }
                i += 11;
            } else {
                i += 5;
            }
        }
        return -1;
    }

    /** The four hex digits at {@code from} as a number, or -1 (the parser names a malformed escape). */
    private static int hex4(byte[] b, int from) {
        if (from + 4 > b.length) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < from + 4; i++) {
            int d = hex(b[i]);
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Decodes {@code application/x-www-form-urlencoded} text (a query string). */
    static Map<String, List<String>> decodeForm(String text) {
        return text == null || text.isEmpty() ? Map.of() : decodeForm(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Decodes {@code application/x-www-form-urlencoded} bytes (a body or a query string), strictly: a malformed
     * percent escape, or bytes that are not UTF-8 once decoded, are a 400 naming the field. The JDK's
     * {@code URLDecoder} puts a replacement character in their place, so a title sent in another encoding was
     * stored as question marks without a word.
     */
    static Map<String, List<String>> decodeForm(byte[] text) {
        if (text.length == 0) {
            return Map.of();
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        int start = 0;
        while (start <= text.length) {
            int end = start;
            int eq = -1;
            while (end < text.length && text[end] != '&') {
                if (eq < 0 && text[end] == '=') {
                    eq = end;
                }
                end++;
            }
            if (end > start) {
                String key = decode(text, start, eq < 0 ? end : eq, null);
                String value = eq < 0 ? "" : decode(text, eq + 1, end, key);
                out.computeIfAbsent(key, k -> new ArrayList<>(1)).add(value);
            }
            start = end + 1;
        }
        out.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return Collections.unmodifiableMap(out);
    }

    /** One name or value of a form; {@code field} names the value's field in an error (null: a name). */
    private static String decode(byte[] b, int from, int to, String field) {
        boolean plain = true;
        for (int i = from; i < to && plain; i++) {
            plain = b[i] != '%' && b[i] != '+' && b[i] >= 0;
        }
        if (plain) {
            return new String(b, from, to - from, StandardCharsets.ISO_8859_1); // ASCII: the common case
        }
        byte[] bytes = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == '+') {
                bytes[n++] = ' ';
            } else if (c == '%') {
                int hi = i + 2 < to ? hex(b[i + 1]) : -1;
                int lo = hi < 0 ? -1 : hex(b[i + 2]);
                if (lo < 0) {
                    throw HttpException.badRequest("malformed percent-encoding in form or query");
                }
                bytes[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else {
                bytes[n++] = c;
            }
        }
        try {
            // newDecoder() reports malformed input (String's constructor and URLDecoder replace it)
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, 0, n)).toString();
        } catch (CharacterCodingException e) {
            throw HttpException.badRequest((field == null ? "a field name of the form or query" : field)
                    + " is not valid UTF-8: send text as UTF-8");
        }
    }
}
