package serv.blog.internal;

/** The list's content preview: the first 200 characters (code points) and "..." when there are more. */
public final class Previews {

    /** Characters of content in a preview. */
    public static final int LENGTH = 200;

    /** Characters a query fetches for a preview: one more than shown tells whether to cut. */
    public static final int FETCH = LENGTH + 1;

    private Previews() {
    }

    public static String of(String content) {
        if (content.codePointCount(0, content.length()) <= LENGTH) {
            return content;
        }
        return content.substring(0, content.offsetByCodePoints(0, LENGTH)) + "...";
    }
}
