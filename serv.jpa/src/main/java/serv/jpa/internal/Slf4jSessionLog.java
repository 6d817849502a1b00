package serv.jpa.internal;

import org.eclipse.persistence.logging.AbstractSessionLog;
import org.eclipse.persistence.logging.SessionLog;
import org.eclipse.persistence.logging.SessionLogEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * EclipseLink's log into SLF4J, like the rest of the server (its default log writes to standard output). SQL and
 * bound values are EclipseLink's FINE levels: they go to debug, off unless an operator turns it on. Failed
 * statements go to debug too: the dispatcher answers them (and logs the unexpected ones with an error id).
 */
final class Slf4jSessionLog extends AbstractSessionLog {

    private static final Logger LOG = LoggerFactory.getLogger("org.eclipse.persistence");

    Slf4jSessionLog() {
        setLevel(LOG.isDebugEnabled() ? SessionLog.FINE : SessionLog.WARNING);
        setShouldLogExceptionStackTrace(LOG.isDebugEnabled());
    }

    @Override
    public void log(SessionLogEntry entry) {
        if (!shouldLog(entry.getLevel(), entry.getNameSpace())) {
            return;
        }
        String message = formatMessage(entry);
        Throwable error = entry.getException();
        int level = entry.getLevel();
        if (error != null && level < SessionLog.SEVERE) {
            // A failed statement: the request's answer (409, 400, 503, or a 500 logged with its id) tells it.
            LOG.debug(message, error);
        } else if (level >= SessionLog.SEVERE) {
            LOG.error(message, error);
        } else if (level >= SessionLog.WARNING) {
            LOG.warn(message, error);
        } else if (level >= SessionLog.INFO) {
            LOG.info(message, error);
        } else {
            LOG.debug(message, error);
        }
    }
}
