package serv.database;

/** A migration run or rollback that stopped; the message names the migration and the cause, never credentials. */
public class MigrationException extends Exception {

    private static final long serialVersionUID = 1L;

    public MigrationException(String message) {
        super(message);
    }

    /**
     * Another server holds the migration lock of the database (it is migrating it): nothing was run; try again.
     *
     * @since 1.4
     */
    public static final class Busy extends MigrationException {

        private static final long serialVersionUID = 1L;

        public Busy(String message) {
            super(message);
        }
    }
}
