package serv.console.internal;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
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
 * leaves the shell, not the server.
 */
@Component(immediate = true)
public final class TerminalShell {

    private static final Logger LOG = LoggerFactory.getLogger(TerminalShell.class);

    private Thread thread;
    private CommandSession session;

    @Activate
    public TerminalShell(BundleContext context, @Reference CommandProcessor processor,
            @Reference ServCommands commands) { // the prompt comes once Serv's commands are there
        if (!Boolean.parseBoolean(context.getProperty("serv.shell"))) {
            return;
        }
        // The terminal itself: System.out is Gogo's per-thread stream by now, and writing a session to it loops.
        java.io.PrintStream out = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        java.io.PrintStream err = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true);
        session = processor.createSession(new java.io.FileInputStream(java.io.FileDescriptor.in), out, err);
        thread = new Thread(() -> {
            try {
                out.println("Serv shell: 'help' lists the commands (Serv's: databases, database, migrations,"
                        + " rollback, migrate, tenants, tenant, routes, extensions); 'exit 0' leaves the shell, not the server.");
                session.execute("gosh --login --noshutdown");
            } catch (Exception e) {
                Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null
                        ? ite.getCause() : e;
                LOG.warn("The shell ended: {}", cause.toString(), cause);
            }
        }, "serv-shell");
        thread.setDaemon(true);
        thread.start();
    }

    @Deactivate
    void deactivate() {
        if (session != null) {
            session.close();
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
