package serv.core.internal.http;

import java.io.IOException;
import java.util.Locale;

import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.io.EofException;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardFilterPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The Web Console's query strings and form bodies, parsed before its pages see them: one that is not valid
 * ({@code ?x=%ZZ}, a form cut in a percent escape, bytes that are no UTF-8) is answered 400 with a JSON message.
 *
 * <p>Why: the console and its plugins (Serv's pages and admin API included) read their parameters with
 * {@code getParameter}, where Jetty throws on such input; Felix HTTP answered that with a 500 and an ERROR line with
 * a stack trace, for every request of a client that sends them. Serv's own routes parse their queries and forms
 * themselves (400 "malformed percent-encoding"); this filter runs only in the console's servlet context, after its
 * login (the whiteboard calls the context's {@code handleSecurity} before its filters), so a client without the
 * console's login still gets a 401. A form sent to Serv's admin API is left to it (it takes none: a 415). A body
 * the console or the API reads (blocking: the console's servlet is no asynchronous one) may pause
 * {@value BodyDeadline#IDLE_MS} ms at most, then it is a 408 ({@link BodyDeadline}).
 * Multipart bodies (the Bundles page's upload) are left to the console, which reads them as parts; an upload it
 * refuses (a file that is no bundle) is a 400 with its reason, not a 500.
 */
@Component(service = Filter.class, property = HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_SELECT + "=("
        + HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_NAME + "=" + ConsoleParameterCheck.CONSOLE_CONTEXT + ")")
@HttpWhiteboardFilterPattern("/*")
public final class ConsoleParameterCheck implements Filter {

    /** The name of the Web Console's servlet context helper (Felix Web Console 5). */
    static final String CONSOLE_CONTEXT = "org.apache.felix.webconsole";

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleParameterCheck.class);

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse res = (HttpServletResponse) response;
        String type = req.getContentType();
        if (type != null && type.regionMatches(true, 0, "multipart/", 0, 10)) {
            upload(req, res, chain);
            return;
        }
        if (apiForm(req)) {
            chain.doFilter(request, response); // the API answers 415 before it reads a parameter: never a form
            return;
        }
        String target = pidPattern(req);
        if (target != null) {
            answer(res, HttpServletResponse.SC_BAD_REQUEST, "'" + target + "' is a pattern, not the PID of one"
                    + " configuration: the console's configuration page took it as a filter and changed or deleted"
                    + " whichever configuration matched first; name the configuration itself");
            return;
        }
        BodyDeadline deadline = BodyDeadline.of(req);
        try {
            if (deadline == null) {
                req.getParameterMap(); // Jetty keeps what it parsed: the console reads it from there
            } else {
                deadline.during(req::getParameterMap); // a form's body, read blocking: no long pause in it
            }
        } catch (RuntimeException e) {
            int status = e instanceof HttpException h && h.getCode() >= 400 && h.getCode() < 500 ? h.getCode()
                    : HttpServletResponse.SC_BAD_REQUEST;
            LOG.debug("Console request {} {} refused: {}", req.getMethod(), req.getRequestURI(), e.toString());
            if (unread(e)) { // it was "the form is not valid: ... (a percent escape is ...)" for a body that never came
                int code = timedOut(e) ? 408 : AsyncBody.status(e); // Jetty's 400 "Unable to parse form" wraps it
                answer(res, code, code == 408 ? "the request body did not arrive in time (at least 32 bytes a second,"
                        + " and no pause of " + BodyDeadline.IDLE_MS / 1000 + " s): send it whole, at once"
                        : "the request body was cut short (fewer bytes than its Content-Length): send it whole");
                return;
            }
            String reason = reason(e);
            String what = reason.toLowerCase(Locale.ROOT).contains("query") ? "the query string"
                    : type != null && req.getQueryString() == null ? "the form" : "the query string or the form";
            answer(res, status, what + " is not valid: " + reason
                    + " (a percent escape is % and two hex digits, of UTF-8 bytes)");
            return;
        }
        if (deadline == null) {
            chain.doFilter(request, response);
            return;
        }
        try {
            chain.doFilter(deadline.wrap(req), response); // the admin API's JSON and jars, read blocking too
        } finally {
            deadline.end();
        }
    }

    /**
     * Whether this is a form body sent to Serv's admin API ({@code <console>/serv/api/...}), which takes JSON or a
     * jar: parsed here, a jar sent by {@code curl --data-binary} (a form, to curl) was a 400 "the form is not
     * valid", or consumed as parameters before the API could say which types it takes (415).
     */
    static boolean apiForm(HttpServletRequest req) {
        String type = req.getContentType();
        if (type == null || req.getContentLengthLong() == 0
                || !type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33)) {
            return false;
        }
        String uri = req.getRequestURI();
        String context = req.getContextPath() == null ? "" : req.getContextPath();
        return uri != null && uri.startsWith(context + "/serv/api/");
    }

    /** Whether a body's read ended for its deadline (a TimeoutException anywhere among the causes). */
    private static boolean timedOut(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** Whether the body was not read: the client closed its side early, or stopped sending it. */
    private static boolean unread(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof java.io.EOFException || c instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The PID of a change to the console's configuration page ({@code POST /system/console/configMgr/<pid>}) when
     * it holds a filter's special characters, else null. The page treats {@code serv.tenant~*} as a filter, and
     * {@code delete=true} on it deleted an arbitrary tenant.
     */
    static String pidPattern(HttpServletRequest req) {
        if (!"POST".equalsIgnoreCase(req.getMethod())) {
            return null;
        }
        String uri = req.getRequestURI();
        String page = "/configMgr/";
        int at = uri == null ? -1 : uri.indexOf(page);
        if (at < 0) {
            return null;
        }
        String pid;
        try {
            pid = java.net.URLDecoder.decode(uri.substring(at + page.length()).replace("+", "%2B"),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return null; // Jetty refuses it before
        }
        return pid.indexOf('*') >= 0 || pid.indexOf('(') >= 0 || pid.indexOf(')') >= 0 || pid.indexOf('\\') >= 0
                ? pid : null;
    }

    private static void upload(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        try {
            chain.doFilter(req, res);
        } catch (IOException e) {
            // An upload the console refused: the Bundles page throws "Bundle-SymbolicName header missing, cannot
            // install bundle" for a file that is no bundle (or no jar), which Felix HTTP answered with a bare 500.
            if (res.isCommitted() || e instanceof EofException || e.getMessage() == null) {
                throw e; // the client went away, or nothing to tell it
            }
            LOG.warn("Console upload to {} refused: {}", req.getRequestURI(), e.getMessage());
            res.resetBuffer();
            answer(res, HttpServletResponse.SC_BAD_REQUEST, "the upload was refused: " + e.getMessage());
        }
    }

    private static void answer(HttpServletResponse res, int status, String message) throws IOException {
        res.setStatus(status);
        res.setContentType("application/json");
        byte[] body = Json.error(message);
        res.setContentLength(body.length);
        res.getOutputStream().write(body);
    }

    /** Jetty's reason ("Bad query", "Unable to parse form content"), without its "400: " prefix. */
    private static String reason(RuntimeException e) {
        String text = e instanceof HttpException h && h.getReason() != null ? h.getReason() : e.getMessage();
        return text == null || text.isBlank() ? "malformed" : text;
    }
}
