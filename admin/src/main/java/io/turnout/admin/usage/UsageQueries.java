package io.turnout.admin.usage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code turnout.usage}. Every instance upserts into the same rows (the key has no instance
 * column), so what is read is already the fleet's total. Blocking (JDBC).
 */
public final class UsageQueries {
  private UsageQueries() {}

  /** Every row of the migration, most recently seen first. */
  public static UsageReport report(Connection c, String migrationId) throws SQLException {
    List<UsageRow> rows = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT names, application_name, role, client_addr, statements, first_seen,"
                + " last_seen FROM turnout.usage WHERE migration_id = ?"
                + " ORDER BY last_seen DESC, names, application_name, role, client_addr")) {
      ps.setString(1, migrationId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new UsageRow(
                  NameUse.ofSql(rs.getString(1)),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getLong(5),
                  rs.getObject(6, OffsetDateTime.class).toInstant(),
                  rs.getObject(7, OffsetDateTime.class).toInstant()));
        }
      }
    }
    return new UsageReport(migrationId, rows);
  }

  /**
   * When any instance last flushed a statement using these names; empty if none ever did. The
   * contract guard compares this with the soak time. Statements recorded but not yet flushed are
   * not included: the guard should allow for one flush interval.
   */
  public static Optional<Instant> lastSeen(Connection c, String migrationId, NameUse names)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT max(last_seen) FROM turnout.usage WHERE migration_id = ? AND names = ?")) {
      ps.setString(1, migrationId);
      ps.setString(2, names.sql());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        OffsetDateTime t = rs.getObject(1, OffsetDateTime.class);
        return Optional.ofNullable(t).map(OffsetDateTime::toInstant);
      }
    }
  }
}
