package io.turnout.router.rewrite;

import io.turnout.router.analysis.Scope;
import io.turnout.router.analysis.Unanalysable;
import io.turnout.router.lexical.SqlTokens;
import java.util.ArrayList;
import java.util.List;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.update.UpdateSet;

/**
 * Rewrites the values of a SET list (UPDATE, ON CONFLICT DO UPDATE) and locates each item and value
 * in the text, which the parser does not record but the dual-write splices at.
 */
final class SetListRewriter {
  private final RewriteContext cx;
  private final ExpressionRewriter expressions;
  private final StatementWalker statements;

  SetListRewriter(RewriteContext cx, ExpressionRewriter expressions, StatementWalker statements) {
    this.cx = cx;
    this.expressions = expressions;
    this.statements = statements;
  }

  /** Walks a SET list; returns its items, located. */
  List<SetItem> setItems(List<UpdateSet> sets, Scope scope) {
    List<SetItem> items = new ArrayList<>();
    for (UpdateSet us : sets) {
      SetItem item = new SetItem();
      for (Column c : us.getColumns()) {
        cx.coverage().markSeen(c);
        item.columns.add(c);
        if (c.getArrayConstructor() != null) {
          for (Expression x : c.getArrayConstructor().getExpressions()) {
            expressions.expr(x, scope);
          }
        }
      }
      ExpressionList<?> vals = us.getValues();
      boolean rowForm = us.getColumns() instanceof ParenthesedExpressionList<?>;
      if (rowForm && vals.size() == 1 && vals.get(0) instanceof ParenthesedSelect ps) {
        item.rowSelect = ps;
        statements.query(ps.getSelect(), scope);
      } else {
        for (Expression v : vals) {
          item.values.add(v);
          expressions.expr(v, scope);
        }
        if (item.values.size() != item.columns.size()) {
          throw new Unanalysable(
              "SET list has "
                  + item.values.size()
                  + " values for "
                  + item.columns.size()
                  + " columns");
        }
      }
      items.add(item);
    }
    if (!items.isEmpty()) {
      locateItems(items);
      for (SetItem it : items) {
        if (it.rowSelect == null) {
          locateValues(it);
        }
      }
    }
    return items;
  }

  /** Finds each SET item's [start, end) by scanning tokens at depth 0 from the first item. */
  private void locateItems(List<SetItem> items) {
    SqlTokens tokens = cx.tokens();
    int[] firstCol = cx.spans().of(items.get(0).columns.get(0));
    int i = tokens.indexStartingAt(firstCol[0]);
    if (i < 0) {
      throw new Unanalysable("cannot locate the SET list");
    }
    if (i > 0 && tokens.kind(i - 1) == SqlTokens.LPAREN) {
      i--;
    }
    int k = 0;
    int depth = 0;
    int itemStart = tokens.start(i);
    int lastEnd = itemStart;
    for (; i < tokens.size(); i++) {
      byte kind = tokens.kind(i);
      if (depth == 0
          && (kind == SqlTokens.SEMICOLON
              || tokens.isKeyword(i, "from")
              || tokens.isKeyword(i, "where")
              || tokens.isKeyword(i, "returning")
              || kind == SqlTokens.RPAREN)) {
        break;
      }
      if (cx.spans().opensNesting(i)) {
        depth++;
      } else if (cx.spans().closesNesting(i)) {
        depth--;
      } else if (kind == SqlTokens.COMMA && depth == 0) {
        if (k >= items.size()) {
          throw new Unanalysable("SET list does not match its parse");
        }
        items.get(k).start = itemStart;
        items.get(k).end = lastEnd;
        k++;
        itemStart = i + 1 < tokens.size() ? tokens.start(i + 1) : cx.sql().length();
        continue;
      }
      lastEnd = tokens.end(i);
    }
    if (k != items.size() - 1) {
      throw new Unanalysable("SET list does not match its parse");
    }
    items.get(k).start = itemStart;
    items.get(k).end = lastEnd;
  }

  /** Finds the [start, end) of each value of a located item that assigns values. */
  private void locateValues(SetItem it) {
    SqlTokens tokens = cx.tokens();
    // The value part starts after the first '=' at depth 0.
    int j = tokens.indexStartingAt(it.start);
    int d = 0;
    for (; j < tokens.size() && tokens.start(j) < it.end; j++) {
      byte kind = tokens.kind(j);
      if (kind == SqlTokens.LPAREN) {
        d++;
      } else if (kind == SqlTokens.RPAREN) {
        d--;
      } else if (d == 0 && kind == SqlTokens.OPERATOR && tokens.text(j).equals("=")) {
        break;
      }
    }
    j++;
    if (tokens.isKeyword(j, "row")) {
      j++;
    }
    int first = tokens.indexStartingAt(it.start);
    boolean rowForm = first >= 0 && tokens.kind(first) == SqlTokens.LPAREN;
    if (!rowForm) {
      it.valueSpans.add(new int[] {tokens.start(j), it.end});
    } else {
      it.valueSpans.addAll(cx.spans().elements(j));
    }
    if (it.valueSpans.size() != it.values.size()) {
      throw new Unanalysable("SET item does not match its parse");
    }
  }
}
