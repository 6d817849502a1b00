package serv.testkit;

import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;

import org.junit.Test;

/** What the kit says when something it needs is missing: the message names it and the fix. */
public class ServTestSupportTest {

    @Test
    public void aMissingServJarIsNamedWithTheFix() {
        System.setProperty("serv.jar", "/nonexistent/serv.jar");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ServTestSupport.runBundles());
            assertTrue(e.getMessage(), e.getMessage().startsWith("serv.jar not found at /nonexistent/serv.jar"));
            assertTrue(e.getMessage(), e.getMessage().contains("serv:serv.distribution:<version>:jar:serv"));
        } finally {
            System.clearProperty("serv.jar");
        }
    }

    @Test
    public void aMissingExtensionJarSaysToRunMvnVerify() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ServTestSupport.extension(Path.of("/nonexistent/notes.jar")));
        assertTrue(e.getMessage(), e.getMessage().contains("mvn verify"));
    }

    @Test
    public void postgresDownIsNamed() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort(); // closed again below: nothing listens there
        }
        // PG_HOST is read once per class loader: check the message through a fresh connection attempt instead
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ServTestSupport.sqlAt("127.0.0.1:" + closed, "postgres", "SELECT 1"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("PostgreSQL at 127.0.0.1:" + closed));
        assertTrue(e.getMessage(), e.getMessage().contains("is needed for the tests"));
    }
}
