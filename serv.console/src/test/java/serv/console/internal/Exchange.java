package serv.console.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** One request to the admin API and what it answered, without a servlet container. */
final class Exchange {

    final String method;
    final String path;
    final Map<String, String> parameters = new TreeMap<>();
    final Map<String, String> requestHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    byte[] body = new byte[0];
    String contentType;
    /** The Content-Length the request says, when not its body's ({@code -1}: none, as curl -X POST sends). */
    Long contentLength;

    int status = 200;
    final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    final ByteArrayOutputStream written = new ByteArrayOutputStream();

    Exchange(String method, String path) {
        this.method = method;
        this.path = path;
    }

    Exchange json(String json) {
        body = json.getBytes(StandardCharsets.UTF_8);
        contentType = "application/json";
        return this;
    }

    Exchange send(AdminApi api) throws Exception {
        api.handle(path, request(), response());
        return this;
    }

    String text() {
        return written.toString(StandardCharsets.UTF_8);
    }

    HttpServletRequest request() {
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        ServletInputStream stream = new ServletInputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
            }
        };
        return Fakes.of(HttpServletRequest.class, Map.of(
                "getMethod", a -> method,
                "getParameter", a -> parameters.get((String) a[0]),
                "getHeader", a -> requestHeaders.get((String) a[0]),
                "getContentType", a -> contentType,
                "getContentLengthLong", a -> contentLength != null ? contentLength : (long) body.length,
                "getContentLength", a -> body.length,
                "getInputStream", a -> stream));
    }

    HttpServletResponse response() {
        ServletOutputStream out = new ServletOutputStream() {
            @Override
            public void write(int b) {
                written.write(b);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
            }
        };
        return Fakes.of(HttpServletResponse.class, Map.of(
                "setStatus", a -> {
                    status = (Integer) a[0];
                    return null;
                },
                "getStatus", a -> status,
                "setHeader", a -> headers.put((String) a[0], (String) a[1]),
                "setContentType", a -> headers.put("Content-Type", (String) a[0]),
                "setContentLength", a -> headers.put("Content-Length", Integer.toString((Integer) a[0])),
                "getOutputStream", a -> out));
    }
}
