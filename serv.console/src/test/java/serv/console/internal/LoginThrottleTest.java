package serv.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void anAddressIsRefusedAfterTheLimitUntilItsOldestFailureIsAWindowOld() {
        LoginThrottle throttle = new LoginThrottle();
        long t0 = 1_000 * SECOND;
        for (int i = 0; i < LoginThrottle.LIMIT - 1; i++) {
            assertFalse(throttle.failed("10.0.0.1", t0 + i * SECOND));
            assertEquals(0, throttle.refusedFor("10.0.0.1", t0 + i * SECOND));
        }
        assertTrue(throttle.failed("10.0.0.1", t0 + 9 * SECOND), "the failure that reaches the limit is said");
        assertEquals(51, throttle.refusedFor("10.0.0.1", t0 + 9 * SECOND)); // the first, at t0, is 60 s old at t0+60
        assertEquals(0, throttle.refusedFor("10.0.0.2", t0 + 9 * SECOND), "another address is not refused");
        assertEquals(1, throttle.refusedFor("10.0.0.1", t0 + 59 * SECOND + 1));
        assertEquals(0, throttle.refusedFor("10.0.0.1", t0 + 60 * SECOND), "one of the ten is a window old");
        assertFalse(throttle.failed("10.0.0.1", t0 + 60 * SECOND));
        assertEquals(1, throttle.refusedFor("10.0.0.1", t0 + 60 * SECOND));
    }
}
