package serv.console.internal;

import java.util.function.BooleanSupplier;

/**
 * The admin API's bounded waits for what Configuration Admin and the registries apply on their own threads after a
 * save returned (a tenant served, an edit applied, a sleeping tenant's pool open).
 */
final class Waits {

    private Waits() {
    }

    /**
     * Looks at {@code done} every {@code everyMillis} until it is true or {@code millis} have passed.
     *
     * @return whether it became true (false also when the thread was interrupted, which stays set)
     */
    static boolean until(long millis, long everyMillis, BooleanSupplier done) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(everyMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
