package serv.core.internal.http;

import java.io.IOException;

import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

/**
 * An answer that first settles the request's body: one the route did not read (a 404, 405 or 503 answered before
 * reading, a handler that ignored it) is read and dropped, so that the connection can carry the next request; past
 * {@code limit} bytes the answer says {@code Connection: close} instead. Without this a client that reuses the
 * connection finds it closed under its next request.
 */
final class SettlingResponse extends HttpServletResponseWrapper {

    private final HttpServletRequest request;
    private final long limit;

    SettlingResponse(HttpServletRequest request, HttpServletResponse response, long limit) {
        super(response);
        this.request = request;
        this.limit = limit;
    }

    @Override
    public void setStatus(int status) {
        settle();
        super.setStatus(status);
    }

    private void settle() {
        try {
            if (request.getContentLengthLong() < 0 && request.getHeader("Transfer-Encoding") == null
                    && request.getProtocol().startsWith("HTTP/1.")) {
                return; // HTTP/1: a request with neither header has no body (most GETs: nothing to allocate)
            }
            ServletInputStream in = request.getInputStream();
            if (in.isFinished()) {
                return;
            }
            byte[] buffer = new byte[8192];
            long dropped = 0;
            int n;
            while (dropped <= limit && (n = in.read(buffer)) >= 0) {
                dropped += n;
            }
            if (!in.isFinished()) {
                setHeader("Connection", "close");
            }
        } catch (IOException | RuntimeException e) {
            setHeader("Connection", "close"); // a body that cannot be read (cut, malformed, too slow)
        }
    }
}
