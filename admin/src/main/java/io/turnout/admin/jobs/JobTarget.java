package io.turnout.admin.jobs;

import io.turnout.config.catalog.TableInfo;
import io.turnout.config.plan.Migration;
import io.turnout.router.catalog.CatalogLoader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The table a job walks, checked against the live catalog when the job starts (not when the plan
 * was loaded), so a job run before {@code expand} is refused with a message instead of failing on
 * its first batch.
 */
record JobTarget(Migration migration, TableInfo table, Keyset keyset, ColumnMapping mapping) {

  static JobTarget resolve(Connection c, Migration migration, String job) throws SQLException {
    String database = c.getCatalog();
    TableInfo table =
        CatalogLoader.load(c)
            .table(migration.table())
            .orElseThrow(
                () ->
                    new JobRefusedException(
                        job
                            + " of "
                            + migration.id()
                            + " refused: table "
                            + migration.table()
                            + " does not exist in database "
                            + database));
    ColumnMapping mapping = ColumnMapping.of(migration);
    List<String> missing =
        mapping.columns().stream()
            .filter(column -> table.column(column).isEmpty())
            .distinct()
            .collect(Collectors.toList());
    if (!missing.isEmpty()) {
      throw new JobRefusedException(
          job
              + " of "
              + migration.id()
              + " refused: table "
              + table.name()
              + " has no column "
              + String.join(", ", missing)
              + "; run expand "
              + migration.id()
              + " first");
    }
    return new JobTarget(migration, table, Keyset.of(table, migration.id(), job), mapping);
  }

  String tableSql() {
    return table.name().sql();
  }

  /**
   * Rows in the table, for progress only: the planner's estimate when the table was ever analysed
   * (free), else an exact count (a never-analysed table is usually small or new).
   */
  long estimateRows(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT reltuples::bigint FROM pg_class WHERE oid = ?::regclass")) {
      ps.setString(1, tableSql());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next() && rs.getLong(1) > 0) {
          return rs.getLong(1);
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + tableSql());
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
