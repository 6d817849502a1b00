package serv.core.internal.config;

import org.slf4j.Logger;

/**
 * Keeps a burst from flooding the log: up to {@code perWindow} lines per window are logged at INFO; the rest of the
 * window's lines are logged at DEBUG and counted, and the next INFO line says how many were left out. Ten thousand
 * tenants applied at once give a few lines and a count, not ten thousand lines.
 */
public final class BurstLog {

    private final Logger log;
    private final int perWindow;
    private final long windowNanos;
    private long windowStart = System.nanoTime();
    private int inWindow;
    private long skipped;

    public BurstLog(Logger log, int perWindow, long windowMillis) {
        this.log = log;
        this.perWindow = perWindow;
        this.windowNanos = windowMillis * 1_000_000;
    }

    public synchronized void info(String format, Object... args) {
        long now = System.nanoTime();
        if (now - windowStart > windowNanos) {
            windowStart = now;
            inWindow = 0;
        }
        if (inWindow < perWindow) {
            inWindow++;
            if (skipped > 0) {
                log.info("({} similar lines left out of the log; at DEBUG level)", skipped);
                skipped = 0;
            }
            log.info(format, args);
        } else {
            skipped++;
            log.debug(format, args);
        }
    }

    /** Logs how many lines were left out, if any (at the end of a burst). */
    public synchronized void flush() {
        if (skipped > 0) {
            log.info("({} similar lines left out of the log; at DEBUG level)", skipped);
            skipped = 0;
        }
    }
}
