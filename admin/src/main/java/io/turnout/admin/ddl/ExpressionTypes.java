package io.turnout.admin.ddl;

import io.turnout.config.plan.TableName;
import java.sql.SQLException;

/**
 * What PostgreSQL says about a forward expression over one row of a table. Only PostgreSQL knows
 * the type of {@code split_part(name, ' ', 1)} (function resolution, domains, typmods), so the
 * {@link ExpandPlanner} asks it instead of guessing.
 */
public interface ExpressionTypes {
  /**
   * The type of {@code expression} evaluated on a row of {@code table}, as {@code format_type}
   * prints it ({@code text}, {@code character varying(100)}, {@code bigint}).
   */
  String typeOf(TableName table, String expression) throws SQLException;

  /**
   * Whether the value of {@code expression} can be stored in a column of {@code columnType} the way
   * an {@code INSERT} stores it (an assignment cast).
   */
  boolean fits(TableName table, String expression, String columnType) throws SQLException;
}
