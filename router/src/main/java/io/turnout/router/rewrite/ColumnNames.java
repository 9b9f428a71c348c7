package io.turnout.router.rewrite;

import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.schema.Column;

/** How a column reference is written in the parse tree: its folded name, qualifier and quoting. */
final class ColumnNames {
  private ColumnNames() {}

  /** The column's name as PostgreSQL folds it. */
  static String of(Column c) {
    return SqlText.fold(c.getColumnName());
  }

  /** True when the reference is unqualified. */
  static boolean isBare(Column c) {
    return c.getTable() == null || c.getTable().getName() == null;
  }

  static boolean isQuoted(Column c) {
    return c.getColumnName().startsWith("\"");
  }

  /**
   * True for the keyword {@code DEFAULT} in a VALUES row or SET list, which the parser reads as a
   * column; {@code "default"} quoted is a column.
   */
  static boolean isDefaultKeyword(Expression e) {
    return e instanceof Column c && isBare(c) && "default".equals(of(c)) && !isQuoted(c);
  }
}
