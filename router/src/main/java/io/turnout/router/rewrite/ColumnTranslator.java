package io.turnout.router.rewrite;

import io.turnout.config.catalog.ColumnInfo;
import io.turnout.router.analysis.RangeVar;
import io.turnout.router.rewrite.View.Side;

/**
 * Re-expresses a managed column in the side the view asks for: the plan's derivation over the other
 * side's columns, cast back to the column's own type so that the client sees what it would have
 * read.
 */
final class ColumnTranslator {
  private final View view;

  ColumnTranslator(View view) {
    this.view = view;
  }

  /** True when the view wants {@code column} of {@code p} expressed in the other side. */
  boolean needsTranslation(ColumnPlan p, String column) {
    Side side = view.side(p);
    return (side == Side.OLD && p.isNew(column)) || (side == Side.NEW && p.isOld(column));
  }

  /**
   * The expression for managed column {@code col} of {@code v} over the other side's columns,
   * qualified with {@code qualifier} (null: unqualified), cast back to the column's own type.
   */
  String translation(RangeVar v, ColumnPlan p, String col, String qualifier) {
    Template t = p.derivation(col);
    String rendered =
        t.render(
            other ->
                qualifier == null ? SqlText.ident(other) : qualifier + "." + SqlText.ident(other));
    if (p.isRename()) {
      ColumnInfo mine = v.table().column(col).orElse(null);
      ColumnInfo theirs = v.table().column(t.columns().iterator().next()).orElse(null);
      if (mine != null && theirs != null && !mine.type().equals(theirs.type())) {
        return SqlText.cast(rendered, mine.type());
      }
      return rendered;
    }
    ColumnInfo mine = v.table().column(col).orElse(null);
    return mine == null ? SqlText.paren(rendered) : SqlText.cast(rendered, mine.type());
  }

  /** The current value of a managed column of the target row, in the authoritative columns. */
  String currentValue(RangeVar target, ColumnPlan p, String col, String q) {
    if (needsTranslation(p, col)) {
      return translation(target, p, col, q);
    }
    return q + "." + SqlText.ident(col);
  }
}
