package serv.core.internal.server;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * One log, one format: what bundles write to java.util.logging (SPI Fly, some libraries) and to the OSGi Log
 * Service (SCR, FileInstall, the Web Console) goes to SLF4J, whose provider writes every line the same way, with
 * its time. The OSGi Log Service also keeps the recent entries for the Web Console's Log page.
 */
@Component(immediate = true, service = {})
public final class LogBridge implements LogListener {

    private final LogReaderService reader;

    @Activate
    public LogBridge(@Reference LogReaderService reader) {
        this.reader = reader;
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        reader.addLogListener(this);
    }

    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
        SLF4JBridgeHandler.uninstall();
    }

    @Override
    public void logged(LogEntry entry) {
        String name = entry.getLoggerName() != null && !entry.getLoggerName().equals("LogService")
                ? entry.getLoggerName()
                : entry.getBundle() == null ? "osgi" : entry.getBundle().getSymbolicName();
        if (name.startsWith("serv.")) {
            return; // Serv logs through SLF4J itself
        }
        Logger log = LoggerFactory.getLogger(name);
        if (name.startsWith("Events.")) {
            log.debug(entry.getMessage()); // the framework's every bundle and service event: not for the log
            return;
        }
        String message = entry.getMessage();
        Throwable t = entry.getException();
        switch (entry.getLogLevel()) {
            case AUDIT, ERROR -> log.error(message, t);
            case WARN -> log.warn(message, t);
            case INFO -> log.info(message, t);
            case DEBUG -> log.debug(message, t);
            case TRACE -> log.trace(message, t);
        }
    }
}
