package serv.core.internal.http;

import java.util.ArrayList;
import java.util.List;

/**
 * The hops of a forwarded chain as the headers list them, left (the farthest) to right (the nearest): the entries of
 * {@code X-Forwarded-For}, or the {@code for=} values of RFC 7239 {@code Forwarded}. Only split here, not judged:
 * {@link ProxyRanges} reads the addresses from the right and stops at the first it does not trust, so what a client
 * wrote to the left of its proxy's entry is never looked at. An entry that cannot be read is kept as {@code ""} (no
 * address), which counts only if it is reached.
 */
final class ForwardedHeaders {

    private ForwardedHeaders() {
    }

    /** The entries of the {@code X-Forwarded-For} lines ({@code a, b} and the lines in order). */
    static List<String> forwardedFor(List<String> values) {
        List<String> hops = new ArrayList<>();
        for (String value : values) {
            for (String entry : value.split(",", -1)) {
                hops.add(entry.strip());
            }
        }
        return hops;
    }

    /**
     * The {@code for=} values of the {@code Forwarded} lines' elements ({@code for=192.0.2.60;proto=http,
     * for="[2001:db8::17]:4711"}), unquoted; {@code ""} for an element without one, with two, or whose syntax is
     * broken (an unclosed quote, a pair without {@code =}).
     */
    static List<String> forwarded(List<String> values) {
        List<String> hops = new ArrayList<>();
        for (String value : values) {
            for (String element : split(value, ',')) {
                hops.add(element == null ? "" : forValue(element));
            }
        }
        return hops;
    }

    /** The unquoted {@code for=} value of one element, or {@code ""}. */
    private static String forValue(String element) {
        String found = null;
        for (String pair : split(element, ';')) {
            int eq = pair == null ? -1 : pair.indexOf('=');
            if (eq <= 0) {
                return "";
            }
            if (pair.substring(0, eq).strip().equalsIgnoreCase("for")) {
                String v = unquoted(pair.substring(eq + 1).strip());
                if (v == null || found != null) {
                    return "";
                }
                found = v;
            }
        }
        return found == null ? "" : found;
    }

    /** {@code text} split at {@code separator} outside quoted strings, each part stripped; a null part when broken. */
    private static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted && c == '\\' && i + 1 < text.length()) {
                part.append(c).append(text.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == separator && !quoted) {
                parts.add(part.toString().strip());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(quoted ? null : part.toString().strip());
        parts.replaceAll(p -> p != null && p.isEmpty() ? null : p);
        return parts;
    }

    /** A token, or a quoted string without its quotes and escapes; null when empty or half-quoted. */
    private static String unquoted(String value) {
        if (value.isEmpty()) {
            return null;
        }
        if (!value.startsWith("\"")) {
            return value.contains("\"") ? null : value;
        }
        if (value.length() < 2 || !value.endsWith("\"")) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < value.length() - 1; i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length() - 1) {
                c = value.charAt(++i);
            } else if (c == '"') {
                return null;
            }
            out.append(c);
        }
        return out.length() == 0 ? null : out.toString();
    }
}
