package serv.core.internal.http;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The server's HTTP settings: {@code http:} in serv.config.yaml, PID serv.http. */
@ObjectClassDefinition(id = TrustedProxies.PID, name = "Serv HTTP",
        description = "Who a request's client is behind a reverse proxy or a load balancer: what the console's limit"
                + " of wrong logins, /health's and /metrics' login and Request.remoteAddress() go by.")
@interface HttpConfiguration {

    @AttributeDefinition(name = "Trusted proxies", description = "The IP addresses and CIDR ranges (IPv4, IPv6) of"
            + " the proxies in front of this server, such as 10.0.0.0/8 or 127.0.0.1. A request from one of them is"
            + " counted by the client it forwarded: the right-most address of X-Forwarded-For (or of Forwarded:"
            + " for=) that is not itself a trusted proxy. Empty: the headers are ignored and the connection's peer"
            + " is the client. Trust only proxies that write these headers: any other client chooses them.")
    String[] trusted__proxies() default {};
}
