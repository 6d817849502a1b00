package serv.core.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import serv.core.Handler;

class RouteTableTest {

    private final Handler list = (req, res) -> { };
    private final Handler detail = (req, res) -> { };
    private final Handler latest = (req, res) -> { };

    private final RouteTable table = RouteTable.EMPTY
            .with(RouteTable.Entry.of("/posts", Set.of("GET", "POST"), "default", list, 1, 0, null))
            .with(RouteTable.Entry.of("/posts/{id}", Set.of("GET", "PUT", "DELETE"), "default", detail, 2, 0, null))
            .with(RouteTable.Entry.of("/posts/latest", Set.of("GET"), "", latest, 3, 0, null));

    @Test
    void templatesMatchAndBindParameters() {
        RouteTable.Match m = table.find("GET", "/posts/42");
        assertSame(detail, m.entry().handler());
        assertEquals(Map.of("id", "42"), m.params());
        assertSame(list, table.find("POST", "/posts/").entry().handler());
    }

    @Test
    void literalSegmentsWinOverParameters() {
        assertSame(latest, table.find("GET", "/posts/latest").entry().handler());
    }

    @Test
    void unknownPathIsNullAndWrongMethodListsAllowed() {
        assertNull(table.find("GET", "/users"));
        assertNull(table.find("GET", "/posts/1/comments"));
        RouteTable.Match m = table.find("PATCH", "/posts/1");
        assertNull(m.entry());
        assertEquals(Set.of("GET", "HEAD", "PUT", "DELETE"), m.allowed());
        assertSame(detail, table.find("HEAD", "/posts/1").entry().handler());
    }

    @Test
    void removingARouteTakesItOut() {
        assertNull(table.without(1).find("GET", "/posts"));
    }

    @Test
    void badTemplatesAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> RouteTable.Entry.of("posts", Set.of("GET"), "", list, 9, 0, null));
        assertThrows(IllegalArgumentException.class,
                () -> RouteTable.Entry.of("/a/{}", Set.of("GET"), "", list, 9, 0, null));
    }
}
