package serv.cli.create;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.Test;

/** The names a new extension's files get, the templates' placeholders, and the next migration's version. */
public class CreateTest {

    @Test
    public void anExtensionsNamesComeFromItsDisplayName() {
        Map<String, String> notes = Names.extension("Notes", "com.example", "com.example.notes", "1.0");
        assertEquals("notes", notes.get("slug"));
        assertEquals("Notes", notes.get("Class"));
        assertEquals("Note", notes.get("Item"));
        assertEquals("note", notes.get("single"));
        assertEquals("com/example/notes", notes.get("packagePath"));

        Map<String, String> list = Names.extension("Reading list", "com.example", "com.example.readinglist", "1.0");
        assertEquals("reading-list", list.get("slug"));
        assertEquals("reading_list", list.get("table"));
        assertEquals("ReadingListItem", list.get("Item"));
        assertEquals("reading list item", list.get("single"));
        assertThrows(IllegalArgumentException.class, () -> Names.slug("42 things"));
    }

    @Test
    public void aPlaceholderWithoutAValueIsAnErrorNeverLeftInAFile() {
        assertEquals("class Notes {}", Template.fill("class {{Class}} {}", Map.of("Class", "Notes")));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Template.fill("{{Class}} {{missing}}", Map.of("Class", "Notes")));
        assertTrue(e.getMessage(), e.getMessage().contains("{{missing}}"));
    }

    @Test
    public void everyTemplateOfANewExtensionIsFilledCompletely() {
        Map<String, String> values = Names.extension("Notes", "com.example", "com.example.notes", "1.0");
        for (String line : Template.read("extension/files.list").split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] parts = line.strip().split("\\s+");
                assertTrue(parts[0], !Template.render("extension/" + parts[0], values).contains("{{"));
                assertTrue(parts[1], !Template.fill(parts[1], values).contains("{{"));
            }
        }
    }

    @Test
    public void theNextMigrationFollowsTheHighestVersionUpOrDown() throws Exception {
        Path folder = Files.createTempDirectory("serv-create-test-");
        assertEquals(0, Project.highestVersion(folder.resolve("absent")));
        Files.writeString(folder.resolve("V001__a.sql"), "");
        Files.writeString(folder.resolve("V002__b.postgresql.sql"), "");
        Files.writeString(folder.resolve("U007__c.sql"), "");
        Files.writeString(folder.resolve("README.txt"), "");
        assertEquals(7, Project.highestVersion(folder));
    }
}
