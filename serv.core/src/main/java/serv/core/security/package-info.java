/**
 * Security helpers for extensions and the runtime: {@link serv.core.security.Passwords}, salted PBKDF2 hashes of
 * passwords at today's strength, with the upgrade of older hashes on verification.
 */
@Export
@Version("1.0.0")
package serv.core.security;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
