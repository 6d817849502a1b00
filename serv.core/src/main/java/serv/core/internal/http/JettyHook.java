package serv.core.internal.http;

import java.nio.ByteBuffer;

import org.apache.felix.http.jetty.ConnectorFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import serv.core.internal.server.FrameworkStart;

/**
 * What Serv sets in Jetty that Felix HTTP has no setting for:
 * <ul>
 * <li>the errors Jetty answers by itself, before any servlet runs (a malformed request line, HTTP/0.9, a CR in the
 * path, headers or a URI too large, no Host), are JSON {@code {"error": "..."}} like every other answer of Serv's
 * port, instead of Jetty's HTML page;</li>
 * <li>a request body must arrive at {@value #MIN_BODY_BYTES_PER_SECOND} bytes per second at least, counted from
 * its first byte: a client that trickles its body is answered 408 at its next read, instead of holding a
 * connection for the whole of {@link AsyncBody#TIMEOUT_MS} (an attacker's thousand trickling connections are
 * shed in seconds).</li>
 * </ul>
 *
 * <p>Felix HTTP's only hook into the Jetty server is a {@link ConnectorFactory}, called with the server at every
 * (re)start of Jetty. This one makes its settings and returns a connector that never opens a socket (Felix adds it
 * to the server's; it must not listen anywhere).
 */
@Component(service = ConnectorFactory.class)
public final class JettyHook implements ConnectorFactory {

    /**
     * Lowest rate of a request body, in bytes per second from its first byte. Far below any real client's (a
     * mobile link sends kilobytes per second; a small body arrives in one packet), far above a trickle.
     */
    static final long MIN_BODY_BYTES_PER_SECOND = 32;

    /** The framework, whose state says whether a 404 is "not there" or "not yet" / "no longer". */
    private final Bundle framework;
    private final FrameworkStart start;

    @Activate
    public JettyHook(BundleContext context) {
        this.framework = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
        this.start = new FrameworkStart(context);
    }

    @Override
    public Connector createConnector(Server server) {
        server.setErrorHandler(new Handler(framework, start));
        // Felix calls this once its own connectors are in the server (and started); each has its HTTP
        // configuration, which Jetty reads at every body read.
        for (Connector c : server.getConnectors()) {
            HttpConnectionFactory http = c.getConnectionFactory(HttpConnectionFactory.class);
            if (http != null) {
                http.getHttpConfiguration().setMinRequestDataRate(MIN_BODY_BYTES_PER_SECOND);
            }
        }
        return new ServerConnector(server, 0, 1) {
            @Override
            protected void doStart() {
                // inert: it only carries the hook
            }

            @Override
            protected void doStop() {
                // never started
            }
        };
    }

    /** Jetty's error answer, as JSON: the status Jetty chose, and its message (the reason, never a stack trace). */
    static final class Handler extends ErrorHandler {

        private final Bundle framework;
        private final FrameworkStart start;

        Handler(Bundle framework, FrameworkStart start) {
            this.framework = framework;
            this.start = start;
        }

        /**
         * Every method's error has its JSON body: Jetty writes one only for GET, POST and HEAD, so the Web Console's
         * 405 to a PATCH or PUT and its 501 to an unknown method came with an empty body.
         */
        @Override
        public boolean errorPageForMethod(String method) {
            return true;
        }

        @Override
        protected void generateResponse(Request request, Response response, int code, String message,
                Throwable cause, Callback callback) {
            String text = message == null || message.isBlank() ? org.eclipse.jetty.http.HttpStatus.getMessage(code)
                    : message;
            int state = framework == null ? Bundle.ACTIVE : framework.getState();
            if (code == 404 && state == Bundle.ACTIVE && start != null && start.starting()) {
                state = Bundle.STARTING; // the start levels are still rising: Serv's bundles are on their way
            }
            if (code == 404 && (state == Bundle.STARTING || state == Bundle.STOPPING)) {
                // Jetty is up before Serv's dispatcher is there, and stays up after it went: its 404 then is "not
                // yet" or "no longer", which a client retries (a POST that got 404 while the server restarted was
                // taken for a route that does not exist).
                response.setStatus(503);
                response.getHeaders().put("Retry-After", Integer.toString(ErrorAnswers.RETRY_AFTER_SECONDS));
                text = state == Bundle.STARTING ? "Serv is starting" : "Serv is stopping";
            }
            byte[] body = Json.error(text);
            response.getHeaders().put("Content-Type", "application/json");
            response.getHeaders().put("Content-Length", Integer.toString(body.length));
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }
}
