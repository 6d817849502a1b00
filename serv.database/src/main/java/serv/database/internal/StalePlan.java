package serv.database.internal;

import java.lang.reflect.Method;
import java.sql.SQLException;

/**
 * PostgreSQL's "cached plan must not change result type": a statement the server prepared (pgjdbc does from a
 * statement's fifth use on a connection) whose table changed since, so that it would now return other columns. The
 * statement is fine; the connection's copy of it is not. It fails once on each connection that prepared it, until
 * the connection is replaced: a reason to retry, not a bug.
 */
public final class StalePlan {

    /** SQLSTATE feature_not_supported, which PostgreSQL uses for it (and for other things). */
    private static final String STATE = "0A000";

    /** The server function that raises it: the same in every language the server may answer in. */
    private static final String ROUTINE = "RevalidateCachedQuery";

    private StalePlan() {
    }

    /** Whether {@code e} is that error. */
    public static boolean is(SQLException e) {
        if (!STATE.equals(e.getSQLState())) {
            return false;
        }
        String message = e.getMessage();
        if (message != null && message.contains("cached plan must not change result type")) {
            return true;
        }
        return ROUTINE.equals(routine(e));
    }

    /**
     * The server's routine in pgjdbc's {@code PSQLException.getServerErrorMessage()}, by reflection: this bundle
     * has no compile-time dependency on a driver, and the call is made only for SQLSTATE 0A000.
     */
    private static String routine(SQLException e) {
        try {
            Method m = e.getClass().getMethod("getServerErrorMessage");
            Object details = m.invoke(e);
            if (details == null) {
                return null;
            }
            Object routine = details.getClass().getMethod("getRoutine").invoke(details);
            return routine instanceof String s ? s : null;
        } catch (ReflectiveOperationException | RuntimeException notPgjdbc) {
            return null;
        }
    }
}
