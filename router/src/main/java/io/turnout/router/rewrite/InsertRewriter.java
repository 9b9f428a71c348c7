package io.turnout.router.rewrite;

import io.turnout.router.analysis.RangeVar;
import io.turnout.router.analysis.Scope;
import io.turnout.router.analysis.Unanalysable;
import io.turnout.router.lexical.SqlTokens;
import java.util.ArrayList;
import java.util.List;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.insert.InsertConflictAction;
import net.sf.jsqlparser.statement.insert.InsertConflictTarget;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.Values;

/**
 * Rewrites an INSERT: its source rows, ON CONFLICT and RETURNING, and, on a managed table, the
 * dual-write of the columns it writes (and of the ON CONFLICT DO UPDATE SET list).
 */
final class InsertRewriter {
  private final RewriteContext cx;
  private final StatementWalker statements;
  private final FromClauseRewriter from;
  private final ExpressionRewriter expressions;
  private final SelectListRewriter selectList;
  private final SetListRewriter setLists;
  private final InsertValuesRewriter valuesRewriter;
  private final InsertSelectRewriter selectRewriter;

  InsertRewriter(
      RewriteContext cx,
      StatementWalker statements,
      FromClauseRewriter from,
      ExpressionRewriter expressions,
      SelectListRewriter selectList,
      SetListRewriter setLists) {
    this.cx = cx;
    this.statements = statements;
    this.from = from;
    this.expressions = expressions;
    this.selectList = selectList;
    this.setLists = setLists;
    this.valuesRewriter = new InsertValuesRewriter(cx);
    this.selectRewriter = new InsertSelectRewriter(cx);
  }

  /** Walks an INSERT; returns its RETURNING labels (empty without, null when unknown). */
  List<String> insert(Insert ins, Scope outer) {
    Scope scope = new Scope(outer);
    statements.withItems(ins.getWithItemsList(), scope);
    RangeVar target = from.tableVar(ins.getTable(), true, scope);
    List<String> columns = new ArrayList<>();
    boolean implicitColumns = ins.getColumns() == null || ins.getColumns().isEmpty();
    if (!implicitColumns) {
      for (Column c : ins.getColumns()) {
        cx.coverage().markSeen(c);
        columns.add(ColumnNames.of(c));
      }
    } else if (target.table() != null) {
      // Without a column list the values fill the old shape's first columns, in order.
      List<String> shape = StarRewriter.shape(target);
      int n = shape.size();
      if (ins.getSelect() instanceof Values v) {
        List<List<Expression>> r = QueryRewriter.rows(v);
        n = r.isEmpty() ? 0 : Math.min(n, r.get(0).size());
      } else if (ins.getSelect() instanceof PlainSelect ps && !hasStar(ps)) {
        n = Math.min(n, ps.getSelectItems().size());
      }
      columns.addAll(shape.subList(0, n));
    }

    // Source rows: VALUES, a query, or DEFAULT VALUES.
    Values values = ins.getSelect() instanceof Values v ? v : null;
    Select query = values == null ? ins.getSelect() : null;
    List<List<Expression>> rows = null;
    if (values != null) {
      rows = QueryRewriter.rows(values);
      statements.values(values, scope);
    } else if (query != null) {
      statements.query(query, scope);
    }

    // ON CONFLICT and RETURNING see the target (and EXCLUDED).
    Scope targetScope = new Scope(scope);
    targetScope.add(target);
    InsertConflictTarget ct = ins.getConflictTarget();
    if (ct != null) {
      markConflictTarget(ins);
      if (ct.getWhereExpression() != null) {
        expressions.expr(ct.getWhereExpression(), targetScope);
      }
      if (ct.getIndexExpression() != null) {
        expressions.expr(ct.getIndexExpression(), targetScope);
      }
    }
    InsertConflictAction action = ins.getConflictAction();
    Scope conflictScope = new Scope(scope);
    conflictScope.add(target);
    if (target.table() != null) {
      conflictScope.add(
          new RangeVar(
              "excluded",
              null,
              "excluded",
              target.table(),
              target.plans(),
              target.columns(),
              false));
    }
    List<SetItem> conflictItems = null;
    if (action != null && action.getUpdateSets() != null && !action.getUpdateSets().isEmpty()) {
      conflictItems = setLists.setItems(action.getUpdateSets(), conflictScope);
      if (action.getWhereExpression() != null) {
        expressions.expr(action.getWhereExpression(), conflictScope);
      }
    }
    List<String> out = selectList.returning(ins.getReturningClause(), targetScope);

    if (target.isManaged()) {
      dualWrite(ins, target, columns, implicitColumns, rows, values, query);
      if (conflictItems != null) {
        SetListDualWrite.apply(cx, conflictItems, target);
      }
    }
    return out;
  }

  private void dualWrite(
      Insert ins,
      RangeVar target,
      List<String> columns,
      boolean implicitColumns,
      List<List<Expression>> rows,
      Values values,
      Select query) {
    InsertDualWrite w = InsertDualWrite.plan(cx, ins, target, columns, implicitColumns);
    if (w == null) {
      return;
    }
    if (ins.isOnlyDefaultValues()) {
      throw new Unanalysable("INSERT … DEFAULT VALUES on a table with a dual-write");
    }
    if (values != null) {
      valuesRewriter.rewrite(w, rows, values);
    } else if (query != null) {
      selectRewriter.rewrite(w, query);
    }
  }

  /** ON CONFLICT (col, …) infers an index by column name; both sides carry indexes. */
  private void markConflictTarget(Insert ins) {
    SqlTokens tokens = cx.tokens();
    int[] tableSpan = cx.spans().of(ins.getTable());
    for (int i = tokens.indexAtOrAfter(tableSpan[1]); i + 2 < tokens.size(); i++) {
      if (tokens.isKeyword(i, "on") && tokens.isKeyword(i + 1, "conflict")) {
        int j = i + 2;
        if (tokens.kind(j) == SqlTokens.LPAREN) {
          int depth = 0;
          for (; j < tokens.size(); j++) {
            if (tokens.kind(j) == SqlTokens.LPAREN) {
              depth++;
            } else if (tokens.kind(j) == SqlTokens.RPAREN && --depth == 0) {
              break;
            } else if (tokens.isIdentifier(j)) {
              cx.coverage().markToken(j);
            }
          }
        }
        return;
      }
    }
  }

  private static boolean hasStar(PlainSelect ps) {
    for (SelectItem<?> i : ps.getSelectItems()) {
      if (i.getExpression() instanceof AllColumns) {
        return true;
      }
    }
    return false;
  }
}
