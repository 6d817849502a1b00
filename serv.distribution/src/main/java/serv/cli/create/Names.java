package serv.cli.create;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The names an extension's files use, from its display name: "Notes" is the project and bundle {@code notes}, the
 * classes {@code NotesSettings} and {@code Note}, the table {@code notes} and the path {@code /notes}.
 */
final class Names {

    private Names() {
    }

    /** Letters and digits in words: "Reading list" to ["Reading", "list"]. */
    static String[] words(String name) {
        String cleaned = name.replaceAll("[^A-Za-z0-9]+", " ").strip();
        if (cleaned.isEmpty() || !Character.isLetter(cleaned.charAt(0))) {
            throw new IllegalArgumentException("the name '" + name + "' must start with a letter (A-Z) and hold"
                    + " letters or digits");
        }
        return cleaned.split(" ");
    }

    /** "Reading list" to ReadingList. */
    static String pascal(String name) {
        StringBuilder out = new StringBuilder();
        for (String w : words(name)) {
            out.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1));
        }
        return out.toString();
    }

    /** "Reading list" to reading-list. */
    static String slug(String name) {
        return String.join("-", words(name)).toLowerCase(Locale.ROOT);
    }

    /** "Reading list" to reading_list. */
    static String snake(String name) {
        return String.join("_", words(name)).toLowerCase(Locale.ROOT);
    }

    /** The values of the extension templates. */
    static Map<String, String> extension(String name, String group, String pkg, String servVersion) {
        String pascal = pascal(name);
        String item = pascal.length() > 1 && pascal.endsWith("s") && !pascal.endsWith("ss")
                ? pascal.substring(0, pascal.length() - 1) : pascal + "Item";
        String slug = slug(name);
        Map<String, String> v = new LinkedHashMap<>();
        v.put("name", name.strip());
        v.put("group", group);
        v.put("slug", slug);
        v.put("Class", pascal);
        v.put("Item", item);
        v.put("single", String.join(" ", words(item.replaceAll("([a-z0-9])([A-Z])", "$1 $2"))).toLowerCase(Locale.ROOT));
        v.put("table", snake(name));
        v.put("path", slug);
        v.put("package", pkg);
        v.put("packagePath", pkg.replace('.', '/'));
        v.put("servVersion", servVersion);
        return v;
    }
}
