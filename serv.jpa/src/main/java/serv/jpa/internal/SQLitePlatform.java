package serv.jpa.internal;

import java.sql.CallableStatement;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Vector;

import org.eclipse.persistence.exceptions.ConversionException;

import org.eclipse.persistence.internal.databaseaccess.DatabaseCall;
import org.eclipse.persistence.internal.helper.DatabaseField;
import org.eclipse.persistence.internal.expressions.ExpressionSQLPrinter;
import org.eclipse.persistence.internal.expressions.SQLSelectStatement;
import org.eclipse.persistence.internal.sessions.AbstractSession;
import org.eclipse.persistence.platform.database.DatabasePlatform;
import org.eclipse.persistence.queries.SQLCall;
import org.eclipse.persistence.queries.ValueReadQuery;

/**
 * EclipseLink has no SQLite platform; its generic one neither knows SQLite's identity columns, nor pages with
 * {@code LIMIT}, nor reads values back with {@code RETURNING}. This adds exactly those: {@code INTEGER PRIMARY KEY}
 * ids read back with {@code last_insert_rowid()} on the same connection, {@code LIMIT ? OFFSET ?} for
 * {@code setFirstResult}/{@code setMaxResults}, and {@code INSERT ... RETURNING} (SQLite 3.35+) for
 * {@code @ReturnInsert} columns, as EclipseLink does on PostgreSQL.
 *
 * <p>And timestamps as the database holds them, whatever the JVM's zone (see {@link LocalTimestamps}): SQLite keeps
 * them as text ({@code 2026-03-29 02:30:00}, or {@code 02:30:00.250} from {@code strftime('%Y-%m-%d %H:%M:%f')}); a column
 * declared {@code TIMESTAMP} or {@code DATETIME} is read as a {@link LocalDateTime} parsed from that text (its
 * driver's {@code getTimestamp} goes through a calendar of the JVM's zone), and a LocalDateTime is bound as that
 * text (EclipseLink's {@code setTimestamp} made the driver store milliseconds since 1970, in the JVM's zone).
 */
public final class SQLitePlatform extends DatabasePlatform {

    private static final long serialVersionUID = 1L;

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS");
    private static final DateTimeFormatter NANOS = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSSSS");

    @Override
    public Object getObjectFromResultSet(ResultSet resultSet, int columnNumber, int type, AbstractSession session)
            throws SQLException {
        Object value = super.getObjectFromResultSet(resultSet, columnNumber, type, session);
        if (type == Types.TIMESTAMP && value instanceof String text) {
            try {
                return LocalDateTime.parse(text.trim().replace(' ', 'T'));
            } catch (DateTimeParseException e) {
                return text; // not a local date-time (an offset, a number's text): as it is
            }
        }
        return value;
    }

    /**
     * A LocalDateTime as SQLite's text of it: {@code 2026-03-29 02:30:00} as {@code datetime()} writes it, with
     * milliseconds ({@code .250}) as {@code strftime('%f')} does when there is a fraction, else nanoseconds. SQLite
     * compares the text: a parameter equals a stored time written in the same format.
     */
    static String text(LocalDateTime time) {
        int nanos = time.getNano();
        return time.format(nanos == 0 ? SECONDS : nanos % 1_000_000 == 0 ? MILLIS : NANOS);
    }

    @Override
    public void setParameterValueInDatabaseCall(Object parameter, PreparedStatement statement, int index,
            AbstractSession session) throws SQLException {
        if (parameter instanceof LocalDateTime time) {
            statement.setString(index, text(time));
        } else {
            super.setParameterValueInDatabaseCall(parameter, statement, index, session);
        }
    }

    @Override
    public void setParameterValueInDatabaseCall(Object parameter, CallableStatement statement, String name,
            AbstractSession session) throws SQLException {
        if (parameter instanceof LocalDateTime time) {
            statement.setString(name, text(time));
        } else {
            super.setParameterValueInDatabaseCall(parameter, statement, name, session);
        }
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Object convertObject(Object sourceObject, Class javaClass) throws ConversionException {
        return LocalTimestamps.convert(sourceObject, javaClass, super::convertObject);
    }

    @Override
    public boolean supportsIdentity() {
        return true;
    }

    @Override
    public ValueReadQuery buildSelectQueryForIdentity() {
        ValueReadQuery query = new ValueReadQuery();
        query.setSQLString("SELECT last_insert_rowid()");
        return query;
    }

    @Override
    public int computeMaxRowsForSQL(int firstResultIndex, int maxResults) {
        return maxResults - Math.max(firstResultIndex, 0);
    }

    @Override
    public void printSQLSelectStatement(DatabaseCall call, ExpressionSQLPrinter printer,
            SQLSelectStatement statement) {
        int max = statement.getQuery() == null ? 0 : statement.getQuery().getMaxRows();
        if (max <= 0 || !shouldUseRownumFiltering()) {
            super.printSQLSelectStatement(call, printer, statement);
            return;
        }
        statement.setUseUniqueFieldAliases(true);
        call.setFields(statement.printSQL(printer));
        printer.printString(" LIMIT ");
        printer.printParameter(DatabaseCall.MAXROW_FIELD);
        printer.printString(" OFFSET ");
        printer.printParameter(DatabaseCall.FIRSTRESULT_FIELD);
        call.setIgnoreFirstRowSetting(true);
        call.setIgnoreMaxResultsSetting(true);
    }

    @Override
    public boolean canBuildCallWithReturning() {
        return true;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public DatabaseCall buildCallWithReturning(SQLCall sqlCall, Vector returnFields) {
        StringBuilder sql = new StringBuilder(sqlCall.getSQLString()).append(" RETURNING ");
        for (int i = 0; i < returnFields.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(((DatabaseField) returnFields.get(i)).getNameDelimited(this));
        }
        SQLCall call = new SQLCall();
        call.setParameters(sqlCall.getParameters());
        call.setParameterTypes(sqlCall.getParameterTypes());
        call.returnOneRow();
        call.setQueryString(sql.toString());
        return call;
    }

    @Override
    public boolean supportsForeignKeyConstraints() {
        return true;
    }
}
