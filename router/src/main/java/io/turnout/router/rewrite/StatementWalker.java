package io.turnout.router.rewrite;

import io.turnout.router.analysis.Scope;
import io.turnout.router.analysis.Unanalysable;
import java.util.ArrayList;
import java.util.List;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.delete.ParenthesedDelete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.insert.ParenthesedInsert;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.update.ParenthesedUpdate;
import net.sf.jsqlparser.statement.update.Update;

/**
 * Dispatches a statement, a WITH item or a nested query to the rewriter of its kind. Statements
 * nest both ways (a query in an INSERT, an INSERT in a WITH item of a query), so the rewriters
 * reach each other through here.
 */
final class StatementWalker {
  private final QueryRewriter queries;
  private final InsertRewriter inserts;
  private final UpdateRewriter updates;
  private final DeleteRewriter deletes;

  StatementWalker(RewriteContext cx) {
    ColumnRewriter columns = new ColumnRewriter(cx);
    ExpressionRewriter expressions = new ExpressionRewriter(cx, columns, this);
    FromClauseRewriter from = new FromClauseRewriter(cx, expressions, this);
    SelectListRewriter selectList = new SelectListRewriter(cx, expressions);
    SetListRewriter setLists = new SetListRewriter(cx, expressions, this);
    this.queries = new QueryRewriter(cx, this, from, expressions, selectList, columns);
    this.inserts = new InsertRewriter(cx, this, from, expressions, selectList, setLists);
    this.updates = new UpdateRewriter(cx, this, from, expressions, selectList, setLists);
    this.deletes = new DeleteRewriter(this, from, expressions, selectList);
  }

  /** Walks a statement; returns its output labels (empty or null when it returns none). */
  List<String> statement(Statement st, Scope scope) {
    if (st instanceof Select s) {
      return queries.select(s, scope);
    } else if (st instanceof Insert i) {
      return inserts.insert(i, scope);
    } else if (st instanceof Update u) {
      return updates.update(u, scope);
    } else if (st instanceof Delete d) {
      return deletes.delete(d, scope);
    }
    throw new Unanalysable(st.getClass().getSimpleName() + " statements are not analysed");
  }

  /** Walks a nested query; returns its output labels, or null when unknown. */
  List<String> query(Select s, Scope scope) {
    return queries.select(s, scope);
  }

  /** Walks a VALUES list in FROM; returns its labels. */
  List<String> values(Values v, Scope scope) {
    return queries.values(v, scope);
  }

  /** Walks WITH items in order, adding each CTE to {@code scope} with the columns it produces. */
  void withItems(List<WithItem<?>> items, Scope scope) {
    if (items == null) {
      return;
    }
    for (WithItem<?> w : items) {
      String name = SqlText.fold(w.getAliasName());
      List<String> declared = FromClauseRewriter.aliasColumns(w.getAlias());
      if (w.isRecursive()) {
        scope.addCte(new Scope.Cte(name, declared));
      }
      Object body = w.getParenthesedStatement();
      List<String> out;
      if (body instanceof ParenthesedSelect ps) {
        out = queries.select(ps.getSelect(), scope);
      } else if (body instanceof ParenthesedInsert pi) {
        out = inserts.insert(pi.getInsert(), scope);
      } else if (body instanceof ParenthesedUpdate pu) {
        out = updates.update(pu.getUpdate(), scope);
      } else if (body instanceof ParenthesedDelete pd) {
        out = deletes.delete(pd.getDelete(), scope);
      } else {
        throw new Unanalysable("WITH item " + name + " is not a SELECT, INSERT, UPDATE or DELETE");
      }
      if (w.getWithItemList() != null && !w.getWithItemList().isEmpty()) {
        List<String> cols = new ArrayList<>();
        for (SelectItem<?> si : w.getWithItemList()) {
          cols.add(SqlText.fold(String.valueOf(si.getExpression())));
        }
        declared = cols;
      }
      scope.addCte(new Scope.Cte(name, declared != null ? declared : out));
    }
  }
}
