package serv.database.internal.migration;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a migration script into the statements sent one by one to the database: at every semicolon that is
 * outside a string ({@code '...'}, {@code E'...'} with backslash escapes), a quoted identifier ({@code "..."},
 * {@code `...`}), a comment ({@code -- ...}, nested {@code /* ... *}{@code /}), a dollar-quoted body
 * ({@code $$ ... $$}, {@code $tag$ ... $tag$}) or a block whose inner statements end with semicolons of their own
 * (SQLite's {@code CREATE TRIGGER ... BEGIN ...; END}, PostgreSQL's {@code BEGIN ATOMIC ...; END}). Statements
 * that hold only comments and blanks are dropped; the others are sent as written, without the comments before
 * them.
 *
 * <p>Hand-written: the migration runner needs nothing else of a SQL parser, and the JDBC drivers do not split
 * scripts (SQLite runs only the first statement of a string).
 */
final class SqlScript {

    private SqlScript() {
    }

    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        int n = script.length();
        int start = 0;
        int depth = 0; // open BEGIN/CASE blocks of a trigger or an ATOMIC body
        boolean trigger = false;
        List<String> leading = new ArrayList<>(6); // the first words of the statement
        String previousWord = "";
        int i = 0;
        while (i < n) {
            char c = script.charAt(i);
            if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                int eol = script.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
                i = endOfBlockComment(script, i);
            } else if (c == '\'') {
                boolean escapes = i > 0 && (script.charAt(i - 1) == 'E' || script.charAt(i - 1) == 'e')
                        && (i < 2 || !isWordChar(script.charAt(i - 2)));
                i = endOfQuoted(script, i, '\'', escapes);
            } else if (c == '"' || c == '`') {
                i = endOfQuoted(script, i, c, false);
            } else if (c == '$' && (i == 0 || !isWordChar(script.charAt(i - 1)))) {
                int tagEnd = dollarTagEnd(script, i);
                if (tagEnd < 0) {
                    i++;
                } else {
                    String tag = script.substring(i, tagEnd + 1);
                    int close = script.indexOf(tag, tagEnd + 1);
                    i = close < 0 ? n : close + tag.length();
                }
            } else if (isWordStart(c)) {
                int end = i;
                while (end < n && isWordChar(script.charAt(end))) {
                    end++;
                }
                String word = script.substring(i, end).toUpperCase(Locale.ROOT);
                if (leading.size() < 6) {
                    leading.add(word);
                    trigger = trigger || isCreateTrigger(leading);
                }
                if ((trigger && word.equals("BEGIN")) || (word.equals("ATOMIC") && previousWord.equals("BEGIN"))) {
                    depth++;
                } else if (depth > 0 && word.equals("CASE")) {
                    depth++;
                } else if (depth > 0 && word.equals("END")) {
                    depth--;
                }
                previousWord = word;
                i = end;
            } else if (c == ';' && depth == 0) {
                add(out, script.substring(start, i));
                start = i + 1;
                i++;
                trigger = false;
                leading.clear();
                previousWord = "";
            } else {
                i++;
            }
        }
        add(out, script.substring(Math.min(start, n)));
        return out;
    }

    /** CREATE [OR REPLACE] [TEMP | TEMPORARY] TRIGGER. */
    private static boolean isCreateTrigger(List<String> words) {
        if (words.isEmpty() || !words.get(0).equals("CREATE")) {
            return false;
        }
        int k = 1;
        if (words.size() > k + 1 && words.get(k).equals("OR") && words.get(k + 1).equals("REPLACE")) {
            k += 2;
        }
        if (words.size() > k && (words.get(k).equals("TEMP") || words.get(k).equals("TEMPORARY"))) {
            k++;
        }
        return words.size() > k && words.get(k).equals("TRIGGER");
    }

    /** Adds a statement without the comments and blanks before it; one that is nothing else is dropped. */
    private static void add(List<String> out, String statement) {
        String sql = statement.substring(afterComments(statement)).strip();
        if (!sql.isEmpty()) {
            out.add(sql);
        }
    }

    /** The index of the first character of {@code sql} that is neither blank nor in a comment. */
    private static int afterComments(String sql) {
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int eol = sql.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                i = endOfBlockComment(sql, i);
            } else {
                return i;
            }
        }
        return n;
    }

    /** The index after a (PostgreSQL: nesting) block comment starting at {@code i}. */
    private static int endOfBlockComment(String s, int i) {
        int depth = 0;
        int n = s.length();
        while (i < n) {
            if (s.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (s.startsWith("*/", i)) {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return n;
    }

    /** The index after a quoted text starting at {@code i}; a doubled quote is a quote inside it. */
    private static int endOfQuoted(String s, int i, char quote, boolean backslashEscapes) {
        int n = s.length();
        int j = i + 1;
        while (j < n) {
            char c = s.charAt(j);
            if (backslashEscapes && c == '\\') {
                j += 2;
            } else if (c == quote) {
                if (j + 1 < n && s.charAt(j + 1) == quote) {
                    j += 2;
                } else {
                    return j + 1;
                }
            } else {
                j++;
            }
        }
        return n;
    }

    /** The index of the closing '$' of a dollar-quote tag starting at {@code i} ($$ or $tag$), or -1. */
    private static int dollarTagEnd(String s, int i) {
        int j = i + 1;
        int n = s.length();
        if (j < n && s.charAt(j) == '$') {
            return j;
        }
        if (j >= n || !isWordStart(s.charAt(j))) {
            return -1; // $1, a positional parameter, or a lone '$'
        }
        while (j < n && isWordChar(s.charAt(j))) {
            j++;
        }
        return j < n && s.charAt(j) == '$' ? j : -1;
    }

    private static boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
