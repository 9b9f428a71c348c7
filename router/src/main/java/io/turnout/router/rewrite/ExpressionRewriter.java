package io.turnout.router.rewrite;

import io.turnout.router.analysis.ParsedStatement;
import io.turnout.router.analysis.RangeVar;
import io.turnout.router.analysis.Scope;
import io.turnout.router.analysis.Unanalysable;
import io.turnout.router.lexical.SqlTokens;
import java.util.List;
import java.util.function.Predicate;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.AnyComparisonExpression;
import net.sf.jsqlparser.expression.ArrayConstructor;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.RowGetExpression;
import net.sf.jsqlparser.expression.TrimFunction;
import net.sf.jsqlparser.expression.WindowDefinition;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.Select;

/**
 * Walks an expression, rewriting every column reference in it (sub-queries included) and marking as
 * seen what is not a column reference although it may be spelt like one (type names).
 */
final class ExpressionRewriter {
  private final RewriteContext cx;
  private final ColumnRewriter columns;
  private final StatementWalker statements;

  ExpressionRewriter(RewriteContext cx, ColumnRewriter columns, StatementWalker statements) {
    this.cx = cx;
    this.columns = columns;
    this.statements = statements;
  }

  void expr(Expression e, Scope scope) {
    expr(e, scope, c -> false, null);
  }

  /**
   * Walks an expression, translating managed column references. {@code isLabel} marks the column
   * that gives a select item its label; {@code relabel[0]} is set when that one was rewritten.
   */
  void expr(Expression e, Scope scope, Predicate<Column> isLabel, boolean[] relabel) {
    if (e == null) {
      return;
    }
    e.accept(new Walker(scope, isLabel, relabel), null);
  }

  void windowDefinition(WindowDefinition w, Scope scope) {
    if (w.getPartitionExpressionList() != null) {
      for (Object e : w.getPartitionExpressionList()) {
        expr((Expression) e, scope);
      }
    }
    if (w.getOrderByElements() != null) {
      for (OrderByElement o : w.getOrderByElements()) {
        expr(o.getExpression(), scope);
      }
    }
  }

  private final class Walker extends ExpressionVisitorAdapter<Void> {
    private final Scope scope;
    private final Predicate<Column> isLabel;
    private final boolean[] relabel;

    Walker(Scope scope, Predicate<Column> isLabel, boolean[] relabel) {
      this.scope = scope;
      this.isLabel = isLabel;
      this.relabel = relabel;
    }

    @Override
    public <S> Void visit(Column column, S context) {
      boolean changed = columns.column(column, scope);
      if (changed && relabel != null && isLabel.test(column)) {
        relabel[0] = true;
      }
      ArrayConstructor idx = column.getArrayConstructor();
      if (idx != null && idx.getExpressions() != null) {
        for (Expression x : idx.getExpressions()) {
          x.accept(this, context);
        }
      }
      return null;
    }

    @Override
    public <S> Void visit(ParenthesedSelect s, S context) {
      statements.query(s.getSelect(), scope);
      return null;
    }

    @Override
    public <S> Void visit(Select s, S context) {
      statements.query(s, scope);
      return null;
    }

    @Override
    public <S> Void visit(AllTableColumns atc, S context) {
      cx.coverage().markSeen(atc);
      Table t = atc.getTable();
      RangeVar v =
          scope.byName(
              t.getSchemaName() == null ? null : SqlText.fold(t.getSchemaName()),
              SqlText.fold(t.getName()));
      if (v != null && v.isManaged()) {
        throw new Unanalysable("whole-row reference " + t.getName() + ".* to a managed table");
      }
      return null;
    }

    @Override
    public <S> Void visit(AllColumns ac, S context) {
      cx.coverage().markSeen(ac);
      return null;
    }

    @Override
    public <S> Void visit(CastExpression ce, S context) {
      super.visit(ce, context);
      int[] whole = ParsedStatement.span(ce);
      int[] left = ParsedStatement.span(ce.getLeftExpression());
      if (whole != null && left != null && left[1] <= whole[1]) {
        // The type name is not a column reference (a column may be called "name").
        SqlTokens tokens = cx.tokens();
        for (int i = tokens.indexAtOrAfter(left[1]);
            i < tokens.size() && tokens.start(i) < whole[1];
            i++) {
          cx.coverage().markToken(i);
        }
      }
      return null;
    }

    @Override
    public <S> Void visit(TrimFunction t, S context) {
      if (t.getExpression() != null) {
        t.getExpression().accept(this, context);
      }
      if (t.getFromExpression() != null) {
        t.getFromExpression().accept(this, context);
      }
      return null;
    }

    @Override
    public <S> Void visit(AnyComparisonExpression a, S context) {
      if (a.getSelect() != null) {
        statements.query(a.getSelect(), scope);
      }
      return null;
    }

    @Override
    public <S> Void visit(RowGetExpression r, S context) {
      return r.getExpression().accept(this, context);
    }

    @Override
    public <S> Void visit(AnalyticExpression a, S context) {
      super.visit(a, context);
      if (a.getWindowDefinition() != null) {
        windowDefinition(a.getWindowDefinition(), scope);
      }
      if (a.getPartitionExpressionList() != null) {
        for (Object x : a.getPartitionExpressionList()) {
          ((Expression) x).accept(this, context);
        }
      }
      orderBy(a.getOrderByElements(), context);
      if (a.getFilterExpression() != null) {
        a.getFilterExpression().accept(this, context);
      }
      return null;
    }

    @Override
    public <S> Void visit(Function f, S context) {
      super.visit(f, context);
      // substring(x from 1 for 2), position(a in b), overlay(…): SQL-standard argument syntax.
      if (f.getNamedParameters() != null) {
        for (Object x : f.getNamedParameters()) {
          ((Expression) x).accept(this, context);
        }
      }
      orderBy(f.getOrderByElements(), context);
      return null;
    }

    private <S> void orderBy(List<OrderByElement> elements, S context) {
      if (elements != null) {
        for (OrderByElement o : elements) {
          o.getExpression().accept(this, context);
        }
      }
    }
  }
}
