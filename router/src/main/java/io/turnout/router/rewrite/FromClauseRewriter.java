package io.turnout.router.rewrite;

import io.turnout.config.catalog.ColumnInfo;
import io.turnout.config.catalog.TableInfo;
import io.turnout.config.plan.TableName;
import io.turnout.router.analysis.ParsedStatement;
import io.turnout.router.analysis.RangeVar;
import io.turnout.router.analysis.Scope;
import io.turnout.router.analysis.Unanalysable;
import io.turnout.router.lexical.SqlTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.LateralSubSelect;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.Values;

/**
 * Turns FROM items and joins into the range variables of a scope: base tables with their catalog
 * columns and active plans, CTEs, derived tables, VALUES lists and functions with the columns they
 * are known to produce. Join conditions and sub-queries in FROM are rewritten on the way.
 */
final class FromClauseRewriter {
  private final RewriteContext cx;
  private final ExpressionRewriter expressions;
  private final StatementWalker statements;

  FromClauseRewriter(
      RewriteContext cx, ExpressionRewriter expressions, StatementWalker statements) {
    this.cx = cx;
    this.expressions = expressions;
    this.statements = statements;
  }

  void joins(List<Join> joins, Scope scope) {
    if (joins == null) {
      return;
    }
    for (Join j : joins) {
      fromItem(j.getFromItem(), scope);
      if (j.isNatural()) {
        scope.markUsingJoin();
      }
      if (j.getUsingColumns() != null && !j.getUsingColumns().isEmpty()) {
        scope.markUsingJoin();
        for (Column c : j.getUsingColumns()) {
          cx.coverage().markSeen(c);
          String n = ColumnNames.of(c);
          for (RangeVar v : scope.vars()) {
            if (v.planFor(n) != null) {
              throw new Unanalysable("JOIN … USING (" + n + ") on a managed column");
            }
          }
        }
      }
      if (j.getOnExpressions() != null) {
        for (Expression on : j.getOnExpressions()) {
          expressions.expr(on, scope);
        }
      }
    }
  }

  void fromItem(FromItem item, Scope scope) {
    if (item instanceof Table t) {
      scope.add(tableVar(t, false, scope));
    } else if (item instanceof LateralSubSelect ls) {
      List<String> out = statements.query(ls.getSelect(), scope);
      scope.add(derivedVar(ls.getAlias(), out));
    } else if (item instanceof ParenthesedSelect ps) {
      List<String> out = statements.query(ps.getSelect(), outside(scope));
      scope.add(derivedVar(ps.getAlias(), out));
    } else if (item instanceof ParenthesedFromItem pf) {
      if (pf.getAlias() != null
          && pf.getFromItem() instanceof Values v
          && (pf.getJoins() == null || pf.getJoins().isEmpty())) {
        // (VALUES …) AS v(a, b)
        List<String> out = statements.values(v, outside(scope));
        scope.add(derivedVar(pf.getAlias(), out));
        return;
      }
      if (pf.getAlias() != null) {
        throw new Unanalysable("aliased parenthesised join");
      }
      fromItem(pf.getFromItem(), scope);
      joins(pf.getJoins(), scope);
    } else if (item instanceof Values v) {
      List<String> out = statements.values(v, outside(scope));
      scope.add(derivedVar(v.getAlias(), out));
    } else if (item instanceof TableFunction tf) {
      expressions.expr(tf.getFunction(), scope);
      // Without declared names its columns are unknown: the alias names a scalar function's
      // single column, but a composite result's columns come from its type.
      List<String> cols = aliasColumns(tf.getAlias());
      String alias = tf.getAlias() == null ? null : SqlText.fold(tf.getAlias().getName());
      String fname = tf.getFunction().getName();
      String n = alias != null ? alias : SqlText.fold(fname);
      scope.add(new RangeVar(n, null, n, null, List.of(), cols, false));
    } else {
      throw new Unanalysable(item.getClass().getSimpleName() + " in FROM is not analysed");
    }
  }

