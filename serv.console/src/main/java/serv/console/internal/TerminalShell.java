package serv.console.internal;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gogo shell on the server's terminal, when it was started with {@code java -jar serv.jar run --shell}
 * (framework or system property {@code serv.shell=true}): Serv's commands ({@code databases}, {@code tenants},
 * {@code help}...) at a {@code g!} prompt. Gogo's own console is off ({@code gosh.args=--nointeractive}), so that a
 * server without a terminal (a service, a container, the tests) never reads its standard input; {@code exit 0}
 * (any code, or none) and the end of the input leave the shell, not the server.
 */
@Component(immediate = true)
public final class TerminalShell {

    /** What the shell says when it ends: the server does not end with it. */
    static final String GOES_ON = "Serv goes on serving (Ctrl+C stops it)";

    private static final Logger LOG = LoggerFactory.getLogger(TerminalShell.class);

    private Thread thread;
    private CommandSession session;
    /** Set when the server stops (or the bundle): the shell's end is then no news. */
    private volatile boolean stopping;

    @Activate
    public TerminalShell(BundleContext context, @Reference CommandProcessor processor,
            @Reference ServCommands commands) { // the prompt comes once Serv's commands are there
        if (!Boolean.parseBoolean(context.getProperty("serv.shell"))) {
            return;
        }
        // The terminal itself: System.out is Gogo's per-thread stream by now, and writing a session to it loops.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        Keyboard keyboard = new Keyboard(new FileInputStream(FileDescriptor.in));
        session = processor.createSession(keyboard, out, err);
        Function exit = exit(keyboard, out);
        // Gogo's login profile makes java.lang.System's methods commands ("addcommand system"): 'exit 0' was
        // System.exit(0), which stopped the server (and the shell's thread, interrupted, logged a stack trace). A
        // session variable that holds a function is found before any command of its name.
        session.put("exit", exit);
        session.put("system:exit", exit);
        thread = new Thread(() -> {
            try {
                out.println("Serv shell: 'help' lists the commands (Serv's: databases, database, migrations,"
                        + " rollback, migrate, tenants, tenant, routes, extensions); 'exit 0' leaves the shell, not the server.");
                session.execute("gosh --login --noshutdown");
                if (!stopping && !keyboard.ended()) {
                    out.println();
                    out.println("The shell's input ended: " + GOES_ON + ".");
                }
            } catch (Exception e) {
                Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null
                        ? ite.getCause() : e;
                if (stopping) {
                    // its session closed under it (an InterruptedException): the server stops, not the shell fails
                    LOG.debug("The shell ended with the server: {}", cause.toString());
                } else {
                    LOG.warn("The shell ended: {}", cause.toString(), cause);
                }
            }
        }, "serv-shell");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * {@code exit [code]}: the end of the shell's input, so that Gogo's console asks for no more lines and its
     * {@code gosh} returns (with {@code --noshutdown}: the framework goes on). The code says nothing to a server that
     * goes on; it is taken and ignored.
     */
    static Function exit(Keyboard keyboard, PrintStream out) {
        return (s, arguments) -> {
            keyboard.end();
            s.put("prompt", ""); // the console prints its prompt once more before it reads the end
            out.println("Left the shell: " + GOES_ON + ".");
            return null;
        };
    }

    @Deactivate
    void deactivate() {
        stopping = true;
        if (session != null) {
            session.close();
        }
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** The terminal's input until {@code exit}: then its end, without closing the process's standard input. */
    static final class Keyboard extends FilterInputStream {

        private volatile boolean ended;

        Keyboard(InputStream in) {
            super(in);
        }

        void end() {
            ended = true;
        }

        boolean ended() {
            return ended;
        }

        @Override
        public int read() throws IOException {
            return ended ? -1 : super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return ended ? -1 : super.read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            return ended ? 0 : super.available();
        }

        @Override
        public void close() {
            end(); // standard input stays open: it is the process's, not the shell's
        }
    }
}
