package serv.core.internal.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.core.internal.config.ConfigReconciler;
import serv.core.security.ClientAddress;

/**
 * The {@link ClientAddress} of the server: the trusted proxies of {@code http: {trusted_proxies: [...]}} (PID
 * {@value #PID}), or, when the configuration names none, of the environment variable {@value #ENV} (a list separated
 * by commas or blanks, for a container's deployment); applied live ({@code @Modified}: nothing that uses it
 * restarts). An entry that is no address nor range is left out with an error naming the key, the entry and the fix;
 * the others apply.
 */
@Component(service = ClientAddress.class, configurationPid = TrustedProxies.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = HttpConfiguration.class)
public final class TrustedProxies implements ClientAddress {

    static final String PID = "serv.http";
    static final String ENV = "SERV_TRUSTED_PROXIES";
    private static final Logger LOG = LoggerFactory.getLogger(TrustedProxies.class);

    private final UnaryOperator<String> env;
    private volatile ProxyRanges ranges = ProxyRanges.NONE;
    /** What the last configuration had wrong, each naming the key or variable and the fix. */
    private volatile List<String> problems = List.of();

    /** Where the problems are shown beside the log (/health's and the console's configuration warnings). */
    private volatile ConfigReconciler configuration;

    public TrustedProxies() {
        this(System::getenv);
    }

    /** With {@code env} for the environment (a test's). */
    TrustedProxies(UnaryOperator<String> env) {
        this.env = env;
    }

    @Activate
    @Modified
    void configure(HttpConfiguration config) {
        String[] values = config.trusted__proxies();
        List<String> configured = values == null ? List.of() : Arrays.asList(values);
        String key = "configuration " + PID + ": key 'trusted_proxies'";
        ProxyRanges parsed = ProxyRanges.parse(configured);
        String fromEnv = env.apply(ENV);
        if (parsed.isEmpty() && parsed.problems().isEmpty() && fromEnv != null && !fromEnv.isBlank()) {
            key = "environment variable " + ENV;
            parsed = ProxyRanges.parse(List.of(fromEnv));
        }
        String where = key;
        List<String> found = new ArrayList<>(parsed.problems().stream().map(p -> where + ": " + p).toList());
        String everyone = parsed.trustsEveryone() ? key + " trusts every address (a /0 range): every client chooses"
                + " the address it is counted by with X-Forwarded-For; name your proxies' addresses instead" : null;
        if (everyone != null) {
            found.add(everyone);
        }
        // said once while they stand (the same configuration comes to activate and then to modified)
        boolean news = !found.equals(problems);
        if (news) {
            parsed.problems().forEach(p -> LOG.error("{}: {}", where, p));
            if (everyone != null) {
                LOG.warn(everyone);
            }
        }
        problems = List.copyOf(found);
        report();
        boolean changed = !parsed.toString().equals(ranges.toString());
        ranges = parsed;
        if (changed || (news && !parsed.problems().isEmpty())) {
            LOG.info("HTTP: {}", parsed.isEmpty()
                    ? "no trusted proxy: X-Forwarded-For and Forwarded are ignored, the connection's peer is the client"
                    : "trusted proxies " + parsed + ": the client of their requests is the one they forward ("
                            + (key.startsWith("environment") ? ENV : PID) + ")");
        }
    }

    @Deactivate
    void deactivate() {
        problems = List.of();
        report();
    }

    /** Hands the problems to the configuration's warnings, when it is there (again after it came back). */
    private void report() {
        ConfigReconciler c = configuration;
        if (c != null) {
            c.applied(PID, problems);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindConfiguration(ConfigReconciler c) {
        configuration = c;
        report();
    }

    void unbindConfiguration(ConfigReconciler c) {
        if (configuration == c) {
            configuration = null;
        }
    }

    @Override
    public Client resolve(String peer, List<String> forwardedFor, List<String> forwarded) {
        return ranges.resolve(peer, forwardedFor, forwarded);
    }
}
