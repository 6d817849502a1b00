package serv.console.internal;

import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.database.MigrationException;

/**
 * What an answer says of a migration, rollback or history read that failed: the migration service's own words
 * (which migration, what was done and what was not), without the database's message that follows them (PostgreSQL's
 * or SQLite's text, a statement, a parameter). That goes to the log, under an error id the answer gives.
 */
final class MigrationErrors {

    private static final Logger LOG = LoggerFactory.getLogger(MigrationErrors.class);

    /** The migration service's words that a database's (or a file's) message follows, after ": ". */
    private static final Pattern OWN_WORDS = Pattern.compile("(?s)((?:migrations could not (?:run|be read)"
            + "|the migration history could not be read|rollback could not run"
            + "|the rollback's hold could not be removed|the deployed migrations could not be read"
            + "|down scripts could not be read"
            + "|down script of .+? failed and was rolled back(?: \\(already rolled back: [^()]*\\))?)): .*");
    /** A database's message however it comes: PostgreSQL's "ERROR:", SQLite's "[SQLITE_...]", an SQLSTATE. */
    private static final Pattern DATABASE_TEXT = Pattern.compile(
            "(?s).*(?:\\bERROR: |\\[SQLITE_|SQLSTATE|\\bDetail: |\\bHint: |\\bPosition: |\\bWhere: ).*");

    private MigrationErrors() {
    }

    /** The message of a failed {@code action} for an answer; the whole one is logged with the id the answer gives. */
    static String describe(String action, MigrationException e) {
        String message = String.valueOf(e.getMessage());
        Matcher own = OWN_WORDS.matcher(message);
        String kept;
        if (own.matches()) {
            kept = own.group(1);
        } else if (DATABASE_TEXT.matcher(message).matches()) {
            int colon = message.indexOf(": ");
            kept = colon > 0 ? message.substring(0, colon) : action + " failed";
        } else {
            return Echo.cutQuoted(message);
        }
        String id = UUID.randomUUID().toString().substring(0, 8);
        LOG.warn("Admin API: {} failed (error id {}): {}", action, id, message);
        return kept + "; the database's own message is in the server's log (error id " + id + ")";
    }
}
