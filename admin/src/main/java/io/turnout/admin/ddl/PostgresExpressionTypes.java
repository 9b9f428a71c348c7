package io.turnout.admin.ddl;

import io.turnout.config.plan.TableName;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Objects;

/**
 * {@link ExpressionTypes} answered by PostgreSQL over JDBC, in a transaction (or savepoint) that is
 * always rolled back, so nothing it creates survives. The expression is evaluated over no rows
 * ({@code WHERE false}), so the answer is the same for an empty and a huge table, and costs no
 * scan.
 *
 * <ul>
 *   <li>type: {@code CREATE TEMP VIEW … AS SELECT (expression) FROM table WHERE false} and {@code
 *       format_type} of the view's column, which keeps typmods ({@code varchar(100)}) that {@code
 *       pg_typeof} would lose;
 *   <li>fit: {@code INSERT INTO} a temporary table with a column of the given type {@code SELECT
 *       (expression) …}, which applies exactly the assignment casts a write would.
 * </ul>
 */
public final class PostgresExpressionTypes implements ExpressionTypes {
  private static final String DATATYPE_MISMATCH = "42804";

  private final Connection connection;

  public PostgresExpressionTypes(Connection connection) {
    this.connection = Objects.requireNonNull(connection, "connection");
  }

  @Override
  public String typeOf(TableName table, String expression) throws SQLException {
    return rolledBack(
        s -> {
          s.execute(
              "CREATE TEMP VIEW turnout_expression_probe AS SELECT ("
                  + expression
                  + ") AS value FROM "
                  + table.sql()
                  + " WHERE false");
          try (ResultSet rs =
              s.executeQuery(
                  "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                      + " WHERE attrelid = 'pg_temp.turnout_expression_probe'::regclass"
                      + " AND attnum = 1")) {
            if (!rs.next()) {
              throw new SQLException("probe view for '" + expression + "' has no column");
            }
            return rs.getString(1);
          }
        });
  }

  @Override
  public boolean fits(TableName table, String expression, String columnType) throws SQLException {
    return rolledBack(
        s -> {
          s.execute("CREATE TEMP TABLE turnout_fit_probe (value " + columnType + ")");
          try {
            s.execute(
                "INSERT INTO turnout_fit_probe (value) SELECT ("
                    + expression
                    + ") FROM "
                    + table.sql()
                    + " WHERE false");
            return true;
          } catch (SQLException e) {
            if (DATATYPE_MISMATCH.equals(e.getSQLState())) {
              return false;
            }
            throw e;
          }
        });
  }

  private interface Probe<T> {
    T run(Statement statement) throws SQLException;
  }

  /**
   * Runs the probe in a fresh transaction when the connection is in autocommit mode, else in a
   * savepoint of the caller's transaction, and rolls it back either way.
   */
  private <T> T rolledBack(Probe<T> probe) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    Savepoint savepoint = null;
    if (autoCommit) {
      connection.setAutoCommit(false);
    } else {
      savepoint = connection.setSavepoint();
    }
    try (Statement s = connection.createStatement()) {
      return probe.run(s);
    } finally {
      if (autoCommit) {
        connection.rollback();
        connection.setAutoCommit(true);
      } else {
        connection.rollback(savepoint);
        connection.releaseSavepoint(savepoint);
      }
    }
  }
}
