package serv.jpa.internal;

import java.util.Vector;

import org.eclipse.persistence.internal.databaseaccess.DatabaseCall;
import org.eclipse.persistence.internal.helper.DatabaseField;
import org.eclipse.persistence.internal.expressions.ExpressionSQLPrinter;
import org.eclipse.persistence.internal.expressions.SQLSelectStatement;
import org.eclipse.persistence.platform.database.DatabasePlatform;
import org.eclipse.persistence.queries.SQLCall;
import org.eclipse.persistence.queries.ValueReadQuery;

/**
 * EclipseLink has no SQLite platform; its generic one neither knows SQLite's identity columns, nor pages with
 * {@code LIMIT}, nor reads values back with {@code RETURNING}. This adds exactly those: {@code INTEGER PRIMARY KEY}
 * ids read back with {@code last_insert_rowid()} on the same connection, {@code LIMIT ? OFFSET ?} for
 * {@code setFirstResult}/{@code setMaxResults}, and {@code INSERT ... RETURNING} (SQLite 3.35+) for
 * {@code @ReturnInsert} columns, as EclipseLink does on PostgreSQL.
 */
public final class SQLitePlatform extends DatabasePlatform {

    private static final long serialVersionUID = 1L;

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
