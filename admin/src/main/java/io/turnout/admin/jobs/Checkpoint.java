package io.turnout.admin.jobs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * A row of {@code turnout.checkpoint}: where a job's current pass stands. {@code lastKey} is empty
 * before the first batch of a pass; {@code upperKey} is the greatest key when the pass started (the
 * pass ends there), empty for a table that was empty, null for a pass started by a version that did
 * not record it. The row is written in the same transaction as each batch, so after a crash it
 * names exactly the last committed batch.
 */
record Checkpoint(
    String migrationId,
    String job,
    List<String> lastKey,
    List<String> upperKey,
    long rowsDone,
    long rowsTotal,
    boolean finished) {
  Checkpoint {
    lastKey = List.copyOf(lastKey);
    upperKey = upperKey == null ? null : List.copyOf(upperKey);
  }

  static Optional<Checkpoint> load(Connection c, String migrationId, String job)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT last_key, rows_done, coalesce(rows_total, 0), finished_at IS NOT NULL,"
                + " upper_key IS NOT NULL, upper_key"
                + " FROM turnout.checkpoint WHERE migration_id = ? AND job = ?")) {
      ps.setString(1, migrationId);
      ps.setString(2, job);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Checkpoint(
                migrationId,
                job,
                Keyset.readKey(rs, 1),
                rs.getBoolean(5) ? Keyset.readKey(rs, 6) : null,
                rs.getLong(2),
                rs.getLong(3),
                rs.getBoolean(4)));
      }
    }
  }

  /**
   * Starts a new pass from the beginning up to {@code upperKey}, replacing any earlier (finished or
   * abandoned) one.
   */
  static Checkpoint startPass(
      Connection c, String migrationId, String job, List<String> upperKey, long rowsTotal)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO turnout.checkpoint"
                + " (migration_id, job, last_key, upper_key, rows_done, rows_total)"
                + " VALUES (?, ?, NULL, ?, 0, ?) ON CONFLICT (migration_id, job) DO UPDATE SET"
                + " last_key = NULL, upper_key = excluded.upper_key, rows_done = 0,"
                + " rows_total = excluded.rows_total, started_at = clock_timestamp(),"
                + " updated_at = clock_timestamp(), finished_at = NULL")) {
      ps.setString(1, migrationId);
      ps.setString(2, job);
      ps.setArray(3, c.createArrayOf("text", upperKey.toArray()));
      ps.setLong(4, rowsTotal);
      ps.executeUpdate();
    }
    return new Checkpoint(migrationId, job, List.of(), upperKey, 0, rowsTotal, false);
  }

  /** This pass, ending at {@code upper} (for a pass saved without its end). */
  Checkpoint bounded(Connection c, List<String> upper) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE turnout.checkpoint SET upper_key = ? WHERE migration_id = ? AND job = ?")) {
      ps.setArray(1, c.createArrayOf("text", upper.toArray()));
      ps.setString(2, migrationId);
      ps.setString(3, job);
      expectOneRow(ps.executeUpdate());
    }
    return new Checkpoint(migrationId, job, lastKey, upper, rowsDone, rowsTotal, finished);
  }

  /** Records one batch; call inside the batch's transaction. */
  void advance(Connection c, List<String> key, long rows) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE turnout.checkpoint SET last_key = ?, rows_done = rows_done + ?,"
                + " updated_at = clock_timestamp() WHERE migration_id = ? AND job = ?")) {
      ps.setArray(1, c.createArrayOf("text", key.toArray()));
      ps.setLong(2, rows);
      ps.setString(3, migrationId);
      ps.setString(4, job);
      expectOneRow(ps.executeUpdate());
    }
  }

  void finish(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE turnout.checkpoint SET finished_at = clock_timestamp(),"
                + " updated_at = clock_timestamp() WHERE migration_id = ? AND job = ?")) {
      ps.setString(1, migrationId);
      ps.setString(2, job);
      expectOneRow(ps.executeUpdate());
    }
  }

  private void expectOneRow(int updated) {
    if (updated != 1) {
      // Only a person deleting the row by hand gets here; continuing would lose the resume point.
      throw new IllegalStateException(
          "checkpoint of " + job + " of " + migrationId + " vanished while the job ran");
    }
  }
}
