package serv.database.internal.pool;

import serv.database.DatabaseState;

/**
 * What a database is doing and why, as one value: a reader never sees the state of one moment with the reason of
 * another.
 *
 * @param state the state
 * @param reason why it is not up (never a credential), or null
 */
record Status(DatabaseState state, String reason) {

    static final Status STARTING = new Status(DatabaseState.STARTING, null);
}
