package serv.core.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The jars of the server's {@code deploy/} folder, as the server installs them: one bundle per extension, from the jar
 * that serves. Name a deployed extension's jar by this, not by its bundle's location: when the jar it was installed
 * from is removed and another jar of the extension takes over, the bundle is updated from that one (it keeps its id
 * and its data) and its location still names the first, which is gone.
 *
 * @since 1.4
 */
@ProviderType
public interface DeployedJars {

    /**
     * The jar of {@code deploy/} the bundle runs from: the one it was installed from, or last updated from. Empty
     * when the bundle was not installed from {@code deploy/}.
     *
     * @param bundleId the bundle's id
     */
    Optional<Path> servingJar(long bundleId);

    /**
     * The jars of {@code deploy/} that hold an extension (of several, only one is installed), the one that serves
     * first; empty when there is none.
     *
     * @param symbolicName the extension's bundle symbolic name
     */
    List<Path> jarsOf(String symbolicName);
}
