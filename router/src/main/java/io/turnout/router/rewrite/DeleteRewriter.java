package io.turnout.router.rewrite;

import io.turnout.router.analysis.RangeVar;
import io.turnout.router.analysis.Scope;
import java.util.List;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.select.FromItem;

/** Rewrites a DELETE: its USING list, WHERE and RETURNING. It writes nothing to dual-write. */
final class DeleteRewriter {
  private final StatementWalker statements;
  private final FromClauseRewriter from;
  private final ExpressionRewriter expressions;
  private final SelectListRewriter selectList;

  DeleteRewriter(
      StatementWalker statements,
      FromClauseRewriter from,
      ExpressionRewriter expressions,
      SelectListRewriter selectList) {
    this.statements = statements;
    this.from = from;
    this.expressions = expressions;
    this.selectList = selectList;
  }

  /** Walks a DELETE; returns its RETURNING labels (empty without, null when unknown). */
  List<String> delete(Delete d, Scope outer) {
    // The CTEs get a level of their own around the target's and USING list's, as in a query, so
    // that a sub-query in USING, which sees neither of those, still sees them.
    Scope with = new Scope(outer);
    statements.withItems(d.getWithItemsList(), with);
    Scope scope = new Scope(with);
    RangeVar target = from.tableVar(d.getTable(), true, scope);
    scope.add(target);
    if (d.getUsingFromItemList() != null) {
      for (FromItem fi : d.getUsingFromItemList()) {
        from.fromItem(fi, scope);
      }
    }
    from.joins(d.getJoins(), scope);
    if (d.getWhere() != null) {
      expressions.expr(d.getWhere(), scope);
    }
    return selectList.returning(d.getReturningClause(), scope);
  }
}
