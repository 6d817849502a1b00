package serv.core.internal.server;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * One log, one format, seen in both places an operator looks:
 * <ul>
 * <li>what bundles write to java.util.logging (SPI Fly, some libraries) and to the OSGi Log Service (SCR,
 * FileInstall, Configuration Admin, the Web Console) goes to SLF4J, whose provider writes every line the same way,
 * with its time;</li>
 * <li>and every line SLF4J writes (Serv's own, Jetty's, Hikari's...) is also recorded in the OSGi Log Service, so
 * that the Web Console's Log page shows the server's log, not only the framework's.</li>
 * </ul>
 * The second direction reads the lines slf4j-simple prints (it has no hook of its own): standard error is wrapped
 * by a stream that passes every byte on and hands each complete line to the OSGi log, under the logger name
 * {@value #PREFIX} + the line's logger. Lines this bridge itself forwarded from the OSGi log are not recorded again,
 * and entries it recorded are not forwarded again.
 */
@Component(immediate = true, service = {})
public final class LogBridge implements LogListener {

    /** Logger-name prefix of the OSGi log entries that copy a server log line. */
    static final String PREFIX = "server: ";
    /** slf4j-simple's line as serv.jar configures it: time [thread] LEVEL logger - message. */
    private static final Pattern LINE = Pattern.compile("^\\S+ \\[.*?\\] (TRACE|DEBUG|INFO|WARN|ERROR) (\\S+) - (.*)$");
    /** Set while this bridge forwards an OSGi log entry: the line it prints is already in the OSGi log. */
    private static final ThreadLocal<Boolean> FORWARDING = new ThreadLocal<>();

    private final LogReaderService reader;
    private final org.osgi.service.log.LoggerFactory osgiLog;
    private final PrintStream originalErr;
    private volatile String lastLogger = "server";
    private volatile String lastLevel = "INFO";

    @Activate
    public LogBridge(@Reference LogReaderService reader, @Reference org.osgi.service.log.LoggerFactory osgiLog,
            @Reference org.osgi.service.log.admin.LoggerAdmin admin) {
        this.reader = reader;
        this.osgiLog = osgiLog;
        // The OSGi log keeps WARN and above by default: the server's INFO lines belong on the Log page too.
        org.osgi.service.log.admin.LoggerContext root = admin.getLoggerContext(null);
        java.util.Map<String, org.osgi.service.log.LogLevel> levels = new java.util.HashMap<>(root.getLogLevels());
        if (levels.putIfAbsent(org.osgi.service.log.Logger.ROOT_LOGGER_NAME, org.osgi.service.log.LogLevel.INFO) == null) {
            root.setLogLevels(levels);
        }
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        reader.addLogListener(this);
        originalErr = System.err;
        System.setErr(new PrintStream(new LineTee(originalErr, this::recordLine), true, StandardCharsets.UTF_8));
    }

    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
        SLF4JBridgeHandler.uninstall();
        System.setErr(originalErr);
    }

    @Override
    public void logged(LogEntry entry) {
        String loggerName = entry.getLoggerName();
        if (loggerName != null && loggerName.startsWith(PREFIX)) {
            return; // a copy of a server log line: it is in the log already
        }
        String name = loggerName != null && !loggerName.equals("LogService") ? loggerName
                : entry.getBundle() == null ? "osgi" : entry.getBundle().getSymbolicName();
        if (name.startsWith("serv.") && entry.getLogLevel().ordinal() > org.osgi.service.log.LogLevel.WARN.ordinal()) {
            // SCR's lines about Serv's components (its logger is the component's class): their errors and warnings
            // (an activate or modified method that threw) belong in the log, its info and debug chatter does not
            return;
        }
        Logger log = LoggerFactory.getLogger(name);
        if (name.startsWith("Events.")) {
            log.debug(entry.getMessage()); // the framework's every bundle and service event: not for the log
            return;
        }
        String message = entry.getMessage();
        Throwable t = entry.getException();
        FORWARDING.set(Boolean.TRUE);
        try {
            switch (entry.getLogLevel()) {
                case AUDIT, ERROR -> log.error(message, t);
                case WARN -> log.warn(message, t);
                case INFO -> log.info(message, t);
                case DEBUG -> log.debug(message, t);
                case TRACE -> log.trace(message, t);
            }
        } finally {
            FORWARDING.remove();
        }
    }

    /** One complete line written to standard error: recorded in the OSGi log (a stack trace with its entry's level). */
    private void recordLine(String line) {
        if (Boolean.TRUE.equals(FORWARDING.get()) || line.isBlank()) {
            return;
        }
        String level;
        String logger;
        String message;
        Matcher m = LINE.matcher(line);
        if (m.matches()) {
            level = m.group(1);
            logger = m.group(2);
            message = m.group(3);
            lastLogger = logger;
            lastLevel = level;
        } else {
            level = lastLevel; // a stack trace or a message's next line
            logger = lastLogger;
            message = line;
        }
        org.osgi.service.log.Logger osgi = osgiLog.getLogger(PREFIX + logger);
        switch (level) {
            case "ERROR" -> osgi.error(message);
            case "WARN" -> osgi.warn(message);
            case "INFO" -> osgi.info(message);
            case "DEBUG" -> osgi.debug(message);
            default -> osgi.trace(message);
        }
    }

    /** Passes every byte on, and hands each complete line (UTF-8, without its end) to a consumer. */
    static final class LineTee extends OutputStream {
        private final OutputStream out;
        private final java.util.function.Consumer<String> lines;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream(256);

        LineTee(OutputStream out, java.util.function.Consumer<String> lines) {
            this.out = out;
            this.lines = lines;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            write(new byte[] { (byte) b }, 0, 1);
        }

        /**
         * Passes the bytes on and takes the lines they complete under this stream's lock; hands the lines over after
         * it, so that the OSGi log is never called while a writer waits here.
         */
        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            java.util.List<String> complete = null;
            synchronized (this) {
                out.write(b, off, len);
                for (int i = off; i < off + len; i++) {
                    if (b[i] == '\n') {
                        String line = pending.toString(StandardCharsets.UTF_8);
                        pending.reset();
                        if (complete == null) {
                            complete = new java.util.ArrayList<>(1);
                        }
                        complete.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
                    } else if (pending.size() < 16_384) {
                        pending.write(b[i]);
                    }
                }
            }
            if (complete != null) {
                for (String line : complete) {
                    try {
                        lines.accept(line);
                    } catch (RuntimeException e) {
                        // the OSGi log is going away: the line was printed, which is what matters
                    }
                }
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            out.flush();
        }
    }
}
