package serv.cli.create;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text template among serv.jar's resources ({@code serv/cli/templates/...}): {@code {{key}}} is replaced by the
 * key's value; a key without a value is an error (a template and its command out of step), never left in a file.
 */
final class Template {

    private static final Pattern KEY = Pattern.compile("\\{\\{([A-Za-z]+)}}");
    private static final String ROOT = "/serv/cli/templates/";

    private Template() {
    }

    /** The template resource {@code path} (under serv/cli/templates/), filled in. */
    static String render(String path, Map<String, String> values) {
        return fill(read(path), values);
    }

    static String read(String path) {
        try (InputStream in = Template.class.getResourceAsStream(ROOT + path)) {
            if (in == null) {
                throw new IllegalStateException("serv.jar holds no template " + ROOT + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String fill(String text, Map<String, String> values) {
        Matcher m = KEY.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            if (v == null) {
                throw new IllegalStateException("the template names {{" + m.group(1) + "}}, which has no value");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }
}
