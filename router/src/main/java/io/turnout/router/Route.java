package io.turnout.router;

import java.util.Objects;

/**
 * A read while {@code migrationId} ramps its reads: send {@code newSql} when the session's sticky
 * key falls within the migration's read percentage, {@code oldSql} otherwise. Both return exactly
 * the shape the client expects (column names, order and types); the other one is what the shadow
 * compares against.
 *
 * <p>When a statement touches several migrations that ramp at the same time, {@code migrationId} is
 * the one with the lowest read percentage, so no migration serves more new reads than its flag
 * allows.
 *
 * <p>{@code key} is where the read's sticky key is when that migration's reads are sticky by a key
 * column, or null (then, or for other stickiness, the session's key stands in).
 */
public record Route(String oldSql, String newSql, String migrationId, StickyKey key)
    implements Decision {
  public Route {
    Objects.requireNonNull(oldSql, "oldSql");
    Objects.requireNonNull(newSql, "newSql");
    Objects.requireNonNull(migrationId, "migrationId");
  }

  public Route(String oldSql, String newSql, String migrationId) {
    this(oldSql, newSql, migrationId, null);
  }
}
