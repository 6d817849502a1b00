package serv.blog.internal;

import java.util.Map;
import java.util.regex.Pattern;

import serv.core.HttpException;

/** The blog's input rules, checked before any database work; each failure is a 400 naming the field. */
final class Fields {

    private Fields() {
    }

    /** The title field: 1-200 characters (code points). */
    static String title(Map<String, String> form) {
        return text(form, "title", 200);
    }

    /** The content field: 1-10000 characters (code points). */
    static String content(Map<String, String> form) {
        return text(form, "content", 10000);
    }

    private static String text(Map<String, String> form, String field, int max) {
        String value = form.getOrDefault(field, "");
        int length = value.codePointCount(0, value.length());
        if (length < 1 || length > max) {
            throw HttpException.badRequest(field + " must be 1-" + max + " characters");
        }
        return value;
    }

    /** An integer field in the 32-bit range. */
    static int integer(Map<String, String> form, String field) {
        String value = form.get(field);
        if (value == null || !digits(value, value.startsWith("-") ? 1 : 0, 10)) {
            throw HttpException.badRequest(field + " must be an integer");
        }
        long v = Long.parseLong(value);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw HttpException.badRequest(field + " must be an integer");
        }
        return (int) v;
    }

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{1,50}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}");

    /** A username: 1-50 ASCII letters, digits, '_', '.' or '-'. */
    static String username(String value) {
        if (value == null || !USERNAME.matcher(value).matches()) {
            throw HttpException.badRequest("username must be 1-50 letters, digits, '_', '.' or '-'");
        }
        return value;
    }

    /** An email address of at most 100 characters. */
    static String email(String value) {
        if (value == null || value.length() > 100 || !EMAIL.matcher(value).matches()) {
            throw HttpException.badRequest("email must be a valid address of at most 100 characters");
        }
        return value;
    }

    /** A post id in a path: an ASCII integer in the 32-bit range (no sign, spaces, hex or fraction). */
    static int postId(String text) {
        return pathId(text, "invalid post id");
    }

    /** A user id in a path, by the same rule. */
    static int userId(String text) {
        return pathId(text, "invalid user id");
    }

    private static int pathId(String text, String message) {
        if (text == null || !digits(text, 0, 10)) {
            throw HttpException.badRequest(message);
        }
        long value = Long.parseLong(text);
        if (value > Integer.MAX_VALUE) {
            throw HttpException.badRequest(message);
        }
        return (int) value;
    }

    /** An integer query parameter; any number of digits (clamped later), but nothing that is not an integer. */
    static int queryInt(String value, String name, int fallback) {
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        boolean negative = value.startsWith("-");
        int first = negative ? 1 : 0;
        if (!digits(value, first, Integer.MAX_VALUE)) {
            throw HttpException.badRequest(name + " must be an integer");
        }
        while (first < value.length() - 1 && value.charAt(first) == '0') {
            first++; // leading zeros do not make a number big
        }
        if (value.length() - first > 10) {
            return negative ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        }
        long v = Long.parseLong(value.substring(first));
        v = negative ? -v : v;
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }

    /**
     * Whether {@code text} from {@code from} on is 1 to {@code max} ASCII digits. By hand: these checks run on every
     * request, and {@link String#matches} compiles its pattern at each call.
     */
    private static boolean digits(String text, int from, int max) {
        int n = text.length() - from;
        if (n < 1 || n > max) {
            return false;
        }
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
