package io.turnout.admin.jobs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Why a backfill should wait now, as measured on the primary: more client connections running a
 * statement than allowed, or a named replica behind ({@code pg_stat_replication}: bytes of WAL not
 * yet replayed, replay lag) or not streaming at all. Queries only what the limits ask for.
 */
final class LoadCheck {
  private static final String ACTIVE =
      "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
          + " AND backend_type = 'client backend' AND datname = current_database()"
          + " AND pid <> pg_backend_pid()";

  private static final String REPLICAS =
      "SELECT application_name, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint,"
          + " extract(epoch FROM replay_lag)::float8 FROM pg_stat_replication";

  private LoadCheck() {}

  private record Replica(Long bytesBehind, Double secondsBehind) {}

  /** Why to wait, or null to go on. Runs in the connection's current transaction. */
  static String why(Connection c, BackfillLimits limits) throws SQLException {
    if (limits.maxActiveConnections() > 0) {
      try (PreparedStatement ps = c.prepareStatement(ACTIVE);
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        long active = rs.getLong(1);
        if (active > limits.maxActiveConnections()) {
          return active
              + " active connections on the database (limit "
              + limits.maxActiveConnections()
              + ")";
        }
      }
    }
    if (limits.replicas().isEmpty()) {
      return null;
    }
    Map<String, Replica> streaming = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(REPLICAS);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long bytes = rs.getLong(2);
        Long b = rs.wasNull() ? null : bytes;
        double seconds = rs.getDouble(3);
        streaming.put(rs.getString(1), new Replica(b, rs.wasNull() ? null : seconds));
      }
    }
    for (String name : limits.replicas()) {
      Replica r = streaming.get(name);
      if (r == null) {
        return "replica " + name + " is not streaming (not in pg_stat_replication)";
      }
      if (r.bytesBehind() == null) {
        return "replica "
            + name
            + "'s lag is not visible to this role (grant it pg_monitor, or run as superuser)";
      }
      if (r.bytesBehind() > limits.maxReplicaLagBytes()) {
        return "replica "
            + name
            + " has "
            + megabytes(r.bytesBehind())
            + " of WAL to replay (limit "
            + megabytes(limits.maxReplicaLagBytes())
            + ")";
      }
      double maxSeconds = limits.maxReplicaLag().toMillis() / 1000.0;
      if (r.secondsBehind() != null && r.secondsBehind() > maxSeconds) {
        return String.format(
            "replica %s replays %.1f s behind (limit %.1f s)", name, r.secondsBehind(), maxSeconds);
      }
    }
    return null;
  }

  private static String megabytes(long bytes) {
    return String.format("%.1f MB", bytes / 1048576.0);
  }
}
