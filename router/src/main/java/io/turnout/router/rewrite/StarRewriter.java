package io.turnout.router.rewrite;

import io.turnout.router.analysis.RangeVar;
import io.turnout.router.analysis.Scope;
import io.turnout.router.analysis.Unanalysable;
import java.util.ArrayList;
import java.util.List;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;

/**
 * Keeps {@code *} and {@code t.*} in the old shape: the client sees the columns it was written for,
 * with new columns hidden and managed columns re-expressed where the view reads the other side; a
 * managed table's {@code *} is always spelt out.
 */
final class StarRewriter {
  private final RewriteContext cx;
  private final ColumnTranslator translator;

  StarRewriter(RewriteContext cx) {
    this.cx = cx;
    this.translator = new ColumnTranslator(cx.view());
  }

  /** Rewrites {@code *}; returns its output labels, or null when one of them is unknown. */
  List<String> star(AllColumns ac, Scope scope) {
    cx.coverage().markSeen(ac);
    boolean needsExpansion = false;
    List<String> labels = new ArrayList<>();
    boolean known = true;
    for (RangeVar v : scope.vars()) {
      if (v.isManaged() && spellsOut(v)) {
        needsExpansion = true;
      }
      List<String> shape = shape(v);
      if (shape == null) {
        known = false;
      } else {
        labels.addAll(shape);
      }
    }
    if (needsExpansion) {
      if (scope.hasUsingJoin()) {
        throw new Unanalysable("* over a JOIN … USING with a managed table");
      }
      List<String> parts = new ArrayList<>();
      for (RangeVar v : scope.vars()) {
        parts.add(v.isManaged() ? expandStar(v) : v.qualifier() + ".*");
      }
      int[] span = cx.spans().of(ac);
      cx.edits().replace(span[0], span[1], String.join(", ", parts));
    }
    return known ? labels : null;
  }

  /** Rewrites {@code t.*}; returns its output labels, or null when unknown. */
  List<String> tableStar(AllTableColumns atc, Scope scope) {
    cx.coverage().markSeen(atc);
    Table t = atc.getTable();
    String schema = t.getSchemaName() == null ? null : SqlText.fold(t.getSchemaName());
    RangeVar v = scope.byName(schema, SqlText.fold(t.getName()));
    if (v == null) {
      return null;
    }
    if (v.isManaged() && spellsOut(v)) {
      int[] span = cx.spans().of(atc);
      cx.edits().replace(span[0], span[1], expandStar(v));
    }
    return shape(v);
  }

  /** The columns {@code *} of this range variable shows the client: new columns hidden. */
  static List<String> shape(RangeVar v) {
    if (v.columns() == null) {
      return null;
    }
    if (!v.isManaged()) {
      return v.columns();
    }
    List<String> out = new ArrayList<>();
    for (String c : v.columns()) {
      if (!isHidden(v, c)) {
        out.add(c);
      }
    }
    return out;
  }

  private static boolean isHidden(RangeVar v, String column) {
    for (ColumnPlan p : v.plans()) {
      if (p.isNew(column)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code *} over {@code v} is spelt out: always for a managed table whose columns are
   * known, even when nothing would show through today, because the catalog decisions are made with
   * lags behind DDL — expand adds the new columns after {@code expanded} is published, and a {@code
   * *} passed as written would start returning them (and a prepared statement's shape would change
   * under its client).
   */
  private static boolean spellsOut(RangeVar v) {
    return v.columns() != null;
  }

  private String expandStar(RangeVar v) {
    StringBuilder b = new StringBuilder();
    for (String c : shape(v)) {
      if (b.length() > 0) {
        b.append(", ");
      }
      ColumnPlan p = v.planFor(c);
      String q = v.qualifier() + "." + SqlText.ident(c);
      if (p != null && translator.needsTranslation(p, c)) {
        b.append(translator.translation(v, p, c, v.qualifier()))
            .append(" AS ")
            .append(SqlText.ident(c));
        cx.applied(p);
      } else {
        b.append(q);
      }
    }
    for (ColumnPlan p : v.plans()) {
      cx.applied(p);
    }
    return b.toString();
  }
}
