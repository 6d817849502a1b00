package serv.cli.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text of a home's configuration files, checked before the server's rules read them: a file that is not UTF-8
 * or holds a character YAML refuses (a NUL, say) is said with its name and the line to look at. The server's own
 * reading says the decoder's words ("Input length = 3") after the file's absolute path, or the first line of the
 * buffer the parser was reading: its line for such a file gives way to this one.
 */
final class FileText {

    private FileText() {
    }

    /** The problem of each file of {@code home} whose text cannot be read, by file. */
    static Map<Path, String> problems(Path home, String profile) {
        Map<Path, String> out = new LinkedHashMap<>();
        List<Path> yaml = new ArrayList<>();
        yaml.add(home.resolve("serv.config.yaml"));
        if (profile != null) {
            yaml.add(home.resolve("serv." + profile + ".config.yaml"));
        }
        for (Path f : yaml) {
            check(f, f.getFileName().toString(), true, out);
        }
        Path etc = home.resolve("etc");
        if (Files.isDirectory(etc)) {
            List<Path> cfgs = new ArrayList<>();
            try (DirectoryStream<Path> all = Files.newDirectoryStream(etc, "*.cfg")) {
                all.forEach(cfgs::add);
            } catch (IOException e) {
                return out; // the server's reading says it
            }
            cfgs.sort(null);
            for (Path f : cfgs) {
                check(f, "etc/" + f.getFileName(), false, out);
            }
        }
        return out;
    }

    private static void check(Path f, String name, boolean yaml, Map<Path, String> out) {
        if (!Files.isRegularFile(f)) {
            return;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (AccessDeniedException e) {
            out.put(f, name + " cannot be read (permission denied)");
            return;
        } catch (IOException e) {
            out.put(f, name + " cannot be read" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
            return;
        }
        String problem = problem(name, bytes, yaml);
        if (problem != null) {
            out.put(f, problem);
        }
    }

    /**
     * What is wrong with the text of the file {@code name} ({@code yaml}: a YAML file, else a properties file), or
     * null.
     */
    static String problem(String name, byte[] bytes, boolean yaml) {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer text = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = utf8.decode(in, text, true);
        if (!r.isUnderflow()) {
            return name + " is not UTF-8 text (line " + line(bytes, in.position()) + String.format(", byte 0x%02X",
                    bytes[in.position()] & 0xff) + "): save it as UTF-8";
        }
        r = utf8.flush(text);
        if (!r.isUnderflow()) {
            return name + " is not UTF-8 text (line " + line(bytes, bytes.length) + "): save it as UTF-8";
        }
        if (!yaml) {
            return null;
        }
        text.flip();
        String s = text.toString();
        for (int i = 0; i < s.length(); i = s.offsetByCodePoints(i, 1)) {
            int c = s.codePointAt(i);
            if (!printable(c)) {
                return name + " (line " + line(s, i) + "): the character " + String.format("U+%04X", c)
                        + (Character.isISOControl(c) ? " (a control character)" : "") + " is not allowed in YAML;"
                        + " remove it";
            }
        }
        return null;
    }

    /** What YAML 1.1 (SnakeYAML) reads: tab, line breaks, printable characters; the rest is refused. */
    static boolean printable(int c) {
        return c == 0x9 || c == 0xA || c == 0xD || c >= 0x20 && c <= 0x7E || c == 0x85 || c >= 0xA0 && c <= 0xD7FF
                || c >= 0xE000 && c <= 0xFFFD || c >= 0x10000 && c <= 0x10FFFF;
    }

    /** The line (from 1) of the byte at {@code end}: LF, CR LF and CR each end one. */
    private static int line(byte[] bytes, int end) {
        int line = 1;
        for (int i = 0; i < end; i++) {
            if (bytes[i] == '\n' || bytes[i] == '\r' && (i + 1 >= bytes.length || bytes[i + 1] != '\n')) {
                line++;
            }
        }
        return line;
    }

    private static int line(String s, int end) {
        int line = 1;
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' && (i + 1 >= s.length() || s.charAt(i + 1) != '\n')) {
                line++;
            }
        }
        return line;
    }

    /**
     * The server's {@code problems} with its lines about the files of {@code own} left out (they say what the
     * decoder or the parser met, after the file's absolute path), and {@code own}'s problems first.
     */
    static List<String> merge(Map<Path, String> own, List<String> problems) {
        List<String> out = new ArrayList<>(own.values());
        for (String p : problems) {
            if (own.keySet().stream().noneMatch(f -> about(p, f))) {
                out.add(p);
            }
        }
        return out;
    }

    /** Whether the server's line {@code p} is its unreadable-file line for {@code f}. */
    private static boolean about(String p, Path f) {
        String name = f.getFileName().toString();
        if (name.endsWith(".cfg")) {
            return p.startsWith("etc/" + name + " cannot be read (") || p.startsWith("etc/" + name
                    + " is not UTF-8 text (");
        }
        return p.startsWith(name + " is not valid YAML (") || p.startsWith(name + " is not UTF-8 text (")
                || p.contains(f + " cannot be read");
    }
}
