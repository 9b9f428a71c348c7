package io.turnout.router.rewrite;

import net.sf.jsqlparser.expression.CaseExpression;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.CollateExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.RowGetExpression;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Column;

/**
 * The label PostgreSQL gives an unaliased select item, which the rewrite must keep when it replaces
 * the item's expression (see FigureColname in parse_target.c).
 */
final class SelectLabels {
  private SelectLabels() {}

  /** The column whose name becomes the label of an unaliased select item, or null. */
  static Column labelColumn(Expression e) {
    if (e instanceof Column c) {
      return c;
    }
    if (e instanceof CastExpression ce) {
      return labelColumn(ce.getLeftExpression());
    }
    if (e instanceof CollateExpression ce) {
      return labelColumn(ce.getLeftExpression());
    }
    if (e instanceof ParenthesedExpressionList<?> pl && pl.size() == 1) {
      return labelColumn(pl.get(0));
    }
    return null;
  }

  /** PostgreSQL's FigureColname for the forms applications use. */
  static String figureLabel(Expression e) {
    if (e instanceof Function f && f.getName() != null) {
      String n = f.getName();
      int dot = n.lastIndexOf('.');
      return SqlText.fold(dot >= 0 ? n.substring(dot + 1) : n);
    }
    if (e instanceof CastExpression ce) {
      return figureLabel(ce.getLeftExpression());
    }
    if (e instanceof CaseExpression) {
      return "case";
    }
    if (e instanceof RowGetExpression r) {
      return SqlText.fold(r.getColumnName());
    }
    return "?column?";
  }
}
