package serv.jpa.internal;

import java.sql.CallableStatement;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDateTime;

import org.eclipse.persistence.exceptions.ConversionException;
import org.eclipse.persistence.internal.sessions.AbstractSession;
import org.eclipse.persistence.platform.database.PostgreSQLPlatform;

/**
 * EclipseLink's PostgreSQL platform, with {@code timestamp} (without time zone) columns read and bound as
 * {@link LocalDateTime}s, as the database holds them, not through a calendar of the JVM's zone (see
 * {@link LocalTimestamps}). A native query answers such a column as a LocalDateTime (EclipseLink's own platform:
 * a {@code java.sql.Timestamp}). Reading one is no dearer than the Timestamp was: the driver parses the same text,
 * without the calendar.
 */
public class ServPostgreSQLPlatform extends PostgreSQLPlatform {

    private static final long serialVersionUID = 1L;

    @Override
    public Object getObjectFromResultSet(ResultSet resultSet, int columnNumber, int type, AbstractSession session)
            throws SQLException {
        if (type == Types.TIMESTAMP) {
            try {
                return resultSet.getObject(columnNumber, LocalDateTime.class);
            } catch (SQLException e) {
                // The driver says TIMESTAMP for timestamptz too, which it gives no LocalDateTime: an instant, read
                // as EclipseLink reads it (a Timestamp).
                return super.getObjectFromResultSet(resultSet, columnNumber, type, session);
            }
        }
        return super.getObjectFromResultSet(resultSet, columnNumber, type, session);
    }

    @Override
    public void setParameterValueInDatabaseCall(Object parameter, PreparedStatement statement, int index,
            AbstractSession session) throws SQLException {
        if (parameter instanceof LocalDateTime) {
            statement.setObject(index, parameter); // a timestamp as it is (EclipseLink: setTimestamp, zone-bound)
        } else {
            super.setParameterValueInDatabaseCall(parameter, statement, index, session);
        }
    }

    @Override
    public void setParameterValueInDatabaseCall(Object parameter, CallableStatement statement, String name,
            AbstractSession session) throws SQLException {
        if (parameter instanceof LocalDateTime) {
            statement.setObject(name, parameter);
        } else {
            super.setParameterValueInDatabaseCall(parameter, statement, name, session);
        }
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Object convertObject(Object sourceObject, Class javaClass) throws ConversionException {
        return LocalTimestamps.convert(sourceObject, javaClass, super::convertObject);
    }
}
