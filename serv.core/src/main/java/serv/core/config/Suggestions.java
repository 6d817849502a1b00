package serv.core.config;

import java.util.Collection;

/**
 * "Did you mean ...?" for a key that is not known: the closest known one by edit distance, when close enough. Serv
 * uses it for the keys of its configuration files and of the admin API's request bodies; an extension may use it
 * for its own, so that every typo a user meets is answered the same way.
 *
 * @since 1.5
 */
public final class Suggestions {

    private Suggestions() {
    }

    /**
     * The known word closest to {@code word}, or null when none is close (at most a third of its letters differ).
     * Case and the separators '-' and '_' do not count; a swap of two neighbours is one edit. Of two as close, the
     * first in {@code known}'s order.
     */
    public static String closest(String word, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(normalized(word), normalized(k));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(1, word.length() / 3) ? best : null;
    }

    /** "; did you mean 'x'?" or nothing. */
    public static String hint(String word, Collection<String> known) {
        String c = closest(word, known);
        return c == null ? "" : "; did you mean '" + c + "'?";
    }

    /** Case and separators do not count: poolSize, pool-size and pool_size are the same word. */
    private static String normalized(String s) {
        return s.toLowerCase(java.util.Locale.ROOT).replace("-", "_");
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
