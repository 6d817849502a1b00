package serv.core.config;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/** How the configuration sources were applied, as a service: for /health, the Web Console and the command line. */
@ProviderType
public interface ConfigStatus {

    /**
     * What an operator should fix in the configuration (unknown keys, unreadable files, wrong values) and in
     * {@code deploy/} (a jar that is no bundle or that the framework refused, several jars of one extension: each
     * such warning starts with {@code deploy/}).
     */
    List<String> warnings();

    /**
     * The configurations edited in the console (or the admin API) over what their source says: PID to the source.
     * The edit holds until the source changes.
     */
    Map<String, String> overridden();
}
