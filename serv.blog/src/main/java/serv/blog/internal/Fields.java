package serv.blog.internal;

import java.util.Map;

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
        if (value == null || !value.matches("-?[0-9]{1,10}")) {
            throw HttpException.badRequest(field + " must be an integer");
        }
        long v = Long.parseLong(value);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw HttpException.badRequest(field + " must be an integer");
        }
        return (int) v;
    }

    /** A path id: an ASCII integer in the 32-bit range (no sign, spaces, hex or fraction). */
    static int postId(String text) {
        if (text == null || !text.matches("[0-9]{1,10}")) {
            throw HttpException.badRequest("invalid post id");
        }
        long value = Long.parseLong(text);
        if (value > Integer.MAX_VALUE) {
            throw HttpException.badRequest("invalid post id");
        }
        return (int) value;
    }

    /** An integer query parameter; any number of digits (clamped later), but nothing that is not an integer. */
    static int queryInt(String value, String name, int fallback) {
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        if (!value.matches("-?[0-9]+")) {
            throw HttpException.badRequest(name + " must be an integer");
        }
        String digits = value.replaceFirst("^(-?)0+(?=[0-9])", "$1");
        if (digits.length() > 10) {
            return digits.startsWith("-") ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        }
        long v = Long.parseLong(digits);
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }
}
