package io.turnout.admin.jobs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * The one statement that writes {@code new := forward(old)} for a range of keys, shared by the
 * backfill and by verify's repair: a keyset select of the next rows after a key (or from the start)
 * up to a key, an UPDATE of those rows where a new column differs from forward(old), and the
 * range's greatest key taken from the keyset select (so a walk advances through rows that needed no
 * change). Because the UPDATE's condition is re-checked against the newest row version when it
 * meets a concurrent write (READ COMMITTED), a row the application already dual-wrote is never
 * overwritten with a stale value. Runs in the caller's transaction, with {@code lock_timeout} set
 * for it.
 */
final class ForwardBatch {
  /** What a batch did: rows it covered, rows it changed, and the greatest key it covered. */
  record Outcome(long covered, long changed, List<String> lastKey) {}

  private final JobTarget target;
  private final String first;
  private final String next;

  ForwardBatch(JobTarget target) {
    this.target = target;
    this.first = build(target, false);
    this.next = build(target, true);
  }

  /**
   * Writes forward() into up to {@code limit} rows with keys after {@code after} (empty: from the
   * start) and at most {@code upTo}; {@link Outcome#lastKey} is {@code after} when it covered none.
   */
  Outcome run(Connection c, List<String> after, List<String> upTo, int limit, Duration lockTimeout)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT set_config('lock_timeout', ?, true)")) {
      ps.setString(1, lockTimeout.toMillis() + "ms");
      ps.execute();
    }
    boolean fromStart = after.isEmpty();
    Keyset k = target.keyset();
    try (PreparedStatement ps = c.prepareStatement(fromStart ? first : next)) {
      int index = fromStart ? 1 : k.bind(ps, 1, after);
      index = k.bind(ps, index, upTo);
      ps.setInt(index, limit);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long covered = rs.getLong(1);
        return new Outcome(covered, rs.getLong(2), covered == 0 ? after : Keyset.readKey(rs, 3));
      }
    }
  }

  private static String build(JobTarget t, boolean after) {
    Keyset k = t.keyset();
    String table = t.tableSql() + " AS " + Keyset.TABLE_ALIAS;
    return "WITH "
        + Keyset.BATCH_ALIAS
        + " AS (SELECT "
        + k.selectKeys()
        + " FROM "
        + table
        + " WHERE "
        + (after ? k.after() + " AND " : "")
        + k.atMost()
        + " ORDER BY "
        + k.orderBy()
        + " LIMIT ?), turnout_u AS (UPDATE "
        + table
        + " SET "
        + t.mapping().setList()
        + " FROM "
        + Keyset.BATCH_ALIAS
        + " WHERE "
        + k.joinBatch()
        + " AND "
        + t.mapping().forwardDiffers(Keyset.TABLE_ALIAS, t.table())
        + " RETURNING 1) SELECT (SELECT count(*) FROM "
        + Keyset.BATCH_ALIAS
        + "), (SELECT count(*) FROM turnout_u), "
        + k.lastKeyOfBatch();
  }
}
