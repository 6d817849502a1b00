package serv.console.internal;

import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;

import serv.core.config.Suggestions;

/**
 * The keys a request body of the admin API may have: any other is a 400 naming it, with the closest known key when
 * one is close ("did you mean 'dry_run'?"), before anything is done. A typo is never taken for a key left out: a
 * rollback's or migration's option misspelt ran the real thing.
 *
 * <p>The closeness is serv.core's {@link Suggestions}, as for the configuration files' unknown keys.
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

    /** "; did you mean 'x'?" or nothing ({@link Suggestions}, in the keys' alphabetical order). */
    static String hint(String word, Collection<String> known) {
        return Suggestions.hint(word, new TreeSet<>(known));
    }
}
