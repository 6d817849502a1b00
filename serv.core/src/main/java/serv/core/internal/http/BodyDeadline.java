package serv.core.internal.http;

import java.io.IOException;
import java.util.function.Supplier;

import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EndPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * A shorter wait for a request body the Web Console (and Serv's admin API under it) reads blocking: while it reads,
 * the connection's idle timeout is {@value #IDLE_MS} ms instead of the connector's (60 s), then put back.
 *
 * <p>Why: Serv's own routes read their bodies asynchronously ({@link AsyncBody}), but the console's servlet is no
 * asynchronous one, so its body reads hold a server thread. The connector's minimum rate (32 bytes a second,
 * {@link JettyHook}) is only checked when bytes come: a client that sends its headers and part of its body, then
 * nothing, held a thread for the whole idle timeout, 60 s (20 such clients, 20 threads). Now the read ends with a
 * 408 after {@value #IDLE_MS} ms without a byte. Only the reading itself is shortened (from the first read to the
 * body's end), never the work the request then does nor the wait for the next request on the connection; only on
 * HTTP/1 connections, where the connection is this request's alone.
 */
final class BodyDeadline {

    /** The longest pause within a console request's body, in ms. */
    static final long IDLE_MS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(BodyDeadline.class);

    private final EndPoint endPoint;
    private long before;
    private boolean shortened;

    private BodyDeadline(EndPoint endPoint) {
        this.endPoint = endPoint;
    }

    /** The deadline of this request's body; null when it has none or is not on an HTTP/1 connection. */
    static BodyDeadline of(HttpServletRequest req) {
        if (req.getContentLengthLong() == 0) {
            return null;
        }
        try {
            ServletContextRequest r = ServletContextRequest.getServletContextRequest(req);
            if (r == null || r.getConnectionMetaData().getHttpVersion() == null
                    || r.getConnectionMetaData().getHttpVersion().compareTo(HttpVersion.HTTP_2) >= 0) {
                return null;
            }
            return new BodyDeadline(r.getConnectionMetaData().getConnection().getEndPoint());
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("No body deadline for {}: {}", req.getRequestURI(), e.toString());
            return null;
        }
    }

    /** Shortens the idle timeout, once, until {@link #end()}. */
    synchronized void start() {
        if (!shortened) {
            before = endPoint.getIdleTimeout();
            if (before <= 0 || before > IDLE_MS) {
                endPoint.setIdleTimeout(IDLE_MS);
                shortened = true;
            }
        }
    }

    /** Puts the connector's idle timeout back; again is nothing. */
    synchronized void end() {
        if (shortened) {
            shortened = false;
            endPoint.setIdleTimeout(before);
        }
    }

    /** What {@code read} gives, with the deadline on while it runs (for a form Jetty parses as a whole). */
    <T> T during(Supplier<T> read) {
        start();
        try {
            return read.get();
        } finally {
            end();
        }
    }

    /**
     * {@code req} whose body stream shortens the idle timeout at its first read, and puts it back at the body's end
     * or at its first error.
     */
    HttpServletRequest wrap(HttpServletRequest req) {
        return new HttpServletRequestWrapper(req) {
            private ServletInputStream in;

            @Override
            public ServletInputStream getInputStream() throws IOException {
                if (in == null) {
                    in = new Timed(super.getInputStream(), BodyDeadline.this);
                }
                return in;
            }
        };
    }

    private static final class Timed extends ServletInputStream {

        private final ServletInputStream in;
        private final BodyDeadline deadline;

        Timed(ServletInputStream in, BodyDeadline deadline) {
            this.in = in;
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            deadline.start();
            try {
                int b = in.read();
                if (b < 0) {
                    deadline.end();
                }
                return b;
            } catch (IOException | RuntimeException e) {
                deadline.end();
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            deadline.start();
            try {
                int n = in.read(b, off, len);
                if (n < 0 || in.isFinished()) {
                    deadline.end();
                }
                return n;
            } catch (IOException | RuntimeException e) {
                deadline.end();
                throw e;
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() throws IOException {
            deadline.end();
            in.close();
        }
    }
}
