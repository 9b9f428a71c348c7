package io.turnout.admin.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Where a verify pass stands, in {@code turnout.checkpoint} (job {@code verify}): the last key
 * checked and what was counted up to it, so a verify stopped by a restart or a cancel resumes after
 * its last chunk instead of from the start. Written after each chunk, on a connection of its own in
 * autocommit (the chunks are read in read-only snapshots).
 */
record VerifyCheckpoint(
    String migrationId,
    List<String> lastKey,
    long rowsChecked,
    long drift,
    long found,
    long repaired,
    List<List<String>> sampleKeys,
    boolean finished) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<List<String>>> KEYS = new TypeReference<>() {};

  VerifyCheckpoint {
    lastKey = List.copyOf(lastKey);
    sampleKeys = sampleKeys.stream().map(List::copyOf).toList();
  }

  static Optional<VerifyCheckpoint> load(Connection c, String migrationId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT last_key, rows_done, drift, found, repaired, sample_keys::text,"
                + " finished_at IS NOT NULL FROM turnout.checkpoint"
                + " WHERE migration_id = ? AND job = ?")) {
      ps.setString(1, migrationId);
      ps.setString(2, Verify.JOB);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        String samples = rs.getString(6);
        return Optional.of(
            new VerifyCheckpoint(
                migrationId,
                Keyset.readKey(rs, 1),
                rs.getLong(2),
                rs.getLong(3),
                rs.getLong(4),
                rs.getLong(5),
                samples == null ? List.of() : parse(samples),
                rs.getBoolean(7)));
      }
    }
  }

  /** A new pass from the start, replacing any earlier one. */
  static VerifyCheckpoint startPass(Connection c, String migrationId, long rowsTotal)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO turnout.checkpoint (migration_id, job, last_key, rows_done, rows_total)"
                + " VALUES (?, ?, NULL, 0, ?) ON CONFLICT (migration_id, job) DO UPDATE SET"
                + " last_key = NULL, rows_done = 0, rows_total = excluded.rows_total, drift = 0,"
                + " found = 0, repaired = 0, sample_keys = NULL, started_at = clock_timestamp(),"
                + " updated_at = clock_timestamp(), finished_at = NULL")) {
      ps.setString(1, migrationId);
      ps.setString(2, Verify.JOB);
      ps.setLong(3, rowsTotal);
      ps.executeUpdate();
    }
    return new VerifyCheckpoint(migrationId, List.of(), 0, 0, 0, 0, List.of(), false);
  }

  /** What was counted up to {@code key}; {@code done} also ends the pass. */
  VerifyCheckpoint advance(
      Connection c,
      List<String> key,
      long rows,
      long drifting,
      long foundNow,
      long repairedNow,
      List<List<String>> samples,
      boolean done)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE turnout.checkpoint SET last_key = ?, rows_done = ?, drift = ?, found = ?,"
                + " repaired = ?, sample_keys = ?::jsonb, updated_at = clock_timestamp(),"
                + " finished_at = CASE WHEN ? THEN clock_timestamp() END"
                + " WHERE migration_id = ? AND job = ?")) {
      ps.setArray(1, c.createArrayOf("text", key.toArray()));
      ps.setLong(2, rows);
      ps.setLong(3, drifting);
      ps.setLong(4, foundNow);
      ps.setLong(5, repairedNow);
      ps.setString(6, JSON.writeValueAsString(samples));
      ps.setBoolean(7, done);
      ps.setString(8, migrationId);
      ps.setString(9, Verify.JOB);
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException(
            "checkpoint of verify of " + migrationId + " vanished while the job ran");
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("sample keys are plain strings", e);
    }
    return new VerifyCheckpoint(
        migrationId, key, rows, drifting, foundNow, repairedNow, samples, done);
  }

  private static List<List<String>> parse(String json) throws SQLException {
    try {
      return JSON.readValue(json, KEYS);
    } catch (JsonProcessingException e) {
      throw new SQLException("turnout.checkpoint.sample_keys is not a list of keys: " + json, e);
    }
  }
}
