package serv.core.config;

import java.util.List;
import java.util.Set;

/**
 * What a {@link ConfigSource} wants at one moment.
 *
 * @param valid false when the source could not be read as a whole (a file saved half-written, a store out of
 *            reach): then nothing of it is applied and nothing it made is removed until it is valid again
 * @param desired the configurations it wants
 * @param problems what an operator should fix (an unknown key, a wrong value), each naming the key and the fix
 * @param held the configurations (by PID, {@code factoryPid~name} for a factory configuration) whose part of the
 *            source cannot be read now (one file of several that cannot be decoded) while the rest can: what the
 *            source made of each stays as it is, neither changed nor deleted, and no source of a lower ranking takes
 *            it over; one the source did not make is left to the other sources. The rest of a valid source applies
 *            as usual. Say why in {@code problems}.
 */
public record Snapshot(boolean valid, List<Desired> desired, List<String> problems, Set<String> held) {

    public Snapshot {
        desired = List.copyOf(desired);
        problems = List.copyOf(problems);
        held = Set.copyOf(held);
    }

    /** A snapshot that holds nothing back. */
    public Snapshot(boolean valid, List<Desired> desired, List<String> problems) {
        this(valid, desired, problems, Set.of());
    }

    /** A source that cannot be read now, and why. */
    public static Snapshot unreadable(String why) {
        return new Snapshot(false, List.of(), List.of(why));
    }
}
