package serv.database.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import serv.database.internal.migration.MigrationRunner;

class MigrationGateTest {

    private static final MigrationRunner.Outcome HELD = new MigrationRunner.Outcome(0,
            Map.of("ext", new MigrationRunner.Failure("ext above V0", "held back by a rollback", true)), false);
    private static final MigrationRunner.Outcome CLEAN = new MigrationRunner.Outcome(1, Map.of(), false);

    @Test
    void aRunOvertakenByARequestPublishesNothing() {
        MigrationGate gate = new MigrationGate(null);
        gate.expect(7);
        MigrationGate.Run stale = gate.start(); // it reads a rollback's hold...
        gate.reset(); // ...which the operator ends meanwhile
        assertFalse(gate.applied(stale, HELD));
        assertEquals(Map.of(), gate.failed(), "the hold it read is not shown");
        assertTrue(gate.waitingFor(7), "its waiting extension is not let through on its say");
        assertFalse(gate.migrated());

        MigrationGate.Run next = gate.start();
        assertTrue(gate.applied(next, CLEAN));
        assertFalse(gate.waitingFor(7));
        assertTrue(gate.migrated());
    }

    @Test
    void aSupersededRunPublishesNothing() {
        MigrationGate gate = new MigrationGate(null);
        MigrationGate.Run run = gate.start();
        assertTrue(gate.applied(run, HELD));
        assertTrue(gate.failed().containsKey("ext"));
        MigrationGate.Run superseded = gate.start();
        assertFalse(gate.applied(superseded, new MigrationRunner.Outcome(0, Map.of(), true)));
        assertTrue(gate.failed().containsKey("ext"), "what the last settled run found stays until another settles");
        assertFalse(gate.migrated());
    }
}
