package serv.core.internal.health;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.core.Handler;
import serv.core.HttpException;
import serv.core.Request;
import serv.core.Response;
import serv.core.Route;
import serv.core.internal.tenant.TenantGate;
import serv.core.internal.tenant.TenantRegistry;
import serv.core.runtime.Traffic;
import serv.core.security.ClientAddress;
import serv.core.security.OperatorLogin;
import serv.database.Database;

/**
 * {@code GET /metrics}: Prometheus text exposition of the databases' pools, the tenants' shares and the server's
 * request counts ({@link MetricsText}); on a tenant's host, that tenant's only.
 *
 * <p>On the server's site, the series that name a tenant (a multi-tenant server's customer list) are the operator's:
 * with {@code metrics.details: authorized} (PID {@value #PID}, the default), a request without the operator's login
 * (the Web Console's, asked through {@link OperatorLogin}) gets {@link MetricsText.View#PUBLIC}: the server's own
 * databases, the sums over all tenants and the request counts. Wrong credentials are a 401 (throttled: 429), not the
 * public series: a scraper given a wrong password is a target down that Prometheus shows, not tenant series that
 * silently vanish. {@code always} shows every series to everyone. A tenant's host shows that tenant's own series
 * without a login: they name no other tenant, and the tenant may scrape its own host without the operator's login,
 * which is the whole server's.
 */
@Component(service = Handler.class, configurationPid = MetricsHandler.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = MetricsConfiguration.class)
@Route(path = "/metrics")
public final class MetricsHandler implements Handler {

    static final String PID = "serv.metrics";
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** The comment line of the public view. */
    static final String ASK = "Series that name a tenant are the operator's: send the Web Console's user and password"
            + " (HTTP Basic; Prometheus: basic_auth) for them.";
    static final String NO_LOGIN = "Series that name a tenant are the operator's, and there is no operator login here"
            + " (serv.console is not running): set metrics.details to always for them.";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsHandler.class);

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<Database> databases = new CopyOnWriteArrayList<>();

    /** The tenants' shares of the server (requests waiting and refused), when tenants are configured. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile TenantRegistry tenants;

    /** The server's request counts (on the server's own site only: they are not a tenant's). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Traffic traffic;

    /** The operator's login (serv.console's), when a bundle provides it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile OperatorLogin login;

    /** Whether every client sees every series ({@code details: always}). */
    private volatile boolean detailsForAll;

    @Activate
    void activate(MetricsConfiguration config) {
        modified(config);
    }

    @Modified
    void modified(MetricsConfiguration config) {
        String details = config.details() == null || config.details().isBlank() ? HealthHandler.AUTHORIZED
                : config.details().strip();
        if (!details.equals(HealthHandler.AUTHORIZED) && !details.equals(HealthHandler.ALWAYS)) {
            LOG.error("{}: key 'details': '{}' is neither {} nor {}; keeping {}", PID, details,
                    HealthHandler.AUTHORIZED, HealthHandler.ALWAYS,
                    detailsForAll ? HealthHandler.ALWAYS : HealthHandler.AUTHORIZED);
            return;
        }
        detailsForAll = details.equals(HealthHandler.ALWAYS);
        LOG.info("Metrics: /metrics shows the series that name a tenant {}", detailsForAll
                ? "to every client (details: always)" : "to the operator only (the Web Console's login)");
    }

    @Override
    public void handle(Request request, Response response) {
        String tenant = request.tenant().orElse(null);
        MetricsText.View view = tenant != null ? MetricsText.View.TENANT
                : detailsForAll ? MetricsText.View.OPERATOR : operatorOrPublic(request);
        List<MetricsText.Pool> pools = new ArrayList<>();
        for (Database d : databases) {
            String owner = d.tenant().orElse("");
            if (tenant == null || tenant.equals(owner)) { // a tenant sees its own
                pools.add(new MetricsText.Pool(d.name(), owner, d.state(), d.stats()));
            }
        }
        List<MetricsText.Share> shares = null;
        TenantRegistry registry = tenants;
        if (registry != null && !registry.table().isEmpty()) {
            Map<String, TenantGate> gates = registry.gates();
            shares = new ArrayList<>(tenant == null ? gates.size() : 1);
            for (Map.Entry<String, TenantGate> e : gates.entrySet()) {
                if (tenant == null || tenant.equals(e.getKey())) {
                    TenantGate g = e.getValue();
                    shares.add(new MetricsText.Share(e.getKey(), g.inFlight(), g.waits(), g.refusals()));
                }
            }
        }
        Traffic t = traffic;
        String text = MetricsText.render(view, pools, shares, t == null ? null : t.counts(),
                login == null ? NO_LOGIN : ASK);
        response.header("Cache-Control", "no-store");
        if (tenant == null) {
            response.header("Vary", "Authorization");
        }
        response.body(text.getBytes(StandardCharsets.UTF_8), CONTENT_TYPE);
    }

    /**
     * The view of the server's site for {@code request}: the operator's with the login, the public one without
     * credentials; wrong credentials are an error (401, or 429 while the address is throttled), so that a scraper
     * configured with a wrong password fails where Prometheus shows it.
     */
    private MetricsText.View operatorOrPublic(Request request) {
        String authorization = request.header("Authorization");
        OperatorLogin operator = login;
        if (operator == null) {
            if (authorization != null) {
                throw new HttpException(401, "no operator login here (serv.console is not running): send no"
                        + " credentials for the series that name no tenant, or set metrics.details to always");
            }
            return MetricsText.View.PUBLIC;
        }
        OperatorLogin.Check check = operator.check(authorization, client(request));
        return switch (check.outcome()) {
            case OPERATOR -> MetricsText.View.OPERATOR;
            case NONE -> MetricsText.View.PUBLIC;
            case WRONG -> throw new HttpException(401, "the credentials sent are not the Web Console's: send its"
                    + " user and password, or none for the series that name no tenant",
                    Map.of("WWW-Authenticate", "Basic realm=\"Serv console\", charset=\"UTF-8\""));
            case THROTTLED -> throw new HttpException(429, "too many wrong console logins from this address: try"
                    + " again in " + check.retryAfterSeconds() + " s",
                    Map.of("Retry-After", Long.toString(check.retryAfterSeconds())));
        };
    }

    /** The request's client and the trusted proxy it came through, for the login's throttle and its log line. */
    static ClientAddress.Client client(Request request) {
        return new ClientAddress.Client(request.remoteAddress(), request.proxyAddress().orElse(null));
    }
}
