package io.turnout.proxy.routing;

import io.turnout.router.StickyKey;

/**
 * What to prepare in place of a client's statement: {@code sql} (a refusal when {@code refusal}),
 * and for a routed read chosen per execution the new-schema variant ({@code variantSql}, null
 * otherwise) with the migration whose read path chooses between them, and where the read's sticky
 * key is ({@code key}, null when the session's key decides).
 */
public record PlannedStatement(
    String sql, boolean refusal, String variantSql, String migrationId, StickyKey key) {
  PlannedStatement(String sql, boolean refusal) {
    this(sql, refusal, null, null, null);
  }
}
