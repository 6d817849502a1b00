package serv.console.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A manifest header in the common syntax of the OSGi Core specification (1.3.2): {@code clause (',' clause)*}, a
 * clause {@code path (';' path)* (';' parameter)*}, a parameter {@code name=value} (an attribute),
 * {@code name:=value} (a directive) or {@code name:Type=value} (a typed attribute), a value as is (up to the next
 * ';' or ',') or in double quotes with '\' escapes, a parameter's name the spec's {@code extended}. What does not
 * follow it is {@link Invalid}, with what is wrong and the fix.
 */
final class HeaderClauses {

    /** A parameter's name, the spec's {@code extended}. */
    private static final Pattern EXTENDED = Pattern.compile("[A-Za-z0-9_.-]+");

    /** One clause of a header: its names (paths), attributes (with the types given), directives. */
    static final class Clause {
        final List<String> paths = new ArrayList<>();
        final Map<String, String> attributes = new LinkedHashMap<>();
        final Map<String, String> types = new LinkedHashMap<>();
        final Map<String, String> directives = new LinkedHashMap<>();
    }

    /** A header that does not follow the syntax: what is wrong, and the fix. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        private final String fix;

        Invalid(String problem, String fix) {
            super(problem);
            this.fix = fix;
        }

        String problem() {
            return getMessage();
        }

        String fix() {
            return fix;
        }
    }

    private HeaderClauses() {
    }

    /** The clauses of a header's value. */
    static List<Clause> parse(String value) throws Invalid {
        List<Clause> out = new ArrayList<>();
        Clause clause = new Clause();
        out.add(clause);
        int n = value.length();
        int i = 0;
        while (true) {
            i = space(value, i);
            String text;
            boolean quoted = i < n && value.charAt(i) == '"';
            if (quoted) {
                int end = closingQuote(value, i);
                text = unescape(value.substring(i + 1, end));
                i = end + 1;
            } else {
                int start = i;
                while (i < n && ";,=:\"".indexOf(value.charAt(i)) < 0) {
                    i++;
                }
                text = value.substring(start, i).strip();
            }
            i = space(value, i);
            char c = i < n ? value.charAt(i) : 0;
            if (!quoted && (c == ':' || c == '=')) {
                i = parameter(value, i, text, clause);
            } else {
                if (text.isEmpty()) {
                    throw new Invalid("'" + Echo.cut(value) + "' has an empty entry", "remove the extra ',' or ';'"
                            + " (or the empty header)");
                }
                if (!clause.attributes.isEmpty() || !clause.directives.isEmpty()) {
                    throw new Invalid(Echo.cut(text) + " comes after the parameters of its clause", "give the names"
                            + " of a clause first, then its parameters, or separate clauses with ','");
                }
                clause.paths.add(text);
            }
            if (i >= n) {
                return out;
            }
            c = value.charAt(i);
            if (c == ',') {
                clause = new Clause();
                out.add(clause);
            } else if (c != ';') {
                throw new Invalid("unexpected '" + c + "' at character " + (i + 1) + " of '" + Echo.cut(value) + "'",
                        "put a value that has one in double quotes");
            }
            i++;
        }
    }

    /** Reads the parameter named {@code name} whose ':' or '=' is at {@code i}; returns where it ends. */
    private static int parameter(String value, int i, String name, Clause clause) throws Invalid {
        int n = value.length();
        if (!EXTENDED.matcher(name).matches()) {
            throw new Invalid("'" + Echo.cut(name) + "' is not a parameter name", "use letters, digits, '_', '-'"
                    + " and '.'");
        }
        Map<String, String> target = clause.attributes;
        char c = value.charAt(i++);
        if (c == ':') {
            if (i < n && value.charAt(i) == '=') {
                target = clause.directives;
                i++;
            } else {
                int start = i;
                while (i < n && ";,=\"".indexOf(value.charAt(i)) < 0) {
                    i++;
                }
                if (i >= n || value.charAt(i) != '=') {
                    throw new Invalid("parameter " + Echo.cut(name) + " has no value", "write name=value,"
                            + " name:=value (a directive) or name:Type=value");
                }
                clause.types.put(name, value.substring(start, i).strip());
                i++;
            }
        }
        i = space(value, i);
        String argument;
        if (i < n && value.charAt(i) == '"') {
            int end = closingQuote(value, i);
            argument = unescape(value.substring(i + 1, end));
            i = space(value, end + 1);
        } else {
            int start = i;
            while (i < n && value.charAt(i) != ';' && value.charAt(i) != ',') {
                i++;
            }
            argument = value.substring(start, i).strip();
        }
        if (target.put(name, argument) != null) {
            throw new Invalid(Echo.cut(name) + " is given twice in one clause", "give it once");
        }
        return i;
    }

    private static int space(String value, int i) {
        while (i < value.length() && Character.isWhitespace(value.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The index of the quote that closes the one at {@code open}. */
    private static int closingQuote(String value, int open) throws Invalid {
        for (int i = open + 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        throw new Invalid("a quoted value is not closed in '" + Echo.cut(value) + "'", "end it with '\"'");
    }

    private static String unescape(String quoted) {
        return quoted.replaceAll("\\\\(.)", "$1");
    }
}
