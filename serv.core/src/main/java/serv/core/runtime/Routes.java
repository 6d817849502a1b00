package serv.core.runtime;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The routes of the running server, as a service. */
@ProviderType
public interface Routes {

    /** Every route, the stopped extensions' included, by path then methods. */
    List<RouteInfo> routes();
}
