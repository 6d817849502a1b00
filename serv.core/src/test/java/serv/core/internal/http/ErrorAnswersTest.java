package serv.core.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import serv.core.HttpException;

/** What a client gets when a route or middleware throws: the status Jetty is handed is always a real one. */
class ErrorAnswersTest {

    /** What the dispatcher wrote: the status, the headers and the body. */
    private static final class Answer {
        int status = 200;
        final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        HttpServletResponse response() {
            ServletOutputStream out = new ServletOutputStream() {
                @Override
                public void write(int b) {
                    body.write(b);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                }
            };
            return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] { HttpServletResponse.class }, (p, m, a) -> switch (m.getName()) {
                        case "setStatus" -> {
                            int code = (Integer) a[0];
                            if (code < 100 || code > 599) {
                                // what Jetty's HttpChannelState.setStatus does with it
                                throw new IllegalArgumentException("status " + code);
                            }
                            status = code;
                            yield null;
                        }
                        case "setHeader" -> headers.put((String) a[0], (String) a[1]);
                        case "setContentType" -> headers.put("Content-Type", (String) a[0]);
                        case "getContentType" -> headers.get("Content-Type");
                        case "getOutputStream" -> out;
                        case "getBufferSize" -> 8192;
                        case "isCommitted" -> false;
                        default -> null;
                    });
        }

        String text() {
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    private static final RouteTable.Entry ROUTE = RouteTable.Entry.of("/notes", Set.of("POST"), "", (q, r) -> { },
            7L, 0, null);

    @Test
    void anHttpExceptionIsAnErrorStatusOrNone() {
        for (int status : new int[] { 0, 1, 99, 100, 200, 204, 302, 399, 600, 1000, -404 }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new HttpException(status, "not an error"), "status " + status);
            assertEquals("HTTP status " + status + " is not an error status: an HttpException takes 400 to 599"
                    + " (4xx: the client's mistake, 5xx: the server's)", e.getMessage());
        }
        for (int status : new int[] { 400, 404, 418, 451, 499, 500, 503, 599 }) {
            HttpException e = new HttpException(status, "an error", Map.of("Retry-After", "1"));
            assertEquals(status, e.status());
            assertEquals("an error", e.getMessage());
        }
    }

    /** An extension's {@code new HttpException(99, ...)}: its own error, a 500 with an error id like any other. */
    @Test
    void aRouteThatMakesAnHttpExceptionOfNoErrorStatusGetsA500WithAnErrorId() throws Exception {
        Exception thrown;
        try {
            throw new HttpException(99, "a status of its own");
        } catch (HttpException | IllegalArgumentException e) {
            thrown = e;
        }
        Answer a = new Answer();
        ErrorAnswers.thrown(a.response(), ROUTE, null, thrown);
        assertEquals(500, a.status);
        assertTrue(a.text().matches("\\{\"error\":\"internal server error\",\"id\":\"[0-9a-f]{8}\"}"), a.text());
        assertEquals("application/json", a.headers.get("Content-Type"));
    }

    /** A subclass that answers another status than it was made with: never handed to Jetty. */
    @Test
    void anHttpExceptionWhoseStatusIsNoErrorStatusIsA500WithAnErrorId() throws Exception {
        for (int status : new int[] { 0, 99, 200, 1000 }) {
            HttpException odd = new HttpException(400, "odd") {
                private static final long serialVersionUID = 1L;

                @Override
                public int status() {
                    return status;
                }
            };
            Answer a = new Answer();
            ErrorAnswers.thrown(a.response(), ROUTE, "acme", odd);
            assertEquals(500, a.status, "status " + status);
            assertTrue(a.text().matches("\\{\"error\":\"internal server error\",\"id\":\"[0-9a-f]{8}\"}"), a.text());
        }
    }

    @Test
    void anHttpExceptionIsItsStatusItsHeadersAndItsMessage() throws Exception {
        Answer a = new Answer();
        ErrorAnswers.thrown(a.response(), ROUTE, null, HttpException.unavailable("try later", 3));
        assertEquals(503, a.status);
        assertEquals("3", a.headers.get("Retry-After"));
        assertEquals("{\"error\":\"try later\"}", a.text());
    }
}
