package io.turnout.admin.jobs;

import io.turnout.config.catalog.ColumnInfo;
import io.turnout.config.catalog.IndexInfo;
import io.turnout.config.catalog.TableInfo;
import io.turnout.config.plan.Identifiers;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Keyset pagination over a table's primary key (or unique NOT NULL key), single or composite: the
 * SQL fragments a batch needs and the binding of the last key seen. A key travels as {@code text[]}
 * (one text per key column, the shape of {@code turnout.checkpoint.last_key}) and is cast back to
 * each column's own type in the comparison, so {@code (a, b) > ($1::integer, $2::text)} compares as
 * the index does and can use it.
 *
 * <p>The batch's subquery exposes the key columns as {@code turnout_k1…}, names no application
 * column has, so unqualified column references in the plan's expressions stay unambiguous.
 */
final class Keyset {
  static final String TABLE_ALIAS = "turnout_t";
  static final String BATCH_ALIAS = "turnout_b";

  private final List<String> columns;
  private final List<String> types;

  private Keyset(List<String> columns, List<String> types) {
    this.columns = List.copyOf(columns);
    this.types = List.copyOf(types);
  }

  /**
   * The key a job walks: the primary key, else the narrowest unique index on NOT NULL columns (not
   * partial, no expressions; ties broken by name), which identifies rows as well.
   *
   * @throws JobRefusedException if the table has neither: without a unique, ordered key a batch
   *     could skip or repeat rows, and a checkpoint could not say where it stopped
   */
  static Keyset of(TableInfo table, String migrationId, String job) {
    List<String> key = table.primaryKey().isEmpty() ? uniqueNotNull(table) : table.primaryKey();
    if (key.isEmpty()) {
      throw new JobRefusedException(
          job
              + " of "
              + migrationId
              + " refused: table "
              + table.name()
              + " has no primary key and no unique index on NOT NULL columns, so it cannot be"
              + " walked in resumable batches; add one (ALTER TABLE "
              + table.name().sql()
              + " ADD PRIMARY KEY (…), or an identity column) and run "
              + job
              + " again");
    }
    List<String> types = new ArrayList<>();
    for (String column : key) {
      ColumnInfo info =
          table
              .column(column)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "catalog of "
                              + table.name()
                              + " lists key column "
                              + column
                              + " but not its type"));
      types.add(info.type());
    }
    return new Keyset(key, types);
  }

  /** The columns of the narrowest usable unique index, or none. */
  private static List<String> uniqueNotNull(TableInfo table) {
    return table.indexes().stream()
        .filter(i -> i.unique() && usable(i, table))
        .min(
            Comparator.comparingInt((IndexInfo i) -> i.columns().size())
                .thenComparing(IndexInfo::name))
        .map(IndexInfo::columns)
        .orElse(List.of());
  }

  /**
   * A unique index identifies every row when it covers all rows (no {@code WHERE}), its entries are
   * plain columns (an expression's slot is missing from {@link IndexInfo#columns}, so the column
   * list of its definition is longer), and none of them can be NULL (NULLs are never equal).
   */
  private static boolean usable(IndexInfo index, TableInfo table) {
    String def = index.definition();
    int open = def.indexOf('(', Math.max(0, def.indexOf(" USING ")));
    if (open < 0 || def.contains(" WHERE ") || index.columns().isEmpty()) {
      return false;
    }
    int depth = 0;
    int entries = 1;
    int close = -1;
    for (int i = open; i < def.length() && close < 0; i++) {
      char ch = def.charAt(i);
      if (ch == '(') {
        depth++;
      } else if (ch == ')' && --depth == 0) {
        close = i;
      } else if (ch == ',' && depth == 1) {
        entries++;
      } else if (ch == '"') {
        i = def.indexOf('"', i + 1); // a quoted name may hold commas and parentheses
        if (i < 0) {
          return false;
        }
      }
    }
    if (close < 0 || entries != index.columns().size()) {
      return false;
    }
    for (String column : index.columns()) {
      if (!table.column(column).map(ColumnInfo::notNull).orElse(false)) {
        return false;
      }
    }
    return true;
  }

  int size() {
    return columns.size();
  }

  /** {@code "a" AS turnout_k1, "b" AS turnout_k2} over the table alias. */
  String selectKeys() {
    return IntStream.range(0, columns.size())
        .mapToObj(i -> TABLE_ALIAS + "." + quoted(i) + " AS " + alias(i))
        .collect(Collectors.joining(", "));
  }

  /** {@code ("a", "b") > (?::integer, ?::text)} over the table alias: past the last key. */
  String after() {
    return compared(" > ");
  }

  /** {@code ("a", "b") <= (?::integer, ?::text)} over the table alias: up to a pass's end. */
  String atMost() {
    return compared(" <= ");
  }

  private String compared(String operator) {
    String left =
        IntStream.range(0, columns.size())
            .mapToObj(i -> TABLE_ALIAS + "." + quoted(i))
            .collect(Collectors.joining(", ", "(", ")"));
    String right = types.stream().map(t -> "?::" + t).collect(Collectors.joining(", ", "(", ")"));
    return left + operator + right;
  }

  /** The table's greatest key as {@code text[]}, or no row for an empty table. */
  String greatestKey(String tableSql) {
    String keys =
        IntStream.range(0, columns.size())
            .mapToObj(i -> TABLE_ALIAS + "." + quoted(i) + "::text")
            .collect(Collectors.joining(", ", "ARRAY[", "]"));
    String desc =
        IntStream.range(0, columns.size())
            .mapToObj(i -> TABLE_ALIAS + "." + quoted(i) + " DESC")
            .collect(Collectors.joining(", "));
    return "SELECT "
        + keys
        + " FROM "
        + tableSql
        + " AS "
        + TABLE_ALIAS
        + " ORDER BY "
        + desc
        + " LIMIT 1";
  }

  /** {@code "a", "b"} over the table alias, ascending. */
  String orderBy() {
    return IntStream.range(0, columns.size())
        .mapToObj(i -> TABLE_ALIAS + "." + quoted(i))
        .collect(Collectors.joining(", "));
  }

  /** {@code turnout_t."a" = turnout_b.turnout_k1 AND …}. */
  String joinBatch() {
    return IntStream.range(0, columns.size())
        .mapToObj(i -> TABLE_ALIAS + "." + quoted(i) + " = " + BATCH_ALIAS + "." + alias(i))
        .collect(Collectors.joining(" AND "));
  }

  /**
   * A scalar subquery giving the batch's greatest key as {@code text[]}: taken from the keyset
   * select itself, so the key advances even when no row of the batch needed a change.
   */
  String lastKeyOfBatch() {
    String keys =
        IntStream.range(0, columns.size())
            .mapToObj(i -> alias(i) + "::text")
            .collect(Collectors.joining(", ", "ARRAY[", "]"));
    String desc =
        IntStream.range(0, columns.size())
            .mapToObj(i -> alias(i) + " DESC")
            .collect(Collectors.joining(", "));
    return "(SELECT " + keys + " FROM " + BATCH_ALIAS + " ORDER BY " + desc + " LIMIT 1)";
  }

  /** {@code ARRAY[turnout_k1::text, …]} for a row of the batch. */
  String keyArray() {
    return IntStream.range(0, columns.size())
        .mapToObj(i -> alias(i) + "::text")
        .collect(Collectors.joining(", ", "ARRAY[", "]"));
  }

  /** {@code turnout_k1, turnout_k2}, for ordering rows of the batch. */
  String batchOrder() {
    return IntStream.range(0, columns.size())
        .mapToObj(Keyset::alias)
        .collect(Collectors.joining(", "));
  }

  /** Binds a last key from {@link #after()}'s placeholders, starting at {@code index}. */
  int bind(PreparedStatement ps, int index, List<String> lastKey) throws SQLException {
    if (lastKey.size() != columns.size()) {
      throw new IllegalStateException(
          "checkpoint key "
              + lastKey
              + " has "
              + lastKey.size()
              + " values but the primary key "
              + columns
              + " has "
              + columns.size()
              + " columns; was the key changed? Reset the"
              + " checkpoint");
    }
    for (String value : lastKey) {
      ps.setString(index++, value);
    }
    return index;
  }

  List<String> columns() {
    return columns;
  }

  static List<String> readKey(ResultSet rs, int column) throws SQLException {
    Array a = rs.getArray(column);
    if (a == null) {
      return List.of();
    }
    try {
      return List.copyOf(Arrays.asList((String[]) a.getArray()));
    } finally {
      a.free();
    }
  }

  private String quoted(int i) {
    return Identifiers.quote(columns.get(i));
  }

  private static String alias(int i) {
    return "turnout_k" + (i + 1);
  }
}
