package serv.database.internal;

/** Messages of failures for states and logs. */
public final class Errors {

    private Errors() {
    }

    /** An exception's message chain without class names, at most about 300 characters. */
    public static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null && out.length() < 300; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank() && out.indexOf(m) < 0) {
                out.append(out.length() == 0 ? "" : ": ").append(m.strip());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return out.length() == 0 ? "unknown error" : out.toString();
    }
}
