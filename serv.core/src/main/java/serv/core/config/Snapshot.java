package serv.core.config;

import java.util.List;

/**
 * What a {@link ConfigSource} wants at one moment.
 *
 * @param valid false when the source could not be read as a whole (a file saved half-written, a store out of
 *            reach): then nothing of it is applied and nothing it made is removed until it is valid again
 * @param desired the configurations it wants
 * @param problems what an operator should fix (an unknown key, a wrong value), each naming the key and the fix
 */
public record Snapshot(boolean valid, List<Desired> desired, List<String> problems) {

    public Snapshot {
        desired = List.copyOf(desired);
        problems = List.copyOf(problems);
    }

    /** A source that cannot be read now, and why. */
    public static Snapshot unreadable(String why) {
        return new Snapshot(false, List.of(), List.of(why));
    }
}
