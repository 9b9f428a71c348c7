package io.turnout.admin.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Makes the current transaction's commit wait until its WAL is flushed, even on a server that runs
 * with {@code synchronous_commit=off}. There a commit returns before its WAL is written, and a
 * crash soon after loses it: an instance may already act on that state version, and the next change
 * would get the same version number with other content. Control changes are rare, so the flush
 * costs nothing that matters. Only {@code off} is raised; {@code local} already flushes, and
 * stronger settings (standbys) are kept.
 */
final class DurableCommit {
  private DurableCommit() {}

  /** Call inside the transaction (auto-commit off), before its commit. */
  static void require(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT set_config('synchronous_commit', 'on', true)"
                + " WHERE current_setting('synchronous_commit') = 'off'")) {
      ps.execute();
    }
  }
}
