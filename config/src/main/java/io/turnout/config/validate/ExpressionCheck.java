package io.turnout.config.validate;

import io.turnout.config.plan.TableName;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code forward} or {@code backward} expression that only the database can finish checking: that
 * its functions and operators resolve, and that its result fits the column it fills. {@link
 * PlanValidator} produces one per expression; a live checker with a connection runs {@link
 * #probeSql()} and compares the type of its one result column with {@link #expectedType()}.
 *
 * @param column the column the expression fills (a new column for forward, an old for backward)
 * @param expectedType the column's type as {@code format_type} prints it; empty when the column
 *     does not exist yet, in which case {@code expand} creates it with the type the probe reports
 * @param probeSql {@code SELECT (expression) AS column FROM … WHERE false}: returns no rows and
 *     fails if the expression does not resolve. For a backward expression whose new columns do not
 *     exist yet, they are computed from their forward expressions in a subquery.
 */
public record ExpressionCheck(
    String migrationId,
    TableName table,
    Direction direction,
    String column,
    String expression,
    Optional<String> expectedType,
    String probeSql) {

  /** Which way the expression maps: old → new ({@code forward}) or new → old. */
  public enum Direction {
    FORWARD,
    BACKWARD
  }

  public ExpressionCheck {
    Objects.requireNonNull(migrationId, "migrationId");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(expression, "expression");
    Objects.requireNonNull(expectedType, "expectedType");
    Objects.requireNonNull(probeSql, "probeSql");
  }
}
