package serv.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Changes sent to the console from another site's page (cross-site request forgery) are refused. */
class SameOriginTest {

    /** A request to http://127.0.0.1:8000 (its Host header) with these headers. */
    private static HttpServletRequest request(String method, String... headers) {
        return sentOver("http", method, headers);
    }

    /** A request that came over {@code scheme} (http or https). */
    private static HttpServletRequest sentOver(String scheme, String method, String... headers) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.put("Host", "127.0.0.1:8000");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            if (headers[i + 1] == null) {
                h.remove(headers[i]);
            } else {
                h.put(headers[i], headers[i + 1]);
            }
        }
        return Fakes.of(HttpServletRequest.class, Map.of(
                "getMethod", a -> method,
                "getScheme", a -> scheme,
                "getHeader", a -> h.get((String) a[0]),
                "getServerName", a -> "127.0.0.1",
                "getServerPort", a -> 8000,
                "getRemoteAddr", a -> "127.0.0.1",
                "getRequestURI", a -> "/system/console/serv/api/extensions/notes/stop"));
    }

    @Test
    void aChangeFromAnotherSitesPageIsRefused() {
        for (String method : new String[] { "POST", "PUT", "PATCH", "DELETE", "PROPFIND" }) {
            String refusal = SameOrigin.refusal(request(method, "Origin", "http://evil.example"));
            assertEquals("this request came from another site's page (Origin http://evil.example, not"
                    + " http://127.0.0.1:8000): the console and its API take changes only from their own pages, or"
                    + " from clients that send no Origin or Referer (curl, scripts, the serv command line)", refusal);
        }
        // another port, another scheme, another name of the same machine: other origins
        assertNotNull(SameOrigin.refusal(request("POST", "Origin", "http://127.0.0.1:8001")));
        assertNotNull(SameOrigin.refusal(request("POST", "Origin", "https://127.0.0.1:8000")));
        assertNotNull(SameOrigin.refusal(request("POST", "Origin", "http://localhost:8000")));
        assertNotNull(SameOrigin.refusal(request("POST", "Origin", "http://127.0.0.1")));
        assertNotNull(SameOrigin.refusal(request("POST", "Origin", "http://127.0.0.1:8000.evil.example")));
        assertNotNull(SameOrigin.refusal(request("POST", "Origin", "http://user@127.0.0.1:8000")));
    }

    @Test
    void thePageOfTheSameHostThroughAProxyThatEndsTlsIsTheConsoles() {
        HttpServletRequest proxied = Fakes.of(HttpServletRequest.class, Map.of(
                "getMethod", a -> "POST",
                "getScheme", a -> "http",
                "getHeader", a -> switch ((String) a[0]) {
                    case "Host" -> "serv.example";
                    case "Origin" -> "https://serv.example";
                    default -> null;
                },
                "getServerName", a -> "serv.example",
                "getServerPort", a -> 80,
                "getRemoteAddr", a -> "127.0.0.1",
                "getRequestURI", a -> "/system/console/serv/api/extensions/notes/stop"));
        assertNull(SameOrigin.refusal(proxied));
    }

    @Test
    void anOpaqueOrMalformedOriginIsAnotherSites() {
        assertTrue(SameOrigin.refusal(request("POST", "Origin", "null")).startsWith(
                "this request came from another site's page (Origin null, not http://127.0.0.1:8000)"));
        assertNotNull(SameOrigin.refusal(request("POST", "Origin", "127.0.0.1:8000")));
        assertNotNull(SameOrigin.refusal(request("POST", "Origin", "http://")));
        assertNotNull(SameOrigin.refusal(request("POST", "Origin", "http://127.0.0.1:99999")));
        assertTrue(SameOrigin.refusal(request("POST", "Origin", "x".repeat(10_000))).contains("Origin " + "x".repeat(60)
                + "…, not"), "a long value is cut");
    }

    @Test
    void withoutOriginTheRefererSays() {
        assertTrue(SameOrigin.refusal(request("POST", "Referer", "http://evil.example/page?x=1")).startsWith(
                "this request came from another site's page (Referer http://evil.example, not"));
        assertTrue(SameOrigin.refusal(request("POST", "Referer", "not a url")).startsWith(
                "this request came from another site's page (a Referer that is no URL, not"));
        assertNull(SameOrigin.refusal(request("POST", "Referer", "http://127.0.0.1:8000/system/console/bundles")));
        // Origin wins over Referer
        assertNotNull(SameOrigin.refusal(request("POST", "Origin", "http://evil.example", "Referer",
                "http://127.0.0.1:8000/system/console/bundles")));
        assertNull(SameOrigin.refusal(request("POST", "Origin", "http://127.0.0.1:8000", "Referer",
                "http://evil.example/")));
    }

    @Test
    void theConsolesOwnPagesAndClientsWithoutAPageGoOn() {
        assertNull(SameOrigin.refusal(request("POST")), "curl, scripts, the serv command line");
        assertNull(SameOrigin.refusal(request("POST", "Origin", "http://127.0.0.1:8000")));
        assertNull(SameOrigin.refusal(request("DELETE", "Origin", "HTTP://127.0.0.1:8000")));
        assertNull(SameOrigin.refusal(request("POST", "Origin", "http://example.test", "Host", "Example.test:80")));
        assertNull(SameOrigin.refusal(request("POST", "Origin", "http://example.test:80", "Host", "example.test")));
        assertNull(SameOrigin.refusal(sentOver("https", "POST", "Origin", "https://example.test", "Host",
                "example.test:443")));
        assertNull(SameOrigin.refusal(request("POST", "Origin", "http://[::1]:8000", "Host", "[::1]:8000")));
        assertNull(SameOrigin.refusal(request("POST", "Origin", "http://serv_console:8000", "Host",
                "serv_console:8000")));
        assertNull(SameOrigin.refusal(request("POST", "Origin", "http://127.0.0.1:8000", "Host", null)),
                "without a Host header: the server's name and port");
    }

    @Test
    void whatChangesNothingGoesOnFromAnywhere() {
        for (String method : new String[] { "GET", "HEAD", "OPTIONS", "TRACE" }) {
            assertNull(SameOrigin.refusal(request(method, "Origin", "http://evil.example")), method);
        }
    }

    /**
     * The console's login refuses it first: a 403 with a JSON reason, neither a 401 that makes the browser ask for
     * the console's password nor a wrong login counted against the operator's address.
     */
    @Test
    void theConsolesLoginRefusesItBeforeLookingAtTheLogin() throws Exception {
        ConsoleSecurity security = new ConsoleSecurity(Fakes.of(BundleContext.class),
                (peer, xff, fwd) -> new serv.core.security.ClientAddress.Client(peer, null));
        Map<String, String> headers = new HashMap<>();
        int[] status = { 200 };
        ByteArrayOutputStream body = new ByteArrayOutputStream();
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
        HttpServletResponse response = Fakes.of(HttpServletResponse.class, Map.of(
                "setStatus", a -> status[0] = (Integer) a[0],
                "sendError", a -> status[0] = (Integer) a[0],
                "setHeader", a -> headers.put((String) a[0], (String) a[1]),
                "setContentType", a -> headers.put("Content-Type", (String) a[0]),
                "getOutputStream", a -> out));
        Object user = security.authenticate(request("POST", "Origin", "http://evil.example", "Authorization",
                "Basic b3A6d3Jvbmc="), response);
        assertNull(user);
        assertEquals(403, status[0]);
        assertEquals("application/json", headers.get("Content-Type"));
        assertFalse(headers.containsKey("WWW-Authenticate"), "no login dialog");
        String error = new ObjectMapper().readTree(body.toString(StandardCharsets.UTF_8)).get("error").asText();
        assertTrue(error.startsWith("this request came from another site's page (Origin http://evil.example"), error);

        body.reset();
        security.authenticate(request("POST", "Origin", "http://127.0.0.1:8000"), response);
        assertEquals(401, status[0], "the console's own page: on to the login");
        assertEquals("Basic realm=\"Serv console\", charset=\"UTF-8\"", headers.get("WWW-Authenticate"));
    }
}
