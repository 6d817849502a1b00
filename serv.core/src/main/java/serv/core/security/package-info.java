/**
 * Security helpers for extensions and the runtime: {@link serv.core.security.Passwords}, salted PBKDF2 hashes of
 * passwords at today's strength, with the upgrade of older hashes on verification;
 * {@link serv.core.security.OperatorLogin} (1.1), the operator's login, which serv.console provides and the runtime's
 * operator surfaces ({@code /health}'s details, {@code /metrics}'s tenant series) ask; and
 * {@link serv.core.security.ClientAddress} (1.2), who a request's client is behind trusted proxies, which serv.core
 * provides and the console's login counts wrong logins by (1.2 also added {@code OperatorLogin.check} for such a
 * client).
 */
@Export
@Version("1.2.0")
package serv.core.security;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
