package io.turnout.router.rewrite;

import io.turnout.router.analysis.Scope;
import io.turnout.router.analysis.Unanalysable;
import java.util.ArrayList;
import java.util.List;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.WindowDefinition;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.select.Distinct;
import net.sf.jsqlparser.statement.select.Fetch;
import net.sf.jsqlparser.statement.select.GroupByElement;
import net.sf.jsqlparser.statement.select.Limit;
import net.sf.jsqlparser.statement.select.Offset;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.Values;

/**
 * Rewrites a query (SELECT, set operation, VALUES) clause by clause and works out its output
 * labels, which enclosing queries resolve references against and ORDER BY / GROUP BY may name.
 */
final class QueryRewriter {
  private final RewriteContext cx;
  private final StatementWalker statements;
  private final FromClauseRewriter from;
  private final ExpressionRewriter expressions;
  private final SelectListRewriter selectList;
  private final ColumnRewriter columns;

  QueryRewriter(
      RewriteContext cx,
      StatementWalker statements,
      FromClauseRewriter from,
      ExpressionRewriter expressions,
      SelectListRewriter selectList,
      ColumnRewriter columns) {
    this.cx = cx;
    this.statements = statements;
    this.from = from;
    this.expressions = expressions;
    this.selectList = selectList;
    this.columns = columns;
  }

  /** Walks a query; returns its output column labels, or null when unknown. */
  List<String> select(Select s, Scope outer) {
    Scope scope = outer;
    if (s.getWithItemsList() != null && !s.getWithItemsList().isEmpty()) {
      scope = new Scope(outer);
      statements.withItems(s.getWithItemsList(), scope);
    }
    List<String> out;
    if (s instanceof PlainSelect ps) {
      out = plainSelect(ps, scope);
      return out;
    } else if (s instanceof SetOperationList sol) {
      out = null;
      for (Select branch : sol.getSelects()) {
        List<String> b = select(branch, scope);
        if (out == null) {
          out = b;
        }
      }
    } else if (s instanceof ParenthesedSelect ps) {
      out = select(ps.getSelect(), scope);
    } else if (s instanceof Values v) {
      out = values(v, scope);
    } else {
      throw new Unanalysable(s.getClass().getSimpleName() + " queries are not analysed");
    }
    // ORDER BY / LIMIT of a set operation or parenthesised query refer to its output only.
    Scope outputOnly = new Scope(scope);
    orderBy(s.getOrderByElements(), outputOnly, out, true);
    limits(s, scope);
    return out;
  }

  /** Walks a VALUES list; returns its labels, {@code column1} … */
  List<String> values(Values v, Scope scope) {
    List<List<Expression>> rows = rows(v);
    for (List<Expression> row : rows) {
      for (Expression e : row) {
        expressions.expr(e, scope);
      }
    }
    List<String> out = new ArrayList<>();
    int n = rows.isEmpty() ? 0 : rows.get(0).size();
    for (int i = 1; i <= n; i++) {
      out.add("column" + i);
    }
    return out;
  }

  /** The rows of a VALUES list, each as its list of expressions. */
  static List<List<Expression>> rows(Values v) {
    List<List<Expression>> rows = new ArrayList<>();
    ExpressionList<?> list = v.getExpressions();
    if (list instanceof ParenthesedExpressionList<?> single) {
      rows.add(new ArrayList<>(single));
      return rows;
    }
    for (Expression e : list) {
      if (e instanceof ParenthesedExpressionList<?> row) {
        rows.add(new ArrayList<>(row));
      } else {
        rows.add(List.of(e));
      }
    }
    return rows;
  }

  private List<String> plainSelect(PlainSelect ps, Scope outer) {
    Scope scope = new Scope(outer);
    if (ps.getFromItem() != null) {
      from.fromItem(ps.getFromItem(), scope);
    }
    from.joins(ps.getJoins(), scope);

    List<String> labels = new ArrayList<>();
    boolean labelsKnown = true;
    for (SelectItem<?> item : ps.getSelectItems()) {
      List<String> l = selectList.selectItem(item, scope);
      if (l == null) {
        labelsKnown = false;
      } else {
        labels.addAll(l);
      }
    }
    if (ps.getWhere() != null) {
      expressions.expr(ps.getWhere(), scope);
    }
    Distinct distinct = ps.getDistinct();
    if (distinct != null && distinct.getOnSelectItems() != null) {
      for (SelectItem<?> si : distinct.getOnSelectItems()) {
        expressions.expr(si.getExpression(), scope);
      }
    }
    GroupByElement g = ps.getGroupBy();
    if (g != null) {
      if (g.getGroupByExpressionList() != null) {
        for (Object o : g.getGroupByExpressionList()) {
          groupByExpr((Expression) o, scope, labels);
        }
      }
      if (g.getGroupingSets() != null) {
        for (ExpressionList<?> set : g.getGroupingSets()) {
          for (Expression e : set) {
            groupByExpr(e, scope, labels);
          }
        }
      }
    }
    if (ps.getHaving() != null) {
      expressions.expr(ps.getHaving(), scope);
    }
    if (ps.getQualify() != null) {
      expressions.expr(ps.getQualify(), scope);
    }
    if (ps.getWindowDefinitions() != null) {
      for (WindowDefinition w : ps.getWindowDefinitions()) {
        expressions.windowDefinition(w, scope);
      }
    }
    orderBy(ps.getOrderByElements(), scope, labelsKnown ? labels : null, false);
    limits(ps, scope);
    return labelsKnown ? labels : null;
  }

  private void limits(Select s, Scope scope) {
    Limit limit = s.getLimit();
    if (limit != null) {
      if (limit.getRowCount() != null) {
        expressions.expr(limit.getRowCount(), scope);
      }
      if (limit.getOffset() != null) {
        expressions.expr(limit.getOffset(), scope);
      }
    }
    Offset offset = s.getOffset();
    if (offset != null && offset.getOffset() != null) {
      expressions.expr(offset.getOffset(), scope);
    }
    Fetch fetch = s.getFetch();
    if (fetch != null && fetch.getExpression() != null) {
      expressions.expr(fetch.getExpression(), scope);
    }
  }

  /**
   * ORDER BY: a bare name that matches an output label refers to the output column (whose label the
   * rewrite preserves), otherwise to an input column.
   */
  private void orderBy(
      List<OrderByElement> elements, Scope scope, List<String> labels, boolean outputOnly) {
    if (elements == null) {
      return;
    }
    for (OrderByElement o : elements) {
      Expression e = o.getExpression();
      if (e instanceof Column c
          && ColumnNames.isBare(c)
          && labels != null
          && labels.contains(ColumnNames.of(c))) {
        cx.coverage().markSeen(c);
        continue;
      }
      if (outputOnly) {
        cx.coverage().markSeenDeep(e);
        continue;
      }
      expressions.expr(e, scope);
    }
  }

  /** GROUP BY: an input column wins over an output label of the same name. */
  private void groupByExpr(Expression e, Scope scope, List<String> labels) {
    if (e instanceof Column c
        && ColumnNames.isBare(c)
        && columns.resolveBare(ColumnNames.of(c), scope) == null
        && labels.contains(ColumnNames.of(c))) {
      cx.coverage().markSeen(c);
      return;
    }
    expressions.expr(e, scope);
  }
}
