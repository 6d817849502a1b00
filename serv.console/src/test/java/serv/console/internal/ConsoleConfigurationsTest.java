package serv.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.apache.felix.webconsole.spi.ValidationException;
import org.junit.jupiter.api.Test;
import org.osgi.service.cm.ConfigurationAdmin;

import serv.core.config.ConfigChecks;
import serv.core.config.Secrets;

/** What the console's configuration forms save, checked before Configuration Admin stores it. */
class ConsoleConfigurationsTest {

    private final ConsoleConfigurations handler = new ConsoleConfigurations(
            Fakes.of(ConfigChecks.class, Map.of("problems", a -> List.of())),
            Fakes.of(Secrets.class, Map.of("sealAll", a -> a[0])),
            Fakes.of(ConfigurationAdmin.class, Map.of("listConfigurations", a -> null)));

    /**
     * The form's propertylist is free text: a name with NUL, a line break or another control character (and an empty
     * one) was stored as given. Refused, naming the problem, and nothing is stored.
     */
    @Test
    void aPropertyNameWithAControlCharacterOrNoneIsRefused() throws Exception {
        for (String name : List.of("a\u0000b", "ti\ntle", "\ttitle", "x\u007f", "a\u0085b", "", "  ")) {
            Hashtable<String, Object> props = new Hashtable<>(Map.of("title", "Blog", name, "y"));
            ValidationException e = assertThrows(ValidationException.class,
                    () -> handler.updateConfiguration(null, "serv.blog", props), name);
            assertTrue(e.getMessage().startsWith("Not saved: "), e.getMessage());
            assertTrue(e.getMessage().contains(name.isBlank() ? "a property name is empty" : "control character"),
                    e.getMessage());
            assertEquals(Map.of("title", "Blog", name, "y"), props, "nothing is changed, so nothing is stored");
        }
        assertEquals("Not saved: property name 'a?b' holds a control character (U+0000 at 2); give a name of letters,"
                + " digits, '.', '_' and '-'", assertThrows(ValidationException.class, () -> handler
                        .updateConfiguration(null, "serv.blog", new Hashtable<>(Map.of("a\u0000b", "y"))))
                .getMessage());
        Hashtable<String, Object> good = new Hashtable<>(Map.of("title", "Blog", "posts.page_size", "20"));
        handler.updateConfiguration(null, "serv.blog", good);
        assertEquals(Map.of("title", "Blog", "posts.page_size", "20"), good);
    }
}
