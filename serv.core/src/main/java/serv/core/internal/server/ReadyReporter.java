package serv.core.internal.server;


import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.osgi.service.servlet.runtime.HttpServiceRuntimeConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Servlet;

/** Logs the one "ready" line once Jetty listens and the dispatcher is in the whiteboard. */
@Component(immediate = true, service = {})
public final class ReadyReporter {

    private static final Logger LOG = LoggerFactory.getLogger(ReadyReporter.class);

    @Activate
    public ReadyReporter(@Reference ServiceReference<HttpServiceRuntime> runtime,
            @Reference(target = "(osgi.http.whiteboard.servlet.name=serv.dispatcher)") Servlet dispatcher) {
        LOG.info("Serv ready at {}", endpoint(runtime));
    }

    private static String endpoint(ServiceReference<HttpServiceRuntime> runtime) {
        Object endpoint = runtime.getProperty(HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT);
        if (endpoint instanceof String[] all && all.length > 0) {
            return all[0];
        }
        if (endpoint instanceof Iterable<?> all && all.iterator().hasNext()) {
            return all.iterator().next().toString();
        }
        return String.valueOf(endpoint);
    }
}
