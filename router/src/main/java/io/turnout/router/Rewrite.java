package io.turnout.router;

import java.util.List;
import java.util.Objects;

/**
 * Send {@code sql} instead of the client's text. A write is dual-written; a read may be served from
 * the authoritative columns or keep the old {@code *} shape. Parameter numbering and count are the
 * client's: the client binds the same {@code $n}.
 *
 * @param sql the statement to send
 * @param migrationIds the migrations whose rules produced the edits, in plan order
 */
public record Rewrite(String sql, List<String> migrationIds) implements Decision {
  public Rewrite {
    Objects.requireNonNull(sql, "sql");
    migrationIds = List.copyOf(migrationIds);
  }
}
