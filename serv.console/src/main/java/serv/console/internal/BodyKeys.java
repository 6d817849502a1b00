package serv.console.internal;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The keys a request body of the admin API may have: any other is a 400 naming it, with the closest known key when
 * one is close ("did you mean 'dry_run'?"), before anything is done. A typo is never taken for a key left out: a
 * rollback's or migration's option misspelt ran the real thing.
 *
 * <p>The closeness is serv.core's {@code Suggestions} (configuration files' unknown keys), which is internal to
 * serv.core: the same rule, kept here (edit distance, a swap of two neighbours one edit, case and '-' / '_' not
 * counting, at most a third of the letters).
 */
final class BodyKeys {

    private BodyKeys() {
    }

    /**
     * 400 for the first key of {@code body} that is not in {@code known}; {@code what} names the request, and
     * {@code query} the parameters it takes in its query string (a key named as one is told to go there).
     */
    static void only(Map<String, ?> body, Collection<String> known, String what, String... query)
            throws ApiException {
        for (String key : body.keySet()) {
            if (known.contains(key)) {
                continue;
            }
            String takes = known.isEmpty() ? "it takes no body" : "it takes " + String.join(", ", new TreeSet<>(known));
            if (java.util.Arrays.asList(query).contains(key)) {
                throw ApiException.badRequest("key '" + key + "' is not one " + what + " takes in its body: give it in"
                        + " the query (?" + key + "=...); " + takes);
            }
            throw ApiException.badRequest("key '" + Echo.cut(key) + "' is not one " + what + " takes"
                    + hint(key, known) + " (" + takes + ")");
        }
    }

    /** "; did you mean 'x'?" or nothing. */
    static String hint(String word, Collection<String> known) {
        String c = closest(word, known);
        return c == null ? "" : "; did you mean '" + c + "'?";
    }

    /** The known word closest to {@code word}, or null when none is close (at most a third of its letters differ). */
    static String closest(String word, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : new TreeSet<>(known)) {
            int d = distance(normalized(word), normalized(k));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(1, word.length() / 3) ? best : null;
    }

    private static String normalized(String s) {
        return s.toLowerCase(Locale.ROOT).replace("-", "_");
    }

    /** Levenshtein distance, with a swap of two neighbours counting as one edit. */
    static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 64) {
            return Math.abs(a.length() - b.length()); // never close; a key of a megabyte costs no matrix
        }
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
