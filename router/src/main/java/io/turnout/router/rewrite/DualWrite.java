package io.turnout.router.rewrite;

import io.turnout.config.catalog.TableInfo;
import io.turnout.router.rewrite.StatementRewriter.Rejected;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one migration's dual-write needs for a write (INSERT, or a SET list) that assigns some
 * columns of its table: the assigned columns it derives from, and the columns to derive from them
 * (the new ones from old sources, the old ones from new sources).
 *
 * @param sources the assigned columns of the side written, in the order assigned; empty when the
 *     write assigns none of the plan's columns (then the old side counts as written)
 * @param derived the columns of the other side
 */
record DualWrite(ColumnPlan plan, Set<String> sources, List<String> derived) {

  /**
   * The dual-write {@code plan} needs for a write assigning {@code assigned}, or null when it needs
   * none: the view does not dual-write the plan, or the write assigns both sides in full.
   *
   * @throws Rejected when the write assigns a new column before dual-write is on, or mixes old and
   *     new columns without assigning all of both
   */
  static DualWrite of(ColumnPlan plan, List<String> assigned, View view) {
    if (!view.dualWrites(plan)) {
      for (String c : assigned) {
        if (plan.isNew(c)) {
          throw new Rejected(plan, "writes new column " + c + " but dual-write is not on yet");
        }
      }
      return null;
    }
    Set<String> aOld = intersect(assigned, plan.oldColumns());
    Set<String> aNew = intersect(assigned, plan.newColumns());
    if (!aOld.isEmpty() && !aNew.isEmpty()) {
      if (aOld.size() == plan.oldColumns().size() && aNew.size() == plan.newColumns().size()) {
        return null;
      }
      throw mixed(plan, aOld, aNew);
    }
    boolean fromOld = !aOld.isEmpty() || aNew.isEmpty();
    return new DualWrite(
        plan, fromOld ? aOld : aNew, fromOld ? plan.newColumns() : plan.oldColumns());
  }

  /** True when the write assigns none of the plan's columns. */
  boolean assignsNone() {
    return sources.isEmpty();
  }

  /**
   * @throws Rejected when a column to derive is not in {@code table} yet
   */
  void requireDerivedColumns(TableInfo table) {
    for (String d : derived) {
      if (table.column(d).isEmpty()) {
        throw new Rejected(plan, "column " + d + " does not exist yet (run expand first)");
      }
    }
  }

  private static Set<String> intersect(List<String> a, List<String> b) {
    Set<String> out = new LinkedHashSet<>();
    for (String x : a) {
      if (b.contains(x)) {
        out.add(x);
      }
    }
    return out;
  }

  private static Rejected mixed(ColumnPlan p, Set<String> aOld, Set<String> aNew) {
    return new Rejected(
        p,
        "writes old column(s) "
            + aOld
            + " and new column(s) "
            + aNew
            + " together; write all old columns "
            + p.oldColumns()
            + " or all new columns "
            + p.newColumns()
            + ", not a mix");
  }
}
