package io.turnout.proxy.routing;

/**
 * What to prepare in place of a client's statement: {@code sql} (a refusal when {@code refusal}),
 * and for a routed read of a named statement the new-schema variant to prepare beside it ({@code
 * variantSql}, null otherwise) with the migration whose read path chooses between them per
 * execution.
 */
public record PlannedStatement(String sql, boolean refusal, String variantSql, String migrationId) {
  PlannedStatement(String sql, boolean refusal) {
    this(sql, refusal, null, null);
  }
}
