package serv.database;

/** A migration run or rollback that stopped; the message names the migration and the cause, never credentials. */
public class MigrationException extends Exception {

    private static final long serialVersionUID = 1L;

    public MigrationException(String message) {
        super(message);
    }
}
