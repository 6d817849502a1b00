package serv.database.internal;

/** Messages of failures for states and logs. */
public final class Errors {

    private Errors() {
    }

    /** Characters of one message kept: a driver's message can hold what it was given, a 100 KB host name say. */
    static final int MESSAGE_MAX = 300;

    /**
     * An exception's message chain without class names, at most about 600 characters: messages are added until 300
     * are reached, and each is cut at {@link #MESSAGE_MAX} (a state's reason shows in /health, the console and every
     * retry's log line).
     */
    public static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null && out.length() < 300; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank() && out.indexOf(m) < 0) {
                out.append(out.length() == 0 ? "" : ": ").append(cut(m.strip()));
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return out.length() == 0 ? "unknown error" : out.toString();
    }

    private static String cut(String m) {
        if (m.length() <= MESSAGE_MAX) {
            return m;
        }
        int end = Character.isHighSurrogate(m.charAt(MESSAGE_MAX - 1)) ? MESSAGE_MAX - 1 : MESSAGE_MAX;
        return m.substring(0, end) + "... (" + m.length() + " characters)";
    }
}
