package serv.console.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an answer of the admin API repeats of the caller's input (an id, a path, a header, a value in the body): at
 * most {@value #MAX} characters, then "…", so that a 100 KB id is named, not sent back whole.
 */
final class Echo {

    /** The characters of a value an answer repeats. */
    static final int MAX = 60;
    /**
     * A value in single quotes, as the configuration checks and the JSON parser quote what they refuse: its quotes
     * stand where a word would begin and end (not the span between two quoted words).
     */
    private static final Pattern QUOTED = Pattern.compile("(?<=^|[\\s(\\[{=:,])'([^']{" + (MAX + 1)
            + ",})'(?=$|[\\s)\\]},;:.!?])");

    private Echo() {
    }

    /** The value, cut after {@value #MAX} characters (never inside a character) with "…"; "" for null. */
    static String cut(Object value) {
        String s = value == null ? "" : value.toString();
        if (s.length() <= MAX) {
            return s;
        }
        int end = s.offsetByCodePoints(0, Math.min(MAX, s.codePointCount(0, s.length())));
        return end >= s.length() ? s : s.substring(0, end) + "…";
    }

    /** A message of another part of the server (a check, the JSON parser): each long 'quoted value' in it cut. */
    static String cutQuoted(String message) {
        if (message == null) {
            return null;
        }
        Matcher m = QUOTED.matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement("'" + cut(m.group(1)) + "'"));
        }
        return m.appendTail(out).toString();
    }
}
