package serv.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import serv.testkit.ServTestSupport;

/**
 * What the tests of the operator's login on {@code /health} and {@code /metrics} share: a request from another
 * loopback address (the login's throttle counts wrong logins by address, so one test's refusals do not refuse the
 * others'), and reads that may throw while the server changes.
 */
abstract class OperatorLoginSupport extends ServTestSupport {

    interface Call {
        Answer call() throws Exception;
    }

    /** The body, or "" while the call throws. */
    static String body(Call call) {
        try {
            return call.call().body();
        } catch (Exception e) {
            return "";
        }
    }

    /** GET's status code, or -1 while the call throws. */
    static int status(String path, String... headers) {
        try {
            return get(path, headers).status();
        } catch (Exception e) {
            return -1;
        }
    }

    /** GET {@code path} with that Authorization (null: none) from 127.0.0.2: its status code and body. */
    static String[] fromOtherAddress(String path, String authorization) throws IOException {
        int port = Integer.parseInt(context().getProperty("serv.port"));
        try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName("127.0.0.2"), 0)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = answer.indexOf("\r\n\r\n");
            return new String[] { answer.substring(9, 12), end < 0 ? "" : answer.substring(end + 4) };
        }
    }
}
