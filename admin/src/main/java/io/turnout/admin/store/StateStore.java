package io.turnout.admin.store;

import io.turnout.admin.lifecycle.MigrationRecord;
import io.turnout.admin.usage.UsageQueries;
import io.turnout.admin.usage.UsageReport;
import io.turnout.config.plan.TableName;
import io.turnout.config.state.Phase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * The control state in the {@code turnout} schema of the primary backend. Every change is one
 * transaction: the state version is incremented (a row lock, so commit order is version order), the
 * migration's row is compare-and-set on the version its decision was based on, an audit row is
 * written, and {@code NOTIFY turnout_state} tells every instance to reload; the commit waits for
 * its WAL flush whatever the server's synchronous_commit ({@link DurableCommit}). Blocking (JDBC):
 * call it off the event loops.
 */
public final class StateStore {
  /** The channel every instance LISTENs on; the payload is the new state version. */
  public static final String CHANNEL = "turnout_state";

  private static final String SELECT_RECORDS =
      "SELECT migration_id, phase, read_percent, shadow_percent, version, phase_since,"
          + " backfilled_at, verified_at, drift FROM turnout.migration_state";

  private final DataSource dataSource;

  public StateStore(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /** Creates or upgrades the control schema. */
  public void initialize() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      SchemaMigrator.migrate(c);
    }
  }

  public StoredState load() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return load(c);
    }
  }

  /** Reads the whole state in one snapshot (one statement each, in a read-only transaction). */
  public static StoredState load(Connection c) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (PreparedStatement iso =
        c.prepareStatement("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")) {
      iso.execute();
      long version;
      try (PreparedStatement ps = c.prepareStatement("SELECT version FROM turnout.state");
          ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("turnout.state has no row: the control schema is damaged");
        }
        version = rs.getLong(1);
      }
      Map<String, MigrationRecord> records = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement(SELECT_RECORDS);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          MigrationRecord r = record(rs);
          records.put(r.migrationId(), r);
        }
      }
      c.commit();
      return new StoredState(version, records);
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  /**
   * Stores {@code change} if the migration is still at {@code change.from().version()}; returns the
   * stored record (at the new state version).
   *
   * @throws ConflictException when another change came first; nothing is written
   */
  public MigrationRecord apply(Change change) throws SQLException, ConflictException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        MigrationRecord stored = apply(c, change);
        c.commit();
        return stored;
      } catch (SQLException | ConflictException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static MigrationRecord apply(Connection c, Change change)
      throws SQLException, ConflictException {
    String id = change.to().migrationId();
    DurableCommit.require(c);
    long newVersion;
    try (PreparedStatement ps =
            c.prepareStatement("UPDATE turnout.state SET version = version + 1 RETURNING version");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      newVersion = rs.getLong(1);
    }
    long actual = 0;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT version FROM turnout.migration_state WHERE migration_id = ? FOR UPDATE")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          actual = rs.getLong(1);
        }
      }
    }
    long expected = change.from().version();
    if (actual != expected) {
      throw new ConflictException(id, expected, actual, lastActor(c, id).orElse(null));
    }
    MigrationRecord next = change.to().atVersion(newVersion);
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO turnout.migration_state (migration_id, phase, read_percent,"
                + " shadow_percent, version, phase_since, backfilled_at, verified_at, drift,"
                + " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, clock_timestamp())"
                + " ON CONFLICT (migration_id) DO UPDATE SET phase = excluded.phase,"
                + " read_percent = excluded.read_percent, shadow_percent = excluded.shadow_percent,"
                + " version = excluded.version, phase_since = excluded.phase_since,"
                + " backfilled_at = excluded.backfilled_at, verified_at = excluded.verified_at,"
                + " drift = excluded.drift, updated_at = excluded.updated_at")) {
      ps.setString(1, id);
      ps.setString(2, phaseName(next.phase()));
      ps.setInt(3, next.readPercent());
      ps.setInt(4, next.shadowPercent());
      ps.setLong(5, newVersion);
      ps.setTimestamp(6, Timestamp.from(next.phaseSince()));
      ps.setTimestamp(7, next.backfilledAt().map(Timestamp::from).orElse(null));
      ps.setTimestamp(8, next.verifiedAt().map(Timestamp::from).orElse(null));
      if (next.drift().isPresent()) {
        ps.setLong(9, next.drift().getAsLong());
      } else {
        ps.setNull(9, java.sql.Types.BIGINT);
      }
      ps.executeUpdate();
    }
    MigrationRecord from = change.from();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO turnout.audit (migration_id, action, actor, client_addr, from_phase,"
                + " to_phase, from_read_percent, to_read_percent, from_shadow_percent,"
                + " to_shadow_percent, reason, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, id);
      ps.setString(2, change.action().wireName());
      ps.setString(3, change.actor());
      ps.setString(4, change.clientAddress().orElse(null));
      ps.setString(5, phaseName(from.phase()));
      ps.setString(6, phaseName(next.phase()));
      ps.setInt(7, from.effectiveReadPercent());
      ps.setInt(8, next.effectiveReadPercent());
      ps.setInt(9, from.shadowPercent());
      ps.setInt(10, next.shadowPercent());
      ps.setString(11, change.reason());
      ps.setLong(12, newVersion);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      ps.setString(1, CHANNEL);
      ps.setString(2, Long.toString(newVersion));
      ps.execute();
    }
    return next;
  }

  /** The newest audit entries of one migration (or all when {@code migrationId} is empty). */
  public List<AuditEntry> audit(Optional<String> migrationId, int limit) throws SQLException {
    String sql =
        "SELECT id, at, migration_id, action, actor, client_addr, from_phase, to_phase,"
            + " from_read_percent, to_read_percent, from_shadow_percent, to_shadow_percent, reason,"
            + " version FROM turnout.audit"
            + (migrationId.isPresent() ? " WHERE migration_id = ?" : "")
            + " ORDER BY id DESC LIMIT ?";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      if (migrationId.isPresent()) {
        ps.setString(i++, migrationId.get());
      }
      ps.setInt(i, limit);
      List<AuditEntry> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new AuditEntry(
                  rs.getLong(1),
                  rs.getTimestamp(2).toInstant(),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  Optional.ofNullable(rs.getString(6)),
                  rs.getString(7),
                  rs.getString(8),
                  rs.getInt(9),
                  rs.getInt(10),
                  rs.getInt(11),
                  rs.getInt(12),
                  Optional.ofNullable(rs.getString(13)),
                  rs.getLong(14)));
        }
      }
      return out;
    }
  }

  /** Compared and mismatched shadow reads of one migration ({0, 0} without shadow data). */
  public long[] shadowTotals(String migrationId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT compared, mismatched FROM turnout.shadow_totals WHERE migration_id = ?")) {
      ps.setString(1, migrationId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new long[] {rs.getLong(1), rs.getLong(2)} : new long[] {0, 0};
      }
    }
  }

  /** Those of {@code columns} that {@code table} does not have (all of them without the table). */
  public List<String> missingColumns(TableName table, List<String> columns) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT wanted FROM unnest(?::text[]) WITH ORDINALITY AS w(wanted, n)"
                    + " WHERE NOT EXISTS (SELECT 1 FROM pg_attribute"
                    + " WHERE attrelid = to_regclass(?) AND attname = wanted"
                    + " AND attnum > 0 AND NOT attisdropped) ORDER BY n")) {
      ps.setArray(1, c.createArrayOf("text", columns.toArray()));
      ps.setString(2, table.qualified());
      List<String> missing = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          missing.add(rs.getString(1));
        }
      }
      return missing;
    }
  }

  /**
   * Who still uses the migration's old names, and who its new ones, as every instance has flushed
   * it (see {@link io.turnout.admin.usage.UsageTracker}).
   */
  public UsageReport usage(String migrationId) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return UsageQueries.report(c, migrationId);
    }
  }

  private static Optional<String> lastActor(Connection c, String id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT actor || ': ' || action FROM turnout.audit WHERE migration_id = ?"
                + " ORDER BY id DESC LIMIT 1")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  private static MigrationRecord record(ResultSet rs) throws SQLException {
    long drift = rs.getLong(9);
    boolean noDrift = rs.wasNull();
    return new MigrationRecord(
        rs.getString(1),
        Phase.valueOf(rs.getString(2).toUpperCase(Locale.ROOT)),
        rs.getInt(3),
        rs.getInt(4),
        rs.getLong(5),
        rs.getTimestamp(6).toInstant(),
        instant(rs.getTimestamp(7)),
        instant(rs.getTimestamp(8)),
        noDrift ? OptionalLong.empty() : OptionalLong.of(drift));
  }

  private static Optional<Instant> instant(Timestamp t) {
    return t == null ? Optional.empty() : Optional.of(t.toInstant());
  }

  static String phaseName(Phase phase) {
    return phase.name().toLowerCase(Locale.ROOT);
  }
}
