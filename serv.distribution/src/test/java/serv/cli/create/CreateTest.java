package serv.cli.create;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

import picocli.CommandLine;
import serv.cli.Main;

/**
 * The names a new extension's files get, the templates' placeholders, the settings keys it documents, the options
 * refused, and the next migration's version.
 */
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
    public void namesThatWouldNotCompileOrMigrateAreMadeSafeOrRefused() {
        // A class of the project may not hide one its sources import: Routes' items are no serv.core.Route
        assertEquals("RoutesItem", Names.extension("Routes", "com.example", "com.example.routes", "1.0").get("Item"));
        assertEquals("RequestsItem", Names.extension("Requests", "com.example", "x", "1.0").get("Item"));
        assertEquals("Note", Names.extension("Notes", "com.example", "x", "1.0").get("Item"));
        // A table named by an SQL keyword fails in the first migration: CREATE TABLE user
        assertEquals("user_items", Names.extension("User", "com.example", "x", "1.0").get("table"));
        assertEquals("order_items", Names.extension("Order", "com.example", "x", "1.0").get("table"));
        assertEquals("orders", Names.extension("Orders", "com.example", "x", "1.0").get("table"));
        // A package part that is a Java keyword takes an underscore; one given with it is refused
        assertEquals("com.example.import_", Names.defaultPackage("com.example", "Import"));
        assertEquals("com.default_.notes", Names.defaultPackage("com.default", "Notes"));
        assertEquals("the package 'com.example.class' has a Java keyword as a part ('class'); give --package with"
                + " 'class_' there, say", Names.badPackage("com.example.class"));
        assertEquals(null, Names.badPackage("com.example.import_"));
        // Accents are dropped, other letters refused rather than dropped
        assertEquals("uberblick", Names.slug("Überblick"));
        IllegalArgumentException greek = assertThrows(IllegalArgumentException.class, () -> Names.slug("Λίστα"));
        assertTrue(greek.getMessage(), greek.getMessage().contains("holds letters outside A-Z (Λιστα)"));
        IllegalArgumentException route = assertThrows(IllegalArgumentException.class,
                () -> Names.className("request", "route"));
        assertEquals("a route class named Request would hide the Request its source uses; give another --name"
                + " (RequestRoute, say)", route.getMessage());
        assertEquals("Search", Names.className("search", "route"));
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

    /**
     * The keys of the settings interface, as bnd writes them into the metatype from its methods' names (OSGi
     * Declarative Services 112.8.2.1, which the metatype annotations follow): "$$" is '$', "$_$" is '-', another '$'
     * is dropped, "__" is '_' and a single '_' is '.'.
     */
    private static Set<String> settingsKeys(String settingsSource) {
        Set<String> keys = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\s+\\w+ (\\w+)\\(\\) default ").matcher(settingsSource);
        while (m.find()) {
            String method = m.group(1);
            StringBuilder key = new StringBuilder();
            for (int i = 0; i < method.length(); i++) {
                if (method.startsWith("$_$", i)) {
                    key.append('-');
                    i += 2;
                } else if (method.startsWith("$$", i) || method.startsWith("__", i)) {
                    key.append(method.charAt(i));
                    i++;
                } else if (method.charAt(i) == '_') {
                    key.append('.');
                } else if (method.charAt(i) != '$') {
                    key.append(method.charAt(i));
                }
            }
            keys.add(key.toString());
        }
        return keys;
    }

    /** The keys of every {@code settings: {key: value, ...}} of a text (a YAML example). */
    private static List<String> yamlSettingsKeys(String text) {
        List<String> keys = new ArrayList<>();
        Matcher m = Pattern.compile("settings: \\{([^}]*)}").matcher(text);
        while (m.find()) {
            for (String pair : m.group(1).split(",")) {
                keys.add(pair.split(":")[0].strip());
            }
        }
        return keys;
    }

    @Test
    public void theSettingsKeysANewExtensionDocumentsAreTheKeysItsSettingsRead() throws Exception {
        Map<String, String> values = Names.extension("Notes", "com.example", "com.example.notes", "1.0");
        Set<String> keys = settingsKeys(Template.render("extension/Settings.java.tmpl", values));
        assertEquals(Set.of("database", "max_title_length"), keys);
        List<String> readme = yamlSettingsKeys(Template.render("extension/README.md.tmpl", values));
        assertFalse("the generated README shows its settings", readme.isEmpty());
        assertTrue(readme + " are not all among " + keys, keys.containsAll(readme));
        String guide = Files.readString(Path.of(System.getProperty("user.dir")).resolve("../docs/extensions.md"));
        List<String> documented = yamlSettingsKeys(guide);
        assertFalse("docs/extensions.md shows the settings", documented.isEmpty());
        assertTrue(documented + " are not all among " + keys, keys.containsAll(documented));
        assertTrue("docs/extensions.md's etc/ example", guide.contains("`max_title_length=80`"));
    }

    /** {@code serv create ...} as the command line runs it: the exit code and what it printed on stderr. */
    private static Map.Entry<Integer, String> serv(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return Map.entry(exit, err.toString());
    }

    @Test
    public void aRoutePathThatIsNoTemplateIsAUsageErrorInOneLine() throws Exception {
        Path folder = Files.createTempDirectory("serv-create-test-");
        assertEquals(0, (int) serv("create", "extension", "--name", "Notes", "--dir", folder.toString()).getKey());
        Path project = folder.resolve("notes");
        for (String path : List.of("/user/{id", "/user/id}", "/user/{}", "/user/{id}x", "/a{b}/c", "/x\"y",
                "user/{id}")) {
            Map.Entry<Integer, String> run = serv("create", "route", "--name", "Bad", "--path", path, "--dir",
                    project.toString());
            assertEquals(path + ": " + run.getValue(), 2, (int) run.getKey());
            assertEquals(run.getValue(), 1, run.getValue().lines().count());
            assertTrue(run.getValue(), run.getValue().startsWith("serv: --path"));
        }
        assertEquals("serv: --path '/user/{id' has '{id', which is not a parameter: a parameter is a whole segment,"
                + " {name}\n", serv("create", "route", "--name", "Bad", "--path", "/user/{id", "--dir",
                        project.toString()).getValue());
        assertFalse("nothing was written", Files.exists(project.resolve("src/main/java/com/example/notes/Bad.java")));
        assertEquals("a wrong --name too", 2, (int) serv("create", "route", "--name", "Request", "--path", "/x",
                "--dir", project.toString()).getKey());
        assertEquals(0, (int) serv("create", "route", "--name", "Good", "--path", "/user/{id}/tags", "--dir",
                project.toString()).getKey());
        // what the server would refuse (a parameter named twice, a method that is a typo) is refused here first
        assertEquals("serv: --path '/a/{id}/b/{id}' has {id} twice: give each parameter its own name\n",
                serv("create", "route", "--name", "Twice", "--path", "/a/{id}/b/{id}", "--dir", project.toString())
                        .getValue());
        Map.Entry<Integer, String> typo = serv("create", "route", "--name", "Typo", "--path", "/typo", "--methods",
                "GET,GTE", "--dir", project.toString());
        assertEquals(typo.getValue(), 2, (int) typo.getKey());
        assertEquals("serv: --methods 'GTE' is no method a route answers: use GET, HEAD, POST, PUT, PATCH, DELETE,"
                + " OPTIONS\n", typo.getValue());
        assertFalse("nothing was written", Files.exists(project.resolve("src/main/java/com/example/notes/Typo.java")));
        assertEquals(0, (int) serv("create", "route", "--name", "Tidy", "--path", "/tidy", "--methods", "get,patch",
                "--dir", project.toString()).getKey());
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
        Files.writeString(folder.resolve("V9_1__d.sql"), ""); // the server reads V9_1 and V9.1 as version 9.1
        assertEquals(9, Project.highestVersion(folder));
    }

    /** A Java migration of the project, as the extension guide and JavaMigration's javadoc write one. */
    private static String javaMigration(String cls, String database, String versionBody, String extra) {
        return "package com.example.notes;\n\nimport java.sql.Connection;\n\n"
                + "import org.osgi.service.component.annotations.Component;\n\n"
                + "import serv.database.Dialect;\nimport serv.database.JavaMigration;\n\n"
                + "/** Fills the titles; see https://example.com/a//b and \"quotes\". */\n"
                + "@Component(service = JavaMigration.class, property = " + database + ")\n"
                + "public final class " + cls + " implements JavaMigration {\n" + extra
                + "    // public String version() { return \"900\"; }   an old version, commented out\n"
                + "    @Override\n    public String version() {\n        " + versionBody + "\n    }\n\n"
                + "    @Override\n    public String description() {\n        return \"fill titles\";\n    }\n\n"
                + "    @Override\n    public String checksum() {\n        return \"1\";\n    }\n\n"
                + "    @Override\n    public void migrate(Connection c, Dialect d) {\n    }\n}\n";
    }

    /**
     * The server puts a folder's SQL scripts and the project's Java migrations in one version order and refuses them
     * all when a version is both: the next migration follows the Java ones too (read from the sources: a literal or a
     * constant, the folder from serv.database.name), and a clash already there is refused naming both files.
     */
    @Test
    public void theNextMigrationFollowsTheJavaMigrationsAndAClashIsRefused() throws Exception {
        Path folder = Files.createTempDirectory("serv-create-test-");
        assertEquals(0, (int) serv("create", "extension", "--name", "Notes", "--dir", folder.toString()).getKey());
        Path project = folder.resolve("notes");
        Path java = project.resolve("src/main/java/com/example/notes");
        Path migrations = project.resolve("src/main/resources/serv/migrations/default");
        Files.writeString(java.resolve("FillTitles.java"), javaMigration("FillTitles",
                "JavaMigration.DATABASE + \"=default\"", "return \"004\";", ""));
        Files.writeString(java.resolve("CountNotes.java"), javaMigration("CountNotes", "\"serv.database.name=default\"",
                "return VERSION;", "    private static final String VERSION = \"3\";\n"));
        Files.writeString(java.resolve("Reports.java"), javaMigration("Reports", "\"serv.database.name=reports\"",
                "return \"040\";", "")); // another folder's: not counted
        Map.Entry<Integer, String> made = serv("create", "migration", "--name", "add_done", "--dir", project.toString());
        assertEquals(made.getValue(), 0, (int) made.getKey());
        assertEquals("", made.getValue());
        assertTrue("V005 follows the Java V004", Files.exists(migrations.resolve("V005__add_done.sql")));
        assertFalse(Files.exists(migrations.resolve("V003__add_done.sql")));

        // A version that cannot be read from the source is said, and the rest still counts.
        Files.writeString(java.resolve("Computed.java"), javaMigration("Computed", "\"serv.database.name=default\"",
                "return Integer.toString(7);", ""));
        made = serv("create", "migration", "--name", "add_tags", "--dir", project.toString());
        assertEquals(made.getValue(), 0, (int) made.getKey());
        assertTrue(made.getValue(), made.getValue().startsWith("serv: note: the Java migration "
                + Path.of("src/main/java/com/example/notes/Computed.java") + " (its version() returns"
                + " Integer.toString(7))"));
        assertTrue(Files.exists(migrations.resolve("V006__add_tags.sql")));
        Files.delete(java.resolve("Computed.java"));

        // The reported case: a V004 script beside the Java V004 (made by hand, or by an older serv).
        Files.writeString(migrations.resolve("V004__x.sql"), "SELECT 1;\n");
        Map.Entry<Integer, String> clash = serv("create", "migration", "--name", "more", "--dir", project.toString());
        assertEquals(clash.getValue(), 1, (int) clash.getKey());
        assertEquals("serv: V004 is both the SQL file " + Path.of("src/main/resources/serv/migrations/default/V004__x.sql")
                + " and the Java migration " + Path.of("src/main/java/com/example/notes/FillTitles.java")
                + ": the server refuses the migrations of folder default (none runs) until one of them gets another"
                + " version; nothing was made\n", clash.getValue());
        assertFalse("nothing was made", Files.exists(migrations.resolve("V007__more.sql")));

        // Another folder's migrations do not clash with this one's.
        Files.delete(migrations.resolve("V004__x.sql"));
        Files.writeString(migrations.resolve("V040__y.sql"), "SELECT 1;\n");
        assertEquals(0, (int) serv("create", "migration", "--name", "z", "--dir", project.toString()).getKey());
        assertTrue(Files.exists(migrations.resolve("V041__z.sql")));
    }

    /**
     * A Java migration declared through the project's own types (an interface that extends JavaMigration, an interface
     * of that interface, an abstract base class implementing one) is the server's Java migration all the same: the
     * next version follows it and a clash with it is refused; the interfaces and the base class are no migrations of
     * their own, and one that inherits its version() is said, not guessed.
     */
    @Test
    public void javaMigrationsThroughTheProjectsOwnInterfacesAndBaseClassesCount() throws Exception {
        Path folder = Files.createTempDirectory("serv-create-test-");
        assertEquals(0, (int) serv("create", "extension", "--name", "Notes", "--dir", folder.toString()).getKey());
        Path project = folder.resolve("notes");
        Path java = project.resolve("src/main/java/com/example/notes");
        Path migrations = project.resolve("src/main/resources/serv/migrations/default");
        Files.createDirectories(java.resolve("db"));
        Files.writeString(java.resolve("db/NotesMigration.java"), "package com.example.notes.db;\n\n"
                + "import serv.database.JavaMigration;\n\n"
                + "/** The project's migrations: a checksum of their own. */\n"
                + "public interface NotesMigration extends JavaMigration {\n"
                + "    @Override\n    default String checksum() {\n        return \"1\";\n    }\n}\n");
        Files.writeString(java.resolve("db/TimedMigration.java"), "package com.example.notes.db;\n\n"
                + "public interface TimedMigration<T extends Comparable<T>> extends java.io.Serializable,"
                + " com.example.notes.db.NotesMigration {\n    default long timeout() {\n        return 30;\n    }\n}\n");
        Files.writeString(java.resolve("db/BaseMigration.java"), "package com.example.notes.db;\n\n"
                + "import serv.database.Dialect;\n\n"
                + "public abstract class BaseMigration implements TimedMigration<String> {\n"
                + "    @Override\n    public String description() {\n        return getClass().getSimpleName();\n"
                + "    }\n\n    @Override\n    public void migrate(java.sql.Connection c, Dialect d) {\n    }\n}\n");
        String component = "import org.osgi.service.component.annotations.Component;\n\n"
                + "import serv.database.JavaMigration;\n\n"
                + "@Component(service = JavaMigration.class, property = JavaMigration.DATABASE + \"=default\")\n";
        Files.writeString(java.resolve("AddIndex.java"), "package com.example.notes;\n\n" + component
                + "public final class AddIndex implements com.example.notes.db.NotesMigration {\n"
                + "    @Override\n    public String version() {\n        return \"008\";\n    }\n\n"
                + "    @Override\n    public String description() {\n        return \"add index\";\n    }\n\n"
                + "    @Override\n    public void migrate(java.sql.Connection c, serv.database.Dialect d) {\n    }\n}\n");
        Files.writeString(java.resolve("FillTags.java"), "package com.example.notes;\n\n" + component
                + "public final class FillTags extends com.example.notes.db.BaseMigration {\n"
                + "    private static final String VERSION = \"9\";\n\n"
                + "    @Override\n    public String version() {\n        return VERSION;\n    }\n}\n");
        Map.Entry<Integer, String> made = serv("create", "migration", "--name", "add_done", "--dir", project.toString());
        assertEquals(made.getValue(), 0, (int) made.getKey());
        assertEquals("", made.getValue());
        assertTrue("V010 follows the Java V009 of a base class's subclass",
                Files.exists(migrations.resolve("V010__add_done.sql")));

        // A clash with the one through the interface is refused, naming both files.
        Files.writeString(migrations.resolve("V008__x.sql"), "SELECT 1;\n");
        Map.Entry<Integer, String> clash = serv("create", "migration", "--name", "more", "--dir", project.toString());
        assertEquals(clash.getValue(), 1, (int) clash.getKey());
        assertEquals("serv: V008 is both the SQL file " + Path.of("src/main/resources/serv/migrations/default/V008__x.sql")
                + " and the Java migration " + Path.of("src/main/java/com/example/notes/AddIndex.java")
                + ": the server refuses the migrations of folder default (none runs) until one of them gets another"
                + " version; nothing was made\n", clash.getValue());
        Files.delete(migrations.resolve("V008__x.sql"));

        // A version() inherited through the chain is not guessed: said, naming the file.
        Files.writeString(java.resolve("Inherits.java"), "package com.example.notes;\n\n" + component
                + "public final class Inherits extends com.example.notes.db.BaseMigration implements Runnable {\n"
                + "    @Override\n    public void run() {\n    }\n}\n");
        made = serv("create", "migration", "--name", "add_more", "--dir", project.toString());
        assertEquals(made.getValue(), 0, (int) made.getKey());
        assertTrue(made.getValue(), made.getValue().startsWith("serv: note: the Java migration "
                + Path.of("src/main/java/com/example/notes/Inherits.java") + " (its version() is not a `return` of a"
                + " string or a String constant of its file)"));
        assertFalse(made.getValue(), made.getValue().contains("NotesMigration") || made.getValue().contains(
                "TimedMigration") || made.getValue().contains("BaseMigration"));
        assertTrue(Files.exists(migrations.resolve("V011__add_more.sql")));
    }

    @Test
    public void javaSourceWithoutCommentsKeepsItsStrings() {
        assertEquals("String a = \"x // y /* z */\"; \nint b;   c",
                ProjectMigrations.withoutComments("String a = \"x // y /* z */\"; // gone\nint b; /* gone */ c"));
        assertEquals("char q = '\"'; String s = \"a\\\"b\";", ProjectMigrations.withoutComments(
                "char q = '\"'; String s = \"a\\\"b\";"));
    }
}