  /**
   * What a FROM item that is not LATERAL sees: the level around its FROM list, with the statement's
   * WITH items and the enclosing queries, but not the FROM list's range variables (nor a DML
   * target). Every statement therefore keeps its WITH items a level above its FROM list.
   */
  private static Scope outside(Scope fromList) {
    if (fromList.parent() == null) {
      throw new IllegalStateException("a FROM list without an enclosing level");
    }
    return fromList.parent();
  }

  /**
   * The range variable of a table reference: a CTE of that name when one is in scope, else the
   * catalog's table with its active plans ({@code target} for the table a DML statement writes).
   */
  RangeVar tableVar(Table t, boolean target, Scope lookup) {
    String schema = t.getSchemaName() == null ? null : SqlText.fold(t.getSchemaName());
    String name = SqlText.fold(t.getName());
    Alias alias = t.getAlias();
    String aliasName = alias == null ? null : SqlText.fold(alias.getName());
    if (schema == null) {
      // CTE names shadow tables.
      Scope.Cte cte = lookup.cte(name);
      if (cte != null) {
        String n = aliasName != null ? aliasName : name;
        return new RangeVar(
            n,
            null,
            aliasName != null ? alias.getName() : t.getName(),
            null,
            List.of(),
            cte.columns(),
            target);
      }
    }
    Optional<TableInfo> info =
        schema == null
            ? cx.catalog().resolve(name)
            : cx.catalog().table(new TableName(schema, name));
    if (info.isEmpty()) {
      // Unknown table: columns unknown. If its name is a managed table's, the catalog is stale.
      for (TableName managed : cx.plansByTable().keySet()) {
        if (managed.name().equals(name) && (schema == null || managed.schema().equals(schema))) {
          throw new Unanalysable("table " + managed + " is not in the catalog");
        }
      }
      String n = aliasName != null ? aliasName : name;
      return new RangeVar(
          n,
          aliasName != null ? null : schema,
          aliasName != null ? alias.getName() : tableText(t),
          null,
          List.of(),
          null,
          target);
    }
    TableInfo ti = info.get();
    List<ColumnPlan> plans = cx.plansByTable().getOrDefault(ti.name(), List.of());
    for (ColumnPlan p : plans) {
      cx.uses(p);
    }
    List<String> cols = new ArrayList<>();
    for (ColumnInfo c : ti.columns()) {
      cols.add(c.name());
    }
    String n = aliasName != null ? aliasName : name;
    return new RangeVar(
        n,
        aliasName != null ? null : ti.name().schema(),
        aliasName != null ? alias.getName() : tableText(t),
        ti,
        plans,
        cols,
        target);
  }

  /** The column names an alias declares, {@code AS v(a, b)}, or null when it declares none. */
  static List<String> aliasColumns(Alias alias) {
    if (alias == null || alias.getAliasColumns() == null || alias.getAliasColumns().isEmpty()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (Alias.AliasColumn c : alias.getAliasColumns()) {
      out.add(SqlText.fold(c.name));
    }
    return out;
  }

  /** A derived table's range variable: its alias's column names, then its query's labels. */
  private static RangeVar derivedVar(Alias alias, List<String> out) {
    String n = alias == null ? null : SqlText.fold(alias.getName());
    List<String> cols = aliasColumns(alias);
    if (cols != null && out != null) {
      List<String> merged = new ArrayList<>(cols);
      for (int i = cols.size(); i < out.size(); i++) {
        merged.add(out.get(i));
      }
      cols = merged;
    } else if (cols == null) {
      cols = out;
    }
    return new RangeVar(
        n == null ? "" : n, null, n == null ? "" : alias.getName(), null, List.of(), cols, false);
  }

  /** The table reference as written, without its alias, for qualifying generated columns. */
  private String tableText(Table t) {
    int[] span = ParsedStatement.span(t);
    SqlTokens tokens = cx.tokens();
    if (span != null) {
      int i = tokens.indexStartingAt(span[0]);
      if (i >= 0) {
        int j = i;
        int end = tokens.end(i);
        while (j + 2 < tokens.size()
            && tokens.kind(j + 1) == SqlTokens.DOT
            && tokens.isIdentifier(j + 2)) {
          j += 2;
          end = tokens.end(j);
        }
        return cx.sql().substring(span[0], end);
      }
    }
    return t.getFullyQualifiedName();
  }
}
