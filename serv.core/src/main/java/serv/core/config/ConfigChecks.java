package serv.core.config;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Checks a configuration before it is saved, whatever writes it: its values against its metatype (numbers,
 * options), then the {@link ConfigCheck} of its (factory) PID. Values may be as stored ({@code ${VAR}} references,
 * sealed secrets): they are resolved first.
 */
@ProviderType
public interface ConfigChecks {

    /**
     * What is wrong with the settings of a configuration of {@code pid} (or of the factory {@code factoryPid}); empty
     * when nothing is.
     */
    List<String> problems(String factoryPid, String pid, Map<String, ?> properties);
}
