package io.turnout.router.rewrite;

import io.turnout.config.catalog.ColumnInfo;
import io.turnout.router.analysis.Unanalysable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * Adds the dual-write to {@code INSERT … SELECT}: the derived values appended to a simple select
 * list, or the query wrapped in a select that evaluates its rows once and derives from them.
 */
final class InsertSelectRewriter {
  private final RewriteContext cx;
  private final ColumnValues values;

  InsertSelectRewriter(RewriteContext cx) {
    this.cx = cx;
    this.values = new ColumnValues(cx);
  }

  void rewrite(InsertDualWrite w, Select query) {
    if (query instanceof PlainSelect ps
        && w.synthetic().isEmpty()
        && query.getWithItemsList() == null
        && appendToSelectList(w, ps)) {
      return;
    }
    if (!w.synthetic().isEmpty()) {
      throw new Unanalysable("INSERT … SELECT with a volatile default on a managed column");
    }
    List<String> columns = w.columns();
    // Inside a sub-select an untyped literal or parameter resolves to text, where INSERT …
    // SELECT would have given it the target column's type: cast those to keep that.
    if (query instanceof PlainSelect ps && ps.getSelectItems().size() == columns.size()) {
      for (int i = 0; i < columns.size(); i++) {
        SelectItem<?> item = ps.getSelectItems().get(i);
        ColumnInfo ci = w.column(columns.get(i));
        if (ci != null && ColumnValues.isUntyped(item.getExpression())) {
          int[] span = cx.spans().withoutAlias(item);
          cx.edits()
              .replace(
                  span[0],
                  span[1],
                  SqlText.cast(cx.edits().render(span[0], span[1]), SqlText.baseType(ci.type())));
        }
      }
    }
    int[] qspan = cx.spans().of(query);
    String inner = cx.edits().render(qspan[0], qspan[1]);
    SingleEvaluation once =
        new SingleEvaluation(SingleEvaluation.SELECT_ALIAS, w.allColumns().size());
    String sel = once.select(w.derivedValues(null, once.refs()), "(" + inner + ")");
    w.appendColumns();
    cx.edits().replace(qspan[0], qspan[1], sel);
  }

  /**
   * Appends the derived values to a select list of one stable item per column; returns false,
   * changing nothing, when the list is not that.
   */
  private boolean appendToSelectList(InsertDualWrite w, PlainSelect ps) {
    List<String> columns = w.columns();
    Set<String> used = w.usedColumns();
    List<SelectItem<?>> items = ps.getSelectItems();
    if (items.size() != columns.size()) {
      return false;
    }
    List<WrittenValue> vs = new ArrayList<>();
    boolean simple = true;
    for (int i = 0; i < items.size(); i++) {
      Expression e = items.get(i).getExpression();
      if (e instanceof AllColumns) {
        return false;
      }
      WrittenValue v =
          values.of(e, cx.spans().withoutAlias(items.get(i)), w.column(columns.get(i)));
      if (used.contains(columns.get(i)) && !v.stable()) {
        simple = false;
      }
      vs.add(v);
    }
    if (!simple) {
      return false;
    }
    StringBuilder b = new StringBuilder();
    for (String d : w.derivedValues(vs, null)) {
      b.append(", ").append(d);
    }
    int[] last = cx.spans().of(items.get(items.size() - 1));
    cx.edits().insert(last[1], b.toString());
    w.appendColumns();
    return true;
  }
}
