package serv.cli.admin;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;

import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.Test;

/** The server's address from --url, SERV_URL or SERV_PORT: a wrong one is a usage error that says what to give. */
public class ServerAddressTest {

    private static final UnaryOperator<String> NO_ENV = name -> null;

    private static AdminClient.Failure refused(String url) {
        return assertThrows(AdminClient.Failure.class, () -> ServerAddress.of(url, NO_ENV));
    }

    @Test
    public void anHttpAddressIsTheServer() throws Exception {
        assertEquals("http://127.0.0.1:18201", ServerAddress.of("http://127.0.0.1:18201", NO_ENV));
        assertEquals("http://127.0.0.1:18201", ServerAddress.of("http://127.0.0.1:18201/", NO_ENV));
        assertEquals("https://serv.example.com", ServerAddress.of("HTTPS://serv.example.com", NO_ENV));
        assertEquals("http://[::1]:8000", ServerAddress.of("http://[::1]:8000", NO_ENV));
        assertEquals("http://127.0.0.1:8000", ServerAddress.of(null, NO_ENV));
        assertEquals("http://127.0.0.1:9000", ServerAddress.of(null, Map.of("SERV_PORT", " 9000 ")::get));
        assertEquals("http://10.0.0.1:1", ServerAddress.of(null, Map.of("SERV_URL", "http://10.0.0.1:1",
                "SERV_PORT", "9000")::get));
    }

    @Test
    public void anotherSchemeOrNoURLAtAllIsAUsageError() {
        AdminClient.Failure ftp = refused("ftp://127.0.0.1:18201");
        assertEquals(AdminClient.USAGE, ftp.exitCode());
        assertEquals("--url must be http://HOST:PORT or https://HOST:PORT, got 'ftp://127.0.0.1:18201'",
                ftp.getMessage());
        assertEquals("--url must be http://HOST:PORT or https://HOST:PORT, got 'not a url'",
                refused("not a url").getMessage());
        assertEquals("--url must be http://HOST:PORT or https://HOST:PORT, got 'localhost:8000'; give"
                + " http://localhost:8000, say", refused("localhost:8000").getMessage());
        assertEquals("--url must be http://HOST:PORT or https://HOST:PORT, got 'http://127.0.0.1:99999' (the port is"
                + " not 1-65535)", refused("http://127.0.0.1:99999").getMessage());
        assertEquals(AdminClient.USAGE, refused("http://").exitCode());
        assertEquals(AdminClient.USAGE, refused("").exitCode());
        AdminClient.Failure env = assertThrows(AdminClient.Failure.class,
                () -> ServerAddress.of(null, Map.of("SERV_URL", "ftp://x")::get));
        assertEquals("SERV_URL must be http://HOST:PORT or https://HOST:PORT, got 'ftp://x'", env.getMessage());
        AdminClient.Failure port = assertThrows(AdminClient.Failure.class,
                () -> ServerAddress.of(null, Map.of("SERV_PORT", "abc")::get));
        assertEquals(AdminClient.USAGE, port.exitCode());
        assertEquals("SERV_PORT='abc' is not a port number (1-65535); set SERV_PORT to the server's port, or give"
                + " --url=http://HOST:PORT", port.getMessage());
    }

    @Test
    public void anAddressWithAPathIsRefusedWithTheAddressToGive() {
        AdminClient.Failure health = refused("http://127.0.0.1:18201/health");
        assertEquals(AdminClient.USAGE, health.exitCode());
        assertEquals("--url is the server's address (http://HOST:PORT), without a path: got"
                + " 'http://127.0.0.1:18201/health'; give --url=http://127.0.0.1:18201", health.getMessage());
        assertEquals("--url is the server's address (http://HOST:PORT), without a query: got"
                + " 'http://127.0.0.1:18201/?x=1'; give --url=http://127.0.0.1:18201",
                refused("http://127.0.0.1:18201/?x=1").getMessage());
    }

    @Test
    public void aLoginInTheAddressIsRefusedWithoutRepeatingIt() {
        AdminClient.Failure login = refused("http://op:secret@127.0.0.1:18201");
        assertEquals(AdminClient.USAGE, login.exitCode());
        assertFalse(login.getMessage(), login.getMessage().contains("secret"));
    }
}
