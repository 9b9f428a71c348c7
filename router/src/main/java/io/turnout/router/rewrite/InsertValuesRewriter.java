package io.turnout.router.rewrite;

import io.turnout.router.analysis.Unanalysable;
import io.turnout.router.lexical.SqlTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.statement.select.Values;

/**
 * Adds the dual-write to {@code INSERT … VALUES}: the derived values appended to every row, or,
 * when a value they read is volatile, the rows evaluated once in a VALUES list the INSERT selects
 * from.
 */
final class InsertValuesRewriter {
  private final RewriteContext cx;
  private final ColumnValues values;

  InsertValuesRewriter(RewriteContext cx) {
    this.cx = cx;
    this.values = new ColumnValues(cx);
  }

  void rewrite(InsertDualWrite w, List<List<Expression>> rows, Values list) {
    List<String> columns = w.columns();
    List<String> allColumns = w.allColumns();
    // Every row's values as text, the slot values for the templates, and whether a used one is
    // volatile (then the values are evaluated once, in a VALUES list the INSERT selects from).
    List<List<WrittenValue>> rowValues = new ArrayList<>();
    boolean volatileUsed = !w.synthetic().isEmpty();
    Set<String> used = w.usedColumns();
    List<int[]> rowParens = rowParens(list, rows.size());
    for (int r = 0; r < rows.size(); r++) {
      List<Expression> row = rows.get(r);
      if (row.size() != columns.size()) {
        throw new Unanalysable(
            "VALUES row has " + row.size() + " values for " + columns.size() + " columns");
      }
      List<int[]> spans = cx.spans().elements(rowParens.get(r)[0]);
      if (spans.size() != row.size()) {
        throw new Unanalysable("VALUES row does not match its parse");
      }
      List<WrittenValue> vs = new ArrayList<>();
      for (int i = 0; i < row.size(); i++) {
        WrittenValue v = values.of(row.get(i), spans.get(i), w.column(columns.get(i)));
        vs.add(v);
        if (used.contains(columns.get(i)) && !v.stable()) {
          volatileUsed = true;
        }
      }
      for (String s : w.synthetic()) {
        vs.add(values.defaultOf(w.column(s)));
      }
      rowValues.add(vs);
    }
    if (!volatileUsed) {
      w.appendColumns();
      for (int r = 0; r < rows.size(); r++) {
        StringBuilder b = new StringBuilder();
        for (String d : w.derivedValues(rowValues.get(r), null)) {
          b.append(", ").append(d);
        }
        cx.edits().insert(cx.tokens().start(rowParens.get(r)[1]), b.toString());
      }
      return;
    }
    // Evaluate once: INSERT INTO t (cols…, derived…) SELECT v.c1…, derived(v.…) FROM (VALUES …) v
    StringBuilder rowsText = new StringBuilder();
    for (int r = 0; r < rowValues.size(); r++) {
      if (r > 0) {
        rowsText.append(", ");
      }
      rowsText.append('(');
      List<WrittenValue> vs = rowValues.get(r);
      for (int i = 0; i < vs.size(); i++) {
        if (i > 0) {
          rowsText.append(", ");
        }
        rowsText.append(ColumnValues.typed(vs.get(i), w.column(allColumns.get(i))));
      }
      rowsText.append(')');
    }
    SingleEvaluation once = new SingleEvaluation(SingleEvaluation.VALUES_ALIAS, allColumns.size());
    String sel = once.select(w.derivedValues(null, once.refs()), "(VALUES " + rowsText + ")");
    w.appendColumns();
    int[] vspan = cx.spans().of(list);
    cx.edits().replace(vspan[0], vspan[1], sel);
  }

  /** Token indexes of each VALUES row's opening and closing parenthesis. */
  private List<int[]> rowParens(Values list, int rowCount) {
    SqlTokens tokens = cx.tokens();
    int[] vspan = cx.spans().of(list);
    int i = tokens.indexStartingAt(vspan[0]);
    if (i < 0 || !tokens.isKeyword(i, "values")) {
      throw new Unanalysable("cannot find the VALUES list");
    }
    List<int[]> out = new ArrayList<>();
    i++;
    while (i < tokens.size() && tokens.kind(i) == SqlTokens.LPAREN && tokens.start(i) < vspan[1]) {
      int close = cx.spans().matching(i);
      out.add(new int[] {i, close});
      i = close + 1;
      if (i < tokens.size() && tokens.kind(i) == SqlTokens.COMMA) {
        i++;
      } else {
        break;
      }
    }
    if (out.size() != rowCount) {
      throw new Unanalysable("VALUES rows do not match their parse");
    }
    return out;
  }
}
