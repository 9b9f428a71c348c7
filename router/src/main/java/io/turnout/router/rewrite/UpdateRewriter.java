package io.turnout.router.rewrite;

import io.turnout.router.analysis.RangeVar;
import io.turnout.router.analysis.Scope;
import java.util.List;
import net.sf.jsqlparser.statement.update.Update;

/** Rewrites an UPDATE and, on a managed table, adds the dual-write to its SET list. */
final class UpdateRewriter {
  private final RewriteContext cx;
  private final StatementWalker statements;
  private final FromClauseRewriter from;
  private final ExpressionRewriter expressions;
  private final SelectListRewriter selectList;
  private final SetListRewriter setLists;

  UpdateRewriter(
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
  }

  /** Walks an UPDATE; returns its RETURNING labels (empty without, null when unknown). */
  List<String> update(Update u, Scope outer) {
    // The CTEs get a level of their own around the target's and FROM list's, as in a query, so
    // that a sub-query in FROM, which sees neither of those, still sees them.
    Scope with = new Scope(outer);
    statements.withItems(u.getWithItemsList(), with);
    Scope scope = new Scope(with);
    RangeVar target = from.tableVar(u.getTable(), true, scope);
    scope.add(target);
    if (u.getFromItem() != null) {
      from.fromItem(u.getFromItem(), scope);
    }
    from.joins(u.getJoins(), scope);
    List<SetItem> items = setLists.setItems(u.getUpdateSets(), scope);
    if (u.getWhere() != null) {
      expressions.expr(u.getWhere(), scope);
    }
    List<String> out = selectList.returning(u.getReturningClause(), scope);
    if (target.isManaged()) {
      SetListDualWrite.apply(cx, items, target);
    }
    return out;
  }
}
