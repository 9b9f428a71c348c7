package io.turnout.router.rewrite;

import java.util.ArrayList;
import java.util.List;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;

/**
 * One item of a SET list ({@code a = x}, {@code (a, b) = (x, y)} or {@code (a, b) = (SELECT …)}):
 * its targets, its values or row sub-select, and where it and its values are in the text.
 */
final class SetItem {
  final List<Column> columns = new ArrayList<>();
  final List<Expression> values = new ArrayList<>();
  final List<int[]> valueSpans = new ArrayList<>();
  ParenthesedSelect rowSelect;
  int start;
  int end;

  /** The target columns' folded names, in order. */
  List<String> names() {
    List<String> out = new ArrayList<>();
    for (Column c : columns) {
      out.add(ColumnNames.of(c));
    }
    return out;
  }
}
