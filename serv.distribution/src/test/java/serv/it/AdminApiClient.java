package serv.it;

import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The admin API of a running serv.jar ({@link ServProcess}), under the console's path and login. */
final class AdminApiClient {

    static final ObjectMapper JSON = new ObjectMapper();
    // HTTP/1.1, which Serv's port speaks (the default, HTTP/2, sends an h2c upgrade with every request)
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** An answer: its status and its JSON body (an empty object when it has none). */
    record Answer(int status, JsonNode body) {
    }

    private final ServProcess serv;
    private final String authorization;

    AdminApiClient(ServProcess serv, String user, String password) {
        this.serv = serv;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** One request to {@code /system/console/serv/api/<path>}; every error answer must be {"error": ...}. */
    Answer api(String method, String path, byte[] body, String type) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serv.port
                + "/system/console/serv/api/" + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", authorization)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode node = r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
        if (r.statusCode() >= 400) {
            assertTrue(path + ": every error is {\"error\": ...}: " + node, node.hasNonNull("error"));
        }
        return new Answer(r.statusCode(), node);
    }

    /** {@code body} sent as JSON. */
    Answer json(String method, String path, Object body) throws Exception {
        return api(method, path, JSON.writeValueAsBytes(body), "application/json");
    }

    /** Waits (at most 30 s) until the server's {@code path} answers 200. */
    void awaitServing(String path) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (serv.status(path, null, null) != 200) {
            assertTrue(path + " never served:\n" + serv.log(), System.nanoTime() < end);
            Thread.sleep(100);
        }
    }
}
