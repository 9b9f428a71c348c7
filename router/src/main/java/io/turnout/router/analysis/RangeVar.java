package io.turnout.router.analysis;

import io.turnout.config.catalog.TableInfo;
import io.turnout.router.rewrite.ColumnPlan;
import java.util.List;

/**
 * One entry of a FROM list (or a DML target) as name resolution sees it: a base table with its
 * catalog columns, or a derived table, CTE, VALUES list or function with the columns it is known to
 * produce ({@code null} when unknown).
 *
 * @param name the folded name a qualified reference uses (the alias, else the table's name)
 * @param schema the folded schema when the table is referenced unaliased, for {@code
 *     schema.table.column}; else {@code null}
 * @param qualifier SQL text that qualifies a generated column reference (the alias or the table as
 *     written)
 * @param table the base table, or {@code null}
 * @param plans active column migrations on the base table (empty when none)
 * @param columns the folded column names it produces, or {@code null} when unknown
 * @param target true for the table an INSERT, UPDATE or DELETE writes
 */
public record RangeVar(
    String name,
    String schema,
    String qualifier,
    TableInfo table,
    List<ColumnPlan> plans,
    List<String> columns,
    boolean target) {

  public boolean isManaged() {
    return !plans.isEmpty();
  }

  public boolean hasColumn(String column) {
    return columns != null && columns.contains(column);
  }

  /** The plan that manages {@code column} on this table, or {@code null}. */
  public ColumnPlan planFor(String column) {
    for (ColumnPlan p : plans) {
      if (p.manages(column)) {
        return p;
      }
    }
    return null;
  }
}
