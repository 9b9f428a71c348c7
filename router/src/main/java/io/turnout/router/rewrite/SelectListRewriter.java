package io.turnout.router.rewrite;

import io.turnout.router.analysis.ParsedStatement;
import io.turnout.router.analysis.Scope;
import java.util.ArrayList;
import java.util.List;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.ReturningClause;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * Rewrites a select list or RETURNING list item by item, keeping each item's output label: an
 * unaliased column that the rewrite replaces gets its old name as an alias.
 */
final class SelectListRewriter {
  private final RewriteContext cx;
  private final ExpressionRewriter expressions;
  private final StarRewriter stars;

  SelectListRewriter(RewriteContext cx, ExpressionRewriter expressions) {
    this.cx = cx;
    this.expressions = expressions;
    this.stars = new StarRewriter(cx);
  }

  /** Walks one select item; returns its output labels (several for a star) or null if unknown. */
  List<String> selectItem(SelectItem<?> item, Scope scope) {
    Expression e = item.getExpression();
    if (e instanceof AllTableColumns atc) {
      return stars.tableStar(atc, scope);
    }
    if (e instanceof AllColumns ac) {
      return stars.star(ac, scope);
    }
    Column labelColumn = item.getAlias() == null ? SelectLabels.labelColumn(e) : null;
    boolean[] relabel = {false};
    expressions.expr(e, scope, c -> c == labelColumn, relabel);
    String label;
    if (item.getAlias() != null) {
      int[] span = ParsedStatement.span(item);
      if (span != null) {
        int last = cx.tokens().indexEndingAt(span[1]);
        if (last >= 0) {
          cx.coverage().markToken(last);
        }
      }
      label = SqlText.fold(item.getAlias().getName());
    } else if (labelColumn != null) {
      label = ColumnNames.of(labelColumn);
      if (relabel[0]) {
        int[] span = cx.spans().of(item);
        cx.edits().insert(span[1], " AS " + SqlText.ident(label));
      }
    } else {
      label = SelectLabels.figureLabel(e);
    }
    return List.of(label);
  }

  /** Walks a RETURNING list; returns its output labels, empty without one, null if unknown. */
  List<String> returning(ReturningClause r, Scope scope) {
    if (r == null) {
      return List.of();
    }
    List<String> labels = new ArrayList<>();
    for (SelectItem<?> item : r) {
      List<String> l = selectItem(item, scope);
      if (l == null) {
        return null;
      }
      labels.addAll(l);
    }
    return labels;
  }
}
