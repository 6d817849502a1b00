package serv.console.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The JSON body of an admin API request, read strictly: sent as {@code application/json} (or a {@code +json} type),
 * at most {@value #MAX_BYTES} bytes, one object with each field once, nested at most {@value #MAX_DEPTH} levels.
 * What is wrong is a 4xx in the parser's words (the token, the line and column), never a class or method name.
 */
final class JsonBody {

    private static final Logger LOG = LoggerFactory.getLogger(JsonBody.class);
    static final long MAX_BYTES = 1 << 20;
    /** Levels of arrays and objects in a body; a tenant's is 2. */
    static final int MAX_DEPTH = 100;
    private static final Pattern JSON_TYPE = Pattern.compile("application/(?:json|[a-z0-9!#$&^_.+-]+\\+json)");

    private final ObjectMapper json = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .errorReportConfiguration(ErrorReportConfiguration.builder().maxErrorTokenLength(Echo.MAX)
                    .maxRawContentLength(0).build())
            .build());

    /** The body of {@code req}: the fields of its JSON object; empty when it has none. */
    Map<String, Object> read(HttpServletRequest req) throws ApiException, IOException {
        String type = req.getContentType();
        if (req.getContentLengthLong() != 0 && !isJson(type)) {
            throw notJson(type);
        }
        if (req.getContentLengthLong() > MAX_BYTES) {
            throw new ApiException(413, "the body is larger than " + MAX_BYTES + " bytes");
        }
        return parse(read(req.getInputStream(), MAX_BYTES));
    }

    /** The 415 of a body that is not JSON. */
    static ApiException notJson(String type) {
        return new ApiException(415, "send the body as JSON, with Content-Type: application/json (it came as "
                + (type == null ? "no type" : Echo.cut(type)) + ")");
    }

    /**
     * Whether a Content-Type is JSON: {@code application/json} or a {@code +json} type such as
     * {@code application/merge-patch+json}, by its media type (what comes before ';'), in any case.
     */
    static boolean isJson(String contentType) {
        return JSON_TYPE.matcher(mediaType(contentType)).matches();
    }

    /** The media type of a Content-Type, lower case, without its parameters; "" when none. */
    static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    /** The fields of a JSON object; empty for no body (or {@code null}). */
    Map<String, Object> parse(byte[] bytes) throws ApiException {
        if (bytes.length == 0) {
            return Map.of();
        }
        JsonNode node;
        // One value, each field once (a tenant's "id" given twice: which one?), nothing after it.
        try (JsonParser parser = json.createParser(bytes)) {
            parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            node = json.readTree(parser);
            if (node != null && parser.nextToken() != null) {
                throw ApiException.badRequest("the body is not valid JSON: more follows its value"
                        + at(parser.currentTokenLocation()));
            }
        } catch (StreamConstraintsException e) {
            throw ApiException.badRequest(tooLarge(e));
        } catch (JsonProcessingException e) {
            // The parser's own words name the token and where it is, never a class.
            throw ApiException.badRequest("the body is not valid JSON: " + Echo.cutQuoted(withoutNames(
                    e.getOriginalMessage())) + at(e.getLocation()));
        } catch (IOException e) {
            throw ApiException.badRequest("the body could not be read");
        }
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("the body is not a JSON object: it is " + (node.isArray() ? "an array"
                    : node.isTextual() ? "a string" : node.isNumber() ? "a number" : "a " + node.getNodeType()
                            .name().toLowerCase(Locale.ROOT)));
        }
        return json.convertValue(node, new TypeReference<Map<String, Object>>() { });
    }

    /** A limit of the parser that the body passed, said without the parser's own names for it. */
    private static String tooLarge(StreamConstraintsException e) {
        String m = String.valueOf(e.getOriginalMessage());
        if (m.contains("getMaxNestingDepth")) {
            return "the body is nested too deeply (more than " + MAX_DEPTH + " levels of arrays and objects)";
        }
        if (m.contains("getMaxNumberLength")) {
            return "the body has a number longer than " + StreamReadConstraints.defaults().getMaxNumberLength()
                    + " digits";
        }
        if (m.contains("getMaxNameLength")) {
            return "the body has a field name longer than " + StreamReadConstraints.defaults().getMaxNameLength()
                    + " characters";
        }
        return "the body is not valid JSON: " + withoutNames(m);
    }

    /** A parser message without what names its code: "(..., from `StreamReadConstraints.x()`)", "`java.lang.X`". */
    private static String withoutNames(String message) {
        return String.valueOf(message).replaceAll("\\s*\\([^\\[]*\\[Source:.*?\\]\\)", "")
                .replaceAll(",?\\s*from `[^`]*`", "").replaceAll("`[^`]*`", "a value");
    }

    private static String at(JsonLocation where) {
        return where == null ? "" : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
    }

    /**
     * At most {@code max} bytes of a body; 413 when it has more. A body that does not arrive whole is the client's
     * error, never a 500 with a stack trace in the log: 408 when it came too slowly (below the connector's minimum
     * rate, or nothing for 10 s: serv.core's console filter shortens the idle timeout while a body is read), 400
     * when it was cut short (the client closed its side before the Content-Length's bytes, or a chunk was malformed).
     */
    static byte[] read(InputStream in, long max) throws ApiException {
        byte[] bytes;
        try {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        } catch (IOException | RuntimeException e) { // Jetty's BadMessageException (a 408 for the rate) is unchecked
            throw unread(e);
        }
        if (bytes.length > max) {
            throw new ApiException(413, "the body is larger than " + max + " bytes");
        }
        return bytes;
    }

    /** What a body that could not be read answers, from the JDK's exception types and a {@code getCode()} status. */
    static ApiException unread(Throwable e) {
        LOG.debug("Admin API request body not read: {}", e.toString());
        int status = 400;
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof TimeoutException) {
                status = 408;
                break;
            }
            try {
                Object code = c.getClass().getMethod("getCode").invoke(c); // Jetty's HttpException: its status
                if (code instanceof Integer i && i >= 400 && i < 500) {
                    status = i;
                    break;
                }
            } catch (ReflectiveOperationException | RuntimeException none) {
                // not one that says
            }
        }
        return status == 408 ? new ApiException(408, "the request body did not arrive in time (at least 32 bytes a"
                + " second, and no pause of 10 s): send it whole, at once")
                : new ApiException(status, "the request body was cut short or malformed (fewer bytes than its"
                        + " Content-Length, or a bad chunk): send it whole");
    }
}
