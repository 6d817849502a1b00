package serv.core.internal.http;

import java.nio.ByteBuffer;

import org.apache.felix.http.jetty.ConnectorFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.osgi.service.component.annotations.Component;

/**
 * Makes the errors Jetty answers by itself, before any servlet runs (a malformed request line, HTTP/0.9, a CR in
 * the path, headers or a URI too large, no Host), JSON {@code {"error": "..."}} like every other answer of Serv's
 * port, instead of Jetty's HTML page.
 *
 * <p>Felix HTTP has no setting for the server's error handler; its only hook into the Jetty server is a
 * {@link ConnectorFactory}, called with the server at every (re)start of Jetty. This one sets the handler and
 * returns a connector that never opens a socket (Felix adds it to the server's; it must not listen anywhere).
 */
@Component(service = ConnectorFactory.class)
public final class JsonProtocolErrors implements ConnectorFactory {

    @Override
    public Connector createConnector(Server server) {
        server.setErrorHandler(new Handler());
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

        @Override
        protected void generateResponse(Request request, Response response, int code, String message,
                Throwable cause, Callback callback) {
            String text = message == null || message.isBlank() ? org.eclipse.jetty.http.HttpStatus.getMessage(code)
                    : message;
            byte[] body = Json.error(text);
            response.getHeaders().put("Content-Type", "application/json");
            response.getHeaders().put("Content-Length", Integer.toString(body.length));
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }
}
