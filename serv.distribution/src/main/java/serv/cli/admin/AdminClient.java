package serv.cli.admin;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import javax.net.ssl.SSLException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.Option;

/**
 * The command line's way to a running server: its admin API ({@code <url>/system/console/serv/api/...}) with the
 * console's login, from {@code --url} (or {@code SERV_URL}, else {@code http://127.0.0.1:$SERV_PORT}) and
 * {@code SERV_CONSOLE_USER} / {@code SERV_CONSOLE_PASSWORD} (or {@code --user}, {@code --password-file}).
 * A password is never taken on the command line, where other users of the machine could read it.
 */
public final class AdminClient {

    /** Exit codes a script can rely on. */
    public static final int OK = 0;
    /** The server refused the request (a 4xx: wrong value, unknown name); the reason is printed. */
    public static final int REFUSED = 1;
    /** A wrong option or argument (picocli's own code for one): nothing was sent; the reason is printed. */
    public static final int USAGE = 2;
    /** The server could not be reached. */
    public static final int UNREACHABLE = 3;
    /** The login was refused. */
    public static final int UNAUTHORIZED = 4;
    /** The server failed (a 5xx); the reason is printed. */
    public static final int SERVER_ERROR = 5;

    static final ObjectMapper JSON = new ObjectMapper();

    /** The options every operator command takes. */
    public static final class Options {
        @Option(names = "--url", description = "The server (default: $SERV_URL, else http://127.0.0.1:$SERV_PORT,"
                + " port 8000 when unset).")
        String url;

        @Option(names = "--user", description = "The console user (default: $SERV_CONSOLE_USER).")
        String user;

        @Option(names = "--password-file", description = "A file holding the console password (default:"
                + " $SERV_CONSOLE_PASSWORD).")
        Path passwordFile;

        @Option(names = "--json", description = "Print the API's JSON answer instead of a table.")
        boolean json;
    }

    /** A failed request: the exit code, and the line to print. */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        Failure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    // HTTP/1.1, which Serv's port speaks (the default, HTTP/2, sends an h2c upgrade with every request)
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String server;
    private final String base;
    private final String authorization;
    final boolean json;

    public AdminClient(Options o) throws Failure {
        this.server = address(o);
        this.base = server + "/system/console/serv/api/";
        String user = o.user != null ? o.user : System.getenv("SERV_CONSOLE_USER");
        String password = System.getenv("SERV_CONSOLE_PASSWORD");
        if (o.passwordFile != null) {
            try {
                password = Files.readString(o.passwordFile).strip();
            } catch (java.nio.file.NoSuchFileException e) {
                throw new Failure(USAGE, "--password-file " + o.passwordFile + " does not exist");
            } catch (java.nio.file.AccessDeniedException e) {
                throw new Failure(USAGE, "--password-file " + o.passwordFile + " cannot be read (permission denied)");
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new Failure(USAGE, "--password-file " + o.passwordFile + " is not UTF-8 text");
            } catch (IOException e) {
                throw new Failure(USAGE, "--password-file " + o.passwordFile + " cannot be read"
                        + (Files.isDirectory(o.passwordFile) ? ": it is a folder" : ""));
            }
        }
        if (user == null || password == null) {
            throw new Failure(UNAUTHORIZED, "set SERV_CONSOLE_USER and SERV_CONSOLE_PASSWORD (or --user and"
                    + " --password-file): the admin API uses the Web Console's login");
        }
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.json = o.json;
    }

    /**
     * The server's address the options give (--url, else $SERV_URL, else $SERV_PORT's), checked.
     *
     * @throws Failure with {@link #USAGE} when it cannot be a server's address
     */
    public static String address(Options o) throws Failure {
        return ServerAddress.of(o.url, System::getenv);
    }

    /** Whether the command prints the API's JSON answer (--json) instead of text. */
    public boolean json() {
        return json;
    }

    public JsonNode get(String path) throws Failure {
        return send("GET", path, HttpRequest.BodyPublishers.noBody(), null);
    }

    public JsonNode post(String path, Object body) throws Failure {
        return send("POST", path, json(body), "application/json");
    }

    public JsonNode put(String path, Object body) throws Failure {
        return send("PUT", path, json(body), "application/json");
    }

    public JsonNode delete(String path) throws Failure {
        return send("DELETE", path, HttpRequest.BodyPublishers.noBody(), null);
    }

    public JsonNode postBytes(String path, byte[] body, String type) throws Failure {
        return send("POST", path, HttpRequest.BodyPublishers.ofByteArray(body), type);
    }

    private static HttpRequest.BodyPublisher json(Object body) throws Failure {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body == null ? Map.of() : body));
        } catch (JsonProcessingException e) {
            throw new Failure(REFUSED, "the request could not be written: " + e.getOriginalMessage());
        }
    }

    private JsonNode send(String method, String path, HttpRequest.BodyPublisher body, String type) throws Failure {
        HttpResponse<byte[]> r;
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                    .header("Authorization", authorization).header("Accept", "application/json")
                    .method(method, body);
            if (type != null) {
                b.header("Content-Type", type);
            }
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IllegalArgumentException e) {
            // not expected: the address is checked and every value in the path encoded; said, not thrown
            throw new Failure(USAGE, "no request can be made to " + server + " for " + path + " (check --url)");
        } catch (ConnectException e) {
            throw new Failure(UNREACHABLE, "no server answers at " + server + " (is it running? set --url or"
                    + " SERV_PORT)");
        } catch (HttpTimeoutException e) {
            throw new Failure(UNREACHABLE, "the server at " + server + " did not answer within 60 s");
        } catch (SSLException e) {
            throw new Failure(UNREACHABLE, "no TLS connection to " + server + (server.startsWith("https:")
                    ? " (does it speak http://, not https://?)" : "") + ": " + e.getMessage());
        } catch (IOException e) {
            throw new Failure(UNREACHABLE, "the server at " + server + " could not be reached"
                    + (e.getMessage() == null ? " (the connection was closed)" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(UNREACHABLE, "interrupted");
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new Failure(UNAUTHORIZED, "the server refused the login (check SERV_CONSOLE_USER and"
                    + " SERV_CONSOLE_PASSWORD)");
        }
        JsonNode answer = null;
        if (r.body().length > 0) {
            try {
                answer = JSON.readTree(r.body());
            } catch (IOException e) {
                throw new Failure(SERVER_ERROR, "the server answered " + r.statusCode() + " without JSON: is "
                        + server + " a Serv server?");
            }
        }
        if (r.statusCode() >= 400) {
            String message = answer != null && answer.hasNonNull("error") ? answer.get("error").asText()
                    : "HTTP " + r.statusCode();
            // 429: the console refuses logins from this address for a while (too many wrong ones): a login matter.
            throw new Failure(r.statusCode() >= 500 ? SERVER_ERROR : r.statusCode() == 429 ? UNAUTHORIZED : REFUSED,
                    message);
        }
        return answer == null ? JSON.createObjectNode() : answer;
    }

    /** Prints an answer as indented JSON. */
    public static String pretty(JsonNode node) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            return node.toString();
        }
    }
}
