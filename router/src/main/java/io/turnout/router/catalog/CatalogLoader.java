package io.turnout.router.catalog;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.catalog.ColumnInfo;
import io.turnout.config.catalog.IndexInfo;
import io.turnout.config.catalog.TableInfo;
import io.turnout.config.plan.TableName;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Loads the {@link Catalog} over JDBC: every table, view and foreign table outside the system
 * schemas, with columns in attnum order (type as {@code format_type} prints it, default as {@code
 * pg_get_expr} prints it; generated and identity columns show no default), primary key and indexes,
 * the relations each view reads, and the connection's search path. Blocking: call it off the
 * request path (at start, and again after DDL).
 *
 * @see <a href="https://www.postgresql.org/docs/current/catalogs.html">PostgreSQL: System
 *     Catalogs</a>
 */
public final class CatalogLoader {
  private static final String COLUMNS =
      "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.atttypid,"
          + " a.attnotnull,"
          + " CASE WHEN a.attgenerated = '' AND a.attidentity = ''"
          + " THEN pg_get_expr(d.adbin, d.adrelid) END"
          + " FROM pg_class c"
          + " JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
          + " LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum"
          + " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')"
          + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
          + " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'"
          + " ORDER BY n.nspname, c.relname, a.attnum";

  private static final String INDEXES =
      "SELECT n.nspname, c.relname, ic.relname, i.indisunique, i.indisprimary,"
          + " pg_get_indexdef(i.indexrelid),"
          + " ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)"
          + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.ord)"
          + " FROM pg_index i"
          + " JOIN pg_class c ON c.oid = i.indrelid"
          + " JOIN pg_class ic ON ic.oid = i.indexrelid"
          + " JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
          + " AND n.nspname NOT LIKE 'pg\\_toast%'"
          + " ORDER BY n.nspname, c.relname, ic.relname";

  /**
   * Each view (relkind {@code v}; materialized views are read-only and left out) with the relations
   * its definition reads: the dependencies of its {@code _RETURN} rule on other relations.
   */
  private static final String VIEWS =
      "SELECT DISTINCT vn.nspname, v.relname, tn.nspname, t.relname"
          + " FROM pg_class v"
          + " JOIN pg_namespace vn ON vn.oid = v.relnamespace"
          + " JOIN pg_rewrite r ON r.ev_class = v.oid"
          + " JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid"
          + " AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> v.oid"
          + " JOIN pg_class t ON t.oid = d.refobjid"
          + " JOIN pg_namespace tn ON tn.oid = t.relnamespace"
          + " WHERE v.relkind = 'v'"
          + " AND vn.nspname NOT IN ('pg_catalog', 'information_schema')"
          + " AND vn.nspname NOT LIKE 'pg\\_toast%' AND vn.nspname NOT LIKE 'pg\\_temp%'"
          + " ORDER BY 1, 2, 3, 4";

  private CatalogLoader() {}

  /** Loads the catalog as seen by {@code connection} (its search path included). */
  public static Catalog load(Connection connection) throws SQLException {
    List<String> searchPath = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement("SELECT current_schemas(false)");
        ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        Array a = rs.getArray(1);
        searchPath.addAll(Arrays.asList((String[]) a.getArray()));
      }
    }
    Map<TableName, List<ColumnInfo>> columns = new LinkedHashMap<>();
    try (PreparedStatement ps = connection.prepareStatement(COLUMNS);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        TableName t = new TableName(rs.getString(1), rs.getString(2));
        columns
            .computeIfAbsent(t, k -> new ArrayList<>())
            .add(
                new ColumnInfo(
                    rs.getString(3),
                    rs.getString(4),
                    rs.getInt(5),
                    rs.getBoolean(6),
                    Optional.ofNullable(rs.getString(7))));
      }
    }
    Map<TableName, List<IndexInfo>> indexes = new LinkedHashMap<>();
    Map<TableName, List<String>> primaryKeys = new LinkedHashMap<>();
    try (PreparedStatement ps = connection.prepareStatement(INDEXES);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        TableName t = new TableName(rs.getString(1), rs.getString(2));
        List<String> cols = Arrays.asList((String[]) rs.getArray(7).getArray());
        indexes
            .computeIfAbsent(t, k -> new ArrayList<>())
            .add(new IndexInfo(rs.getString(3), rs.getBoolean(4), cols, rs.getString(6)));
        if (rs.getBoolean(5)) {
          primaryKeys.put(t, cols);
        }
      }
    }
    Map<TableName, Set<TableName>> views = new LinkedHashMap<>();
    try (PreparedStatement ps = connection.prepareStatement(VIEWS);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        views
            .computeIfAbsent(
                new TableName(rs.getString(1), rs.getString(2)), k -> new LinkedHashSet<>())
            .add(new TableName(rs.getString(3), rs.getString(4)));
      }
    }
    Map<TableName, TableInfo> tables = new LinkedHashMap<>();
    for (Map.Entry<TableName, List<ColumnInfo>> e : columns.entrySet()) {
      TableName t = e.getKey();
      tables.put(
          t,
          new TableInfo(
              t,
              e.getValue(),
              primaryKeys.getOrDefault(t, List.of()),
              indexes.getOrDefault(t, List.of())));
    }
    return new Catalog(searchPath.isEmpty() ? List.of("public") : searchPath, tables, views);
  }
}
