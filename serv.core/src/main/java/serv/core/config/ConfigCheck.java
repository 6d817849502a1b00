package serv.core.config;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Checks settings the way their consumer reads them, so that a wrong value is refused where it is typed (the Web
 * Console's form, the admin API, {@code serv config validate}) with the same words the consumer would log. Register
 * it as a service with the property {@value #PID}: the (factory) PID whose configurations it checks.
 */
@ConsumerType
@FunctionalInterface
public interface ConfigCheck {

    /** Service property: the PID, or factory PID, of the configurations this checks. */
    String PID = "serv.config.pid";

    /**
     * What is wrong with these settings (references resolved, secrets in clear), each naming the key and the fix;
     * empty when nothing is.
     */
    List<String> problems(Map<String, ?> properties);
}
