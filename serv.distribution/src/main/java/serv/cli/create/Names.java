package serv.cli.create;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names an extension's files use, from its display name: "Notes" is the project and bundle {@code notes}, the
 * classes {@code NotesSettings} and {@code Note}, the table {@code notes} and the path {@code /notes}.
 */
final class Names {

    private Names() {
    }

    /**
     * Java's keywords and literals: not a package's part, nor a class's name ({@code package com.example.import;}
     * does not compile).
     */
    static final Set<String> JAVA_KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte", "case",
            "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends",
            "final", "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int",
            "interface", "long", "native", "new", "package", "private", "protected", "public", "return", "short",
            "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try",
            "void", "volatile", "while", "true", "false", "null", "_");

    /**
     * Words PostgreSQL reserves (its keyword list's "reserved" column) and SQLite's keywords: a table named so
     * ({@code CREATE TABLE user}, {@code CREATE TABLE order}) fails in the project's first migration.
     */
    static final Set<String> SQL_RESERVED = Set.of(("abort action add after all alter always analyse analyze and any"
            + " array as asc asymmetric attach authorization autoincrement before begin between binary both by"
            + " cascade case cast check collate collation column commit concurrently conflict constraint create"
            + " cross current current_catalog current_date current_role current_schema current_time"
            + " current_timestamp current_user database default deferrable deferred delete desc detach distinct do"
            + " drop each else end escape except exclude exclusive exists explain fail false fetch filter first"
            + " following for foreign freeze from full generated glob grant group groups having if ignore ilike"
            + " immediate in index indexed initially inner insert instead intersect into is isnull join key last"
            + " lateral leading left like limit localtime localtimestamp match materialized natural no not nothing"
            + " notnull null nulls of offset on only or order others outer over overlaps partition placing plan"
            + " pragma preceding primary query raise range recursive references regexp reindex release rename"
            + " replace restrict returning right rollback row rows savepoint select session_user set similar some"
            + " symmetric system_user table tablesample temp temporary then ties to trailing transaction trigger"
            + " true unbounded union unique update user using vacuum values variadic verbose view virtual when"
            + " where window with without").split(" "));

    /**
     * Letters and digits in words: "Reading list" to ["Reading", "list"]. Accents are dropped ("Überblick" is
     * Uberblick); another letter outside A-Z is refused, naming it, rather than dropped from the names.
     */
    static String[] words(String name) {
        String ascii = Normalizer.normalize(name, Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
        String other = ascii.replaceAll("[^\\p{L}]|[A-Za-z]", "");
        if (!other.isEmpty()) {
            throw new Create.WrongOption("the name '" + name + "' holds letters outside A-Z (" + other
                    + "): the project's classes, package and table are named after it; give --name in A-Z letters"
                    + " (the README's title can be changed afterwards)");
        }
        String cleaned = ascii.replaceAll("[^A-Za-z0-9]+", " ").strip();
        if (cleaned.isEmpty() || !Character.isLetter(cleaned.charAt(0))) {
            throw new Create.WrongOption("the name '" + name + "' must start with a letter (A-Z) and hold"
                    + " letters or digits");
        }
        return cleaned.split(" ");
    }

    /**
     * The simple names the project's sources import or take from {@code java.lang}: a class of the project named so
     * would hide it ({@code --name Routes} made a class {@code Route} beside {@code serv.core.Route}: no compile).
     */
    static Set<String> takenClassNames() {
        Set<String> taken = new HashSet<>(Set.of("String", "Object", "Integer", "Long", "Short", "Byte", "Double",
                "Float", "Boolean", "Character", "Number", "Void", "Math", "System", "Thread", "Class", "Record",
                "Enum", "Override", "Deprecated", "SuppressWarnings", "FunctionalInterface", "Exception", "Error",
                "Throwable", "RuntimeException", "Iterable", "Comparable", "AutoCloseable", "Runnable", "Process",
                "Runtime", "Module", "Package", "StringBuilder", "CharSequence", "Readable", "Appendable"));
        for (String template : List.of("extension/Settings.java.tmpl", "extension/Item.java.tmpl",
                "extension/Repository.java.tmpl", "extension/Fields.java.tmpl", "extension/ListRoute.java.tmpl",
                "extension/CreateRoute.java.tmpl", "extension/DetailRoute.java.tmpl", "extension/Migrations.java.tmpl",
                "extension/Contract.java.tmpl", "extension/SqliteIT.java.tmpl", "extension/PostgresIT.java.tmpl",
                "route/Route.java.tmpl", "middleware/Middleware.java.tmpl")) {
            Matcher m = IMPORT.matcher(Template.read(template));
            while (m.find()) {
                taken.add(m.group(1));
            }
        }
        return taken;
    }

    private static final Pattern IMPORT = Pattern.compile("(?m)^import\\s+(?:static\\s+)?[\\w.]*\\.(\\w+)\\s*;");

    /** The default package: the group and the name's letters, a keyword part written with an underscore (JLS 6.1). */
    static String defaultPackage(String group, String name) {
        List<String> parts = new ArrayList<>();
        for (String part : (group + "." + snake(name).replace("_", "")).split("\\.")) {
            parts.add(JAVA_KEYWORDS.contains(part) ? part + "_" : part);
        }
        return String.join(".", parts);
    }

    /** Why {@code pkg} cannot be the project's package, or null. */
    static String badPackage(String pkg) {
        if (!pkg.matches("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*")) {
            return "the package '" + pkg + "' is not a Java package name (lower case, dot-separated); give --package";
        }
        for (String part : pkg.split("\\.")) {
            if (JAVA_KEYWORDS.contains(part)) {
                return "the package '" + pkg + "' has a Java keyword as a part ('" + part + "'); give --package"
                        + " with '" + part + "_' there, say";
            }
        }
        return null;
    }

    /**
     * Why {@code path} cannot be a route's path template, or null. It starts with '/'; a segment with a brace is a
     * whole parameter, {@code {name}} (the server takes any other for literal text: an unclosed brace would have
     * the route answer only a request for that very text, braces and all); and it is written into a Java string,
     * so it holds no quote, backslash or control character.
     */
    static String badPath(String path) {
        if (!path.startsWith("/")) {
            return "--path must start with '/'";
        }
        if (path.contains("\"") || path.contains("\\") || path.chars().anyMatch(Character::isISOControl)) {
            return "--path holds a quote, a backslash or a control character, which no route's path has";
        }
        java.util.Set<String> params = new java.util.HashSet<>();
        for (String segment : path.substring(1).split("/", -1)) {
            if (segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}") && !params.add(segment)) {
                return "--path '" + path + "' has " + segment + " twice: give each parameter its own name";
            }
            if (segment.equals("{}")) {
                return "--path '" + path + "' has '{}', which names no parameter: write {name}";
            }
            boolean param = segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
            String text = param ? segment.substring(1, segment.length() - 1) : segment;
            if (text.contains("{") || text.contains("}")) {
                return "--path '" + path + "' has '" + segment + "', which is not a parameter: a parameter is a"
                        + " whole segment, {name}";
            }
        }
        return null;
    }

    /** A class of a route or middleware: refused when it would not compile. */
    static String className(String name, String kind) {
        String cls = pascal(name);
        if (takenClassNames().contains(cls)) {
            throw new Create.WrongOption("a " + kind + " class named " + cls + " would hide the " + cls
                    + " its source uses; give another --name (" + cls + Character.toUpperCase(kind.charAt(0))
                    + kind.substring(1) + ", say)");
        }
        return cls;
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
        if (takenClassNames().contains(item)) {
            item = pascal + "Item"; // "Routes": its items are no Route (serv.core.Route's name)
        }
        String table = snake(name);
        if (SQL_RESERVED.contains(table)) {
            table += "_items"; // "User": CREATE TABLE user fails on PostgreSQL
        }
        String slug = slug(name);
        Map<String, String> v = new LinkedHashMap<>();
        v.put("name", name.strip());
        v.put("group", group);
        v.put("slug", slug);
        v.put("Class", pascal);
        v.put("Item", item);
        v.put("single", String.join(" ", words(item.replaceAll("([a-z0-9])([A-Z])", "$1 $2"))).toLowerCase(Locale.ROOT));
        v.put("table", table);
        v.put("path", slug);
        v.put("package", pkg);
        v.put("packagePath", pkg.replace('.', '/'));
        v.put("servVersion", servVersion);
        return v;
    }
}
