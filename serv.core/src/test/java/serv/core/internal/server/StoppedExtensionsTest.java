package serv.core.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** What a restart reads of the extensions the operator stopped: a damaged file stops nothing from starting. */
class StoppedExtensionsTest {

    @Test
    void readsWhatWasRecordedAndSkipsWhatIsIncomplete() throws Exception {
        Path file = Files.createTempFile("stopped-extensions-", ".json");
        Files.writeString(file, """
                {"notes": {"stopped_at": "2026-12-03T02:00:00Z", "routes": [
                    {"path": "/notes", "methods": ["GET", "HEAD"], "database": "default"},
                    {"path": "/notes/{id}", "methods": ["DELETE"]},
                    {"path": "/notes/{id}", "methods": ["GET"], "database": "", "ranking": 10},
                    {"methods": ["GET"]}]},
                 "bare": {},
                 "future": {"stopped_at": "x", "routes": [], "by": "someone"}}
                """);
        Map<String, StoppedExtensions.Stop> stops = StoppedExtensions.read(file);
        assertEquals(Set.of("notes", "bare", "future"), stops.keySet());
        assertEquals("2026-12-03T02:00:00Z", stops.get("notes").stoppedAt());
        assertEquals(List.of(new StoppedExtensions.StoppedRoute("/notes", Set.of("GET", "HEAD"), "default"),
                new StoppedExtensions.StoppedRoute("/notes/{id}", Set.of("DELETE"), ""),
                new StoppedExtensions.StoppedRoute("/notes/{id}", Set.of("GET"), "", 10)), stops.get("notes").routes(),
                "a route's service.ranking is kept (0 when the file has none)");
        assertEquals(List.of(), stops.get("bare").routes());
        assertEquals("an unknown date", stops.get("bare").stoppedAt());
    }

    @Test
    void aBrokenFileCountsAsNoStopAndAMissingOneToo() throws Exception {
        Path file = Files.createTempFile("stopped-extensions-", ".json");
        Files.writeString(file, "{\"notes\": {\"stopped_at\": ");
        assertTrue(StoppedExtensions.read(file).isEmpty());
        Files.delete(file);
        assertTrue(StoppedExtensions.read(file).isEmpty());
    }
}
