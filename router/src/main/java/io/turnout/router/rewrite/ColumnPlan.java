package io.turnout.router.rewrite;

import io.turnout.config.plan.Migration;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.TransformColumn;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A column migration as the rewriter needs it: the old and the new columns of one table, and for
 * every one of them an expression over the other side. A rename is the special case where both
 * expressions are the other column itself.
 */
public final class ColumnPlan {
  private final Migration migration;
  private final List<String> oldColumns;
  private final List<String> newColumns;
  private final Map<String, Template> derivation;
  private final boolean rename;

  private ColumnPlan(
      Migration migration,
      List<String> oldColumns,
      List<String> newColumns,
      Map<String, Template> derivation,
      boolean rename) {
    this.migration = migration;
    this.oldColumns = List.copyOf(oldColumns);
    this.newColumns = List.copyOf(newColumns);
    this.derivation = Map.copyOf(derivation);
    this.rename = rename;
  }

  /**
   * Builds the plan of a migration.
   *
   * @throws IllegalArgumentException when a forward/backward expression does not parse or reads a
   *     column of the wrong side
   */
  public static ColumnPlan of(Migration migration) {
    if (migration instanceof RenameColumn r) {
      // Plan names are already folded (see TableName), so they compare with folded SQL names.
      String from = r.from();
      String to = r.to();
      return new ColumnPlan(
          migration,
          List.of(from),
          List.of(to),
          Map.of(to, Template.column(from), from, Template.column(to)),
          true);
    }
    TransformColumn t = (TransformColumn) migration;
    Map<String, Template> d = new LinkedHashMap<>();
    for (String col : t.newColumns()) {
      String expr = t.forward().get(col);
      if (expr == null) {
        throw new IllegalArgumentException(
            "migration " + t.id() + ": no forward expression for new column " + col);
      }
      Template tpl = Template.parse(expr);
      requireSubset(t.id(), "forward." + col, tpl, t.oldColumns());
      d.put(col, tpl);
    }
    for (String col : t.oldColumns()) {
      String expr = t.backward().get(col);
      if (expr == null) {
        throw new IllegalArgumentException(
            "migration " + t.id() + ": no backward expression for old column " + col);
      }
      Template tpl = Template.parse(expr);
      requireSubset(t.id(), "backward." + col, tpl, t.newColumns());
      d.put(col, tpl);
    }
    return new ColumnPlan(migration, t.oldColumns(), t.newColumns(), d, false);
  }

  private static void requireSubset(String id, String where, Template t, List<String> allowed) {
    for (String c : t.columns()) {
      if (!allowed.contains(c)) {
        throw new IllegalArgumentException(
            "migration " + id + ": " + where + " reads column " + c + ", expected only " + allowed);
      }
    }
  }

  public Migration migration() {
    return migration;
  }

  public String id() {
    return migration.id();
  }

  public TableName table() {
    return migration.table();
  }

  /** The plan file's {@code kind}. */
  public String kind() {
    return rename ? "rename_column" : "transform_column";
  }

  public boolean isRename() {
    return rename;
  }

  public List<String> oldColumns() {
    return oldColumns;
  }

  public List<String> newColumns() {
    return newColumns;
  }

  public boolean isOld(String column) {
    return oldColumns.contains(column);
  }

  public boolean isNew(String column) {
    return newColumns.contains(column);
  }

  public boolean manages(String column) {
    return isOld(column) || isNew(column);
  }

  /** The expression for {@code column} over the other side's columns. */
  public Template derivation(String column) {
    Template t = derivation.get(column);
    if (t == null) {
      throw new IllegalArgumentException(column + " is not managed by " + id());
    }
    return t;
  }

  @Override
  public String toString() {
    return id() + " " + oldColumns + " -> " + newColumns;
  }
}
