package io.turnout.router.route;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.catalog.ColumnInfo;
import io.turnout.config.catalog.TableInfo;
import io.turnout.config.plan.ReadPolicy.Stickiness;
import io.turnout.config.plan.TableName;
import io.turnout.router.StickyKey;
import io.turnout.router.analysis.ParsedStatement;
import io.turnout.router.rewrite.ColumnPlan;
import io.turnout.router.rewrite.SqlText;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.WithItem;

/**
 * The sticky key of a routed read whose migration's reads are sticky by a key column ({@code reads:
 * { sticky: key_column, key_column: id }}): the parameter or literal the key column is compared
 * with in a conjunct of the statement's top-level {@code WHERE}, as in {@code select … from users
 * where id = $1} or {@code … from users u join orders o on … where u.id = 42 and …}.
 *
 * <p>Only what is certain counts: one plain SELECT (no set operation) whose FROM list has the
 * managed table once, not shadowed by a CTE; the column qualified by that table's alias or name, or
 * unqualified when the table is alone in FROM; equality ANDed at the top (an {@code OR} makes the
 * key a choice, not the key). Anything else has no key, and the session's key stands in.
 */
final class StickyKeys {
  private StickyKeys() {}

  /** The key of {@code parsed} for {@code plan}'s reads, or null. */
  static StickyKey of(ParsedStatement parsed, ColumnPlan plan, Catalog catalog) {
    if (plan.migration().reads().sticky() != Stickiness.KEY_COLUMN
        || !(parsed.statement() instanceof PlainSelect select)
        || select.getWhere() == null
        || select.getFromItem() == null) {
      return null;
    }
    String keyColumn = plan.migration().reads().keyColumn().orElse(null);
    Optional<TableInfo> table = catalog.table(plan.table());
    if (keyColumn == null || table.isEmpty() || shadowedByCte(select, plan.table())) {
      return null;
    }
    List<FromItem> from = new ArrayList<>();
    from.add(select.getFromItem());
    if (select.getJoins() != null) {
      for (Join j : select.getJoins()) {
        from.add(j.getFromItem());
      }
    }
    String qualifier = null;
    for (FromItem item : from) {
      if (item instanceof Table t && names(t, plan.table(), catalog)) {
        if (qualifier != null) {
          return null; // the table twice (a self-join): which one is keyed is a guess
        }
        qualifier =
            t.getAlias() != null ? SqlText.fold(t.getAlias().getName()) : SqlText.fold(t.getName());
      }
    }
    if (qualifier == null) {
      return null;
    }
    int typeOid = table.get().column(keyColumn).map(ColumnInfo::typeOid).orElse(0);
    List<Expression> conjuncts = new ArrayList<>();
    conjuncts(select.getWhere(), conjuncts);
    for (Expression e : conjuncts) {
      if (e instanceof EqualsTo eq) {
        boolean left = isKeyColumn(eq.getLeftExpression(), keyColumn, qualifier, from.size());
        boolean right = isKeyColumn(eq.getRightExpression(), keyColumn, qualifier, from.size());
        StickyKey found =
            left
                ? value(eq.getRightExpression(), parsed, typeOid)
                : right ? value(eq.getLeftExpression(), parsed, typeOid) : null;
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static boolean names(Table t, TableName managed, Catalog catalog) {
    String name = SqlText.fold(t.getName());
    if (t.getSchemaName() != null) {
      return managed.equals(new TableName(SqlText.fold(t.getSchemaName()), name));
    }
    return catalog.resolve(name).map(TableInfo::name).filter(managed::equals).isPresent();
  }

  private static boolean shadowedByCte(PlainSelect select, TableName managed) {
    if (select.getWithItemsList() == null) {
      return false;
    }
    for (WithItem<?> w : select.getWithItemsList()) {
      if (w.getAlias() != null && SqlText.fold(w.getAlias().getName()).equals(managed.name())) {
        return true;
      }
    }
    return false;
  }

  /** The operands of the top-level ANDs of {@code e}, parentheses looked through. */
  private static void conjuncts(Expression e, List<Expression> out) {
    if (e instanceof AndExpression and) {
      conjuncts(and.getLeftExpression(), out);
      conjuncts(and.getRightExpression(), out);
    } else if (e instanceof ParenthesedExpressionList<?> p && p.size() == 1) {
      conjuncts(p.get(0), out);
    } else {
      out.add(e);
    }
  }

  private static boolean isKeyColumn(Expression e, String keyColumn, String qualifier, int tables) {
    if (!(e instanceof Column c) || !SqlText.fold(c.getColumnName()).equals(keyColumn)) {
      return false;
    }
    Table t = c.getTable();
    if (t == null || t.getName() == null) {
      return tables == 1;
    }
    return SqlText.fold(t.getName()).equals(qualifier);
  }

  /** A parameter ({@code $n}, maybe cast) or a plain literal, as a key; else null. */
  private static StickyKey value(Expression e, ParsedStatement parsed, int typeOid) {
    Expression v = e instanceof CastExpression cast ? cast.getLeftExpression() : e;
    if (v instanceof JdbcParameter p && p.isUseFixedIndex() && p.getIndex() != null) {
      return StickyKey.parameter(p.getIndex(), typeOid);
    }
    if (v instanceof LongValue || v instanceof StringValue) {
      int[] span = ParsedStatement.span(v);
      if (span == null) {
        return null;
      }
      String text = parsed.sql().substring(span[0], span[1]);
      return text.startsWith("'") || v instanceof LongValue
          ? StickyKey.literal(text, typeOid)
          : null; // E'…', U&'…' and other prefixed strings: not decoded here
    }
    return null;
  }
}
