package serv.core.internal.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer a handler builds: status, headers and body, kept until the request's transaction has ended, so that a
 * failed commit can still turn it into an error.
 */
final class BufferedResponse {

    private int status = 200;
    private Map<String, String> headers;
    private byte[] output;
    private String contentType;

    void status(int code) {
        if (code < 100 || code > 599) {
            throw new IllegalArgumentException("not an HTTP status: " + code);
        }
        status = code;
    }

    int status() {
        return status;
    }

    void header(String name, String value) {
        if (headers == null) {
            headers = new LinkedHashMap<>();
        }
        headers.put(name, value);
    }

    Map<String, String> headers() {
        return headers == null ? Map.of() : headers;
    }

    void body(byte[] bytes, String type) {
        output = bytes;
        contentType = type;
    }

    byte[] output() {
        return output;
    }

    String contentType() {
        return contentType;
    }
}
