package io.turnout.admin.jobs;

import io.turnout.config.catalog.TableInfo;
import io.turnout.config.plan.Identifiers;
import io.turnout.config.plan.Migration;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.TransformColumn;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a migration means for the rows: each new column as a SQL expression over the old columns
 * ({@code forward}) and each old column as one over the new columns ({@code backward}), keyed by
 * the unquoted column name. A rename is the transform {@code to := from}, {@code from := to}, so
 * the jobs have one code path for every kind.
 */
record ColumnMapping(Map<String, String> forward, Map<String, String> backward) {
  ColumnMapping {
    forward = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(forward));
    backward = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(backward));
  }

  static ColumnMapping of(Migration migration) {
    // Java 17 has no pattern switch; the throw makes a new Migration kind fail loudly here.
    if (migration instanceof RenameColumn r) {
      return new ColumnMapping(
          Map.of(r.to(), Identifiers.quote(r.from())), Map.of(r.from(), Identifiers.quote(r.to())));
    }
    if (migration instanceof TransformColumn t) {
      return new ColumnMapping(t.forward(), t.backward());
    }
    throw new IllegalArgumentException(
        "migration " + migration.id() + ": kind " + migration.kind() + " has no backfill");
  }

  /** {@code "a" = (expr), …} for an UPDATE's SET list. */
  String setList() {
    return forward.entrySet().stream()
        .map(e -> Identifiers.quote(e.getKey()) + " = (" + e.getValue() + ")")
        .collect(Collectors.joining(", "));
  }

  /** True where any new column differs from what forward gives: the rows a backfill must write. */
  String forwardDiffers(String alias, TableInfo table) {
    return differs(alias, forward, table);
  }

  /**
   * True where a row is inconsistent either way: a new column is not forward(old), or an old column
   * is not backward(new).
   */
  String anyDiffers(String alias, TableInfo table) {
    return "(" + differs(alias, forward, table) + " OR " + differs(alias, backward, table) + ")";
  }

  List<String> columns() {
    List<String> all = new java.util.ArrayList<>(forward.keySet());
    all.addAll(backward.keySet());
    return all;
  }

  /**
   * The expression is cast to the column's type before comparing, as the UPDATE's assignment would,
   * so {@code varchar(20)} against a {@code text} expression, or a type change, compares what would
   * be stored.
   */
  private static String differs(String alias, Map<String, String> target, TableInfo table) {
    return target.entrySet().stream()
        .map(
            e ->
                alias
                    + "."
                    + Identifiers.quote(e.getKey())
                    + " IS DISTINCT FROM ("
                    + e.getValue()
                    + ")::"
                    + type(table, e.getKey()))
        .collect(Collectors.joining(" OR ", "(", ")"));
  }

  private static String type(TableInfo table, String column) {
    return table
        .column(column)
        .orElseThrow(
            () -> new IllegalStateException("column " + column + " is not in " + table.name()))
        .type();
  }
}
