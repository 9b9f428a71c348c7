package io.turnout.admin.jobs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One job per migration across every Turnout instance: a session-level advisory lock, held on the
 * job's own connection, so it is released when the job ends, and also when its process or
 * connection dies (no lease to expire, no row to clean up).
 *
 * <p>The 64-bit key is the first 8 bytes of SHA-256 over {@code "turnout:" + job + ":" +
 * migrationId}: stable across JVMs and versions, unlike {@code String.hashCode} or PostgreSQL's
 * internal {@code hashtext}.
 */
public final class JobLock {
  private JobLock() {}

  static long key(String job, String migrationId) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(("turnout:" + job + ":" + migrationId).getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest, 0, 8).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /**
   * Takes the lock on {@code c} (in autocommit mode or not: session locks ignore transactions).
   *
   * @throws JobRefusedException naming the backend pid holding it when another session does
   */
  public static void acquire(Connection c, String job, String migrationId) throws SQLException {
    long key = key(job, migrationId);
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
      ps.setLong(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getBoolean(1)) {
          return;
        }
      }
    }
    throw new JobRefusedException(
        job
            + " of "
            + migrationId
            + " is already running (advisory lock "
            + key
            + " held by pid "
            + holder(c, key)
            + ")");
  }

  public static void release(Connection c, String job, String migrationId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
      ps.setLong(1, key(job, migrationId));
      ps.execute();
    }
  }

  /** True while some session (on any instance) holds the lock of {@code job} of the migration. */
  public static boolean held(Connection c, String job, String migrationId) throws SQLException {
    return !holder(c, key(job, migrationId)).equals(UNKNOWN);
  }

  private static final String UNKNOWN = "unknown";

  /** The holder's pid, or "unknown" if it let go between our try and this look. */
  private static String holder(Connection c, long key) throws SQLException {
    // A bigint advisory key shows in pg_locks as classid = high 32 bits, objid = low, objsubid 1.
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
                + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + " AND classid::bigint = ? AND objid::bigint = ? LIMIT 1")) {
      ps.setLong(1, key >>> 32);
      ps.setLong(2, key & 0xffffffffL);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Integer.toString(rs.getInt(1)) : UNKNOWN;
      }
    }
  }
}
