package serv.core.internal.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Reads a request's body without holding a thread while it arrives (Servlet async I/O): a client that sends its
 * body slowly, or not at all, costs a socket and a buffer, never one of the threads that answer the others. Once
 * the whole body is in, the request is dispatched on the thread that read its last bytes (or at once, on the request's
 * own thread, when the whole body came with the headers). A body larger than the
 * limit is a 413 (after the rest is read and dropped, so the client gets the answer, up to
 * {@link RequestBody#DISCARD_LIMIT}); a body that does not arrive within {@link #TIMEOUT_MS} is a 408; a body cut
 * short (a client that went, a bad chunk) is a 400 if anyone is still there to read it, and one debug line.
 */
final class AsyncBody implements ReadListener, AsyncListener {

    /** Longest time a request's body may take to arrive, whatever its rate. */
    static final long TIMEOUT_MS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(AsyncBody.class);

    /**
     * What to do with the body once it is in: answer the request (on the calling thread), or hand it over to a wait
     * of its own (false: its completion is then no longer this reader's).
     */
    interface Then {
        boolean dispatch(byte[] body) throws IOException;
    }

    private final AsyncContext async;
    private final ServletInputStream in;
    private final HttpServletResponse response;
    private final long max;
    private final Then then;
    private final Runnable done;
    private final ByteArrayOutputStream bytes;
    private final byte[] chunk = new byte[8192];
    private final AtomicBoolean finished = new AtomicBoolean();
    private long dropped;
    private boolean tooLarge;

    private AsyncBody(AsyncContext async, ServletInputStream in, HttpServletResponse response, long declared, long max,
            Then then, Runnable done) {
        this.async = async;
        this.in = in;
        this.response = response;
        this.max = max;
        this.then = then;
        this.done = done;
        this.tooLarge = declared > max;
        this.bytes = new ByteArrayOutputStream(declared > 0 && declared <= max ? (int) declared : 1024);
    }

    /**
     * Starts reading the body of {@code request}; {@code then} runs once it is in, {@code done} once the request is
     * over, whatever happened.
     */
    static void read(HttpServletRequest request, HttpServletResponse response, long max, Then then, Runnable done)
            throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > RequestBody.DISCARD_LIMIT || (declared > max && RequestBody.expectsContinue(request))) {
            // Not worth reading, or not sent yet (a client that asked for 100 Continue sends nothing before it: it
            // would send it all, to be dropped): the answer now, and the connection closes.
            try {
                response.setHeader("Connection", "close");
                ErrorAnswers.error(response, 413, "request body larger than " + max + " bytes");
            } finally {
                done.run();
            }
            return;
        }
        ServletInputStream in = request.getInputStream();
        if (declared > 0 && declared <= max && in.available() >= declared) {
            // The whole body came with the headers (the usual small POST): read here, where nothing can block, and
            // spare the request the asynchronous round trip (in bench/blog.sh, about a tenth of a small write's CPU).
            readNow(in, (int) declared, response, then, done);
            return;
        }
        AsyncContext async = request.startAsync();
        async.setTimeout(TIMEOUT_MS);
        AsyncBody body = new AsyncBody(async, in, response, declared, max, then, done);
        async.addListener(body);
        body.in.setReadListener(body);
    }

    /**
     * Reads a body that is all buffered already and dispatches it on this thread. Like the asynchronous path, it
     * throws nothing: a failure is answered here, or is a client that went away (one debug line).
     */
    private static void readNow(ServletInputStream in, int length, HttpServletResponse response, Then then,
            Runnable done) {
        boolean answered = true;
        try {
            byte[] body;
            try {
                body = in.readNBytes(length);
            } catch (IOException e) {
                int status = status(e);
                LOG.debug("Request body not read ({}): {}", status, e.toString());
                ErrorAnswers.send(response, status, Json.error("the request body was cut short or malformed"),
                        Map.of("Connection", "close"));
                return;
            }
            answered = then.dispatch(body);
        } catch (IOException | RuntimeException e) {
            LOG.debug("The answer could not be written: {}", e.toString()); // the client went away
        } finally {
            if (answered) {
                done.run(); // else handed over: whoever waits with it ends it
            }
        }
    }

    @Override
    public void onDataAvailable() throws IOException {
        while (!finished.get() && in.isReady()) {
            int n = in.read(chunk);
            if (n < 0) {
                return;
            }
            if (!tooLarge && bytes.size() + n > max) {
                tooLarge = true;
            }
            if (tooLarge) {
                dropped += n;
                if (dropped > RequestBody.DISCARD_LIMIT) {
                    answer(413, "request body larger than " + max + " bytes", true);
                    return;
                }
            } else {
                bytes.write(chunk, 0, n);
            }
        }
    }

    @Override
    public void onAllDataRead() {
        if (finished.get()) {
            return;
        }
        if (tooLarge) {
            answer(413, "request body larger than " + max + " bytes", false);
            return;
        }
        boolean answered = true;
        try {
            answered = then.dispatch(bytes.toByteArray());
        } catch (IOException | RuntimeException e) {
            LOG.debug("The answer could not be written: {}", e.toString()); // the client went away
        } finally {
            if (answered) {
                finish();
            } else {
                finished.set(true); // handed over: completed by whoever waits with it
            }
        }
    }

    /** The body could not be read: cut short, too slow, or malformed. */
    @Override
    public void onError(Throwable t) {
        int status = status(t);
        LOG.debug("Request body not read ({}): {}", status, t.toString());
        answer(status, status == 408 ? "the request body did not arrive in time"
                : status == 400 ? "the request body was cut short or malformed" : "the request body could not be read",
                true);
    }

    /** The status for a failure to read a body, from the JDK's exception types only. */
    static int status(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof TimeoutException) {
                return 408;
            }
            try {
                Object code = c.getClass().getMethod("getCode").invoke(c); // Jetty's HttpException: its status
                if (code instanceof Integer i && i >= 400 && i < 500) {
                    return i;
                }
            } catch (ReflectiveOperationException | RuntimeException none) {
                // not one that says
            }
            if (c instanceof EOFException) {
                return 400;
            }
        }
        return 400;
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        answer(408, "the request body did not arrive in time", true);
    }

    @Override
    public void onError(AsyncEvent event) {
        onError(event.getThrowable() == null ? new IOException("request failed") : event.getThrowable());
    }

    @Override
    public void onComplete(AsyncEvent event) {
        if (finished.compareAndSet(false, true)) {
            done.run();
        }
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not restarted
    }

    /** Answers (when nothing was sent yet) and ends the request; with {@code close}, the connection too. */
    private void answer(int status, String message, boolean close) {
        if (finished.get()) {
            return;
        }
        try {
            if (!response.isCommitted()) {
                ErrorAnswers.send(response, status, Json.error(message),
                        close ? Map.of("Connection", "close") : Map.of());
            }
        } catch (IOException | RuntimeException gone) {
            LOG.debug("The {} could not be sent: {}", status, gone.toString()); // the client is not there to read it
        } finally {
            finish();
        }
    }

    private void finish() {
        if (finished.compareAndSet(false, true)) {
            try {
                async.complete();
            } catch (IllegalStateException alreadyOver) {
                // completed by the container (a timeout or an error it handled)
            } finally {
                done.run();
            }
        }
    }
}
