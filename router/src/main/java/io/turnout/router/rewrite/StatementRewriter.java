package io.turnout.router.rewrite;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.catalog.ColumnInfo;
import io.turnout.config.catalog.TableInfo;
import io.turnout.config.plan.TableName;
import io.turnout.router.analysis.ParsedStatement;
import io.turnout.router.analysis.RangeVar;
import io.turnout.router.analysis.Scope;
import io.turnout.router.analysis.Unanalysable;
import io.turnout.router.lexical.SqlTokens;
import io.turnout.router.rewrite.View.Side;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.ArrayConstructor;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.CollateExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.RowGetExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.ReturningClause;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.delete.ParenthesedDelete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.insert.InsertConflictAction;
import net.sf.jsqlparser.statement.insert.InsertConflictTarget;
import net.sf.jsqlparser.statement.insert.ParenthesedInsert;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.Distinct;
import net.sf.jsqlparser.statement.select.Fetch;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.GroupByElement;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.LateralSubSelect;
import net.sf.jsqlparser.statement.select.Limit;
import net.sf.jsqlparser.statement.select.Offset;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.update.ParenthesedUpdate;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.update.UpdateSet;

/**
 * Produces one variant of a statement under a {@link View}: resolves every column reference to its
 * table through the scopes of the statement (aliases, joins, subqueries, CTEs, set operations,
 * correlated references), re-expresses references to managed columns in the side the view asks for,
 * keeps {@code *} in the old shape, and adds the dual-write to INSERT and UPDATE (and ON CONFLICT
 * DO UPDATE). Edits are spliced into the original text.
 *
 * <p>Fails closed: a construct it does not understand on a managed table throws {@link
 * Unanalysable}, and a write it must not run throws {@link Rejected}. As a final check, every token
 * that spells a managed column name must have been seen by the analysis; otherwise the statement is
 * unanalysable (a reference the tree walk missed would silently escape the rewrite).
 */
public final class StatementRewriter {
  /** A write the router must refuse, with the migration it concerns. */
  public static final class Rejected extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ColumnPlan plan;

    public Rejected(ColumnPlan plan, String reason) {
      super(reason, null, false, false);
      this.plan = plan;
    }

    public ColumnPlan plan() {
      return plan;
    }
  }

  /** What the rewrite produced. */
  public record Result(String sql, boolean changed, Set<String> touched, Set<String> applied) {}

  private final ParsedStatement parsed;
  private final String sql;
  private final SqlTokens tokens;
  private final Catalog catalog;
  private final Map<TableName, List<ColumnPlan>> plansByTable;
  private final View view;
  private final Predicate<String> stableText;
  private final Edits edits;
  private final Set<String> touched = new LinkedHashSet<>();
  private final Set<String> applied = new LinkedHashSet<>();
  private final BitSet seen = new BitSet();
  private final Set<String> managedNames = new HashSet<>();

  public StatementRewriter(
      ParsedStatement parsed,
      Catalog catalog,
      Map<TableName, List<ColumnPlan>> plansByTable,
      View view,
      Predicate<String> stableText) {
    this.parsed = parsed;
    this.sql = parsed.sql();
    this.tokens = parsed.tokens();
    this.catalog = catalog;
    this.plansByTable = plansByTable;
    this.view = view;
    this.stableText = stableText;
    this.edits = new Edits(sql);
  }

  /**
   * Rewrites the statement.
   *
   * @throws Unanalysable when it touches a managed table in a way the rewriter cannot follow
   * @throws Rejected when it is a write that must not run in the current phase
   */
  public Result rewrite() {
    Statement st = parsed.statement();
    Scope root = new Scope(null);
    try {
      statement(st, root);
    } catch (IllegalStateException | ClassCastException | IndexOutOfBoundsException e) {
      throw new Unanalysable("rewrite failed: " + e.getMessage());
    }
    checkEveryManagedNameSeen();
    String out = edits.isEmpty() ? sql : edits.apply();
    return new Result(out, !out.equals(sql), touched, applied);
  }

  // ---------------------------------------------------------------- statements

  private List<String> statement(Statement st, Scope scope) {
    if (st instanceof Select s) {
      return select(s, scope);
    } else if (st instanceof Insert i) {
      return insert(i, scope);
    } else if (st instanceof Update u) {
      return update(u, scope);
    } else if (st instanceof Delete d) {
      return delete(d, scope);
    }
    throw new Unanalysable(st.getClass().getSimpleName() + " statements are not analysed");
  }

  private void withItems(List<WithItem<?>> items, Scope scope) {
    if (items == null) {
      return;
    }
    for (WithItem<?> w : items) {
      String name = SqlText.fold(w.getAliasName());
      List<String> declared = aliasColumns(w.getAlias());
      if (w.isRecursive()) {
        scope.addCte(new Scope.Cte(name, declared));
      }
      Object body = w.getParenthesedStatement();
      List<String> out;
      if (body instanceof ParenthesedSelect ps) {
        out = select(ps.getSelect(), scope);
      } else if (body instanceof ParenthesedInsert pi) {
        out = insert(pi.getInsert(), scope);
      } else if (body instanceof ParenthesedUpdate pu) {
        out = update(pu.getUpdate(), scope);
      } else if (body instanceof ParenthesedDelete pd) {
        out = delete(pd.getDelete(), scope);
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

  private static List<String> aliasColumns(Alias alias) {
    if (alias == null || alias.getAliasColumns() == null || alias.getAliasColumns().isEmpty()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (Alias.AliasColumn c : alias.getAliasColumns()) {
      out.add(SqlText.fold(c.name));
    }
    return out;
  }

  // ---------------------------------------------------------------- SELECT

  /** Walks a query; returns its output column labels, or null when unknown. */
  private List<String> select(Select s, Scope outer) {
    Scope scope = outer;
    if (s.getWithItemsList() != null && !s.getWithItemsList().isEmpty()) {
      scope = new Scope(outer);
      withItems(s.getWithItemsList(), scope);
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

  private List<String> values(Values v, Scope scope) {
    List<List<Expression>> rows = rows(v);
    for (List<Expression> row : rows) {
      for (Expression e : row) {
        expr(e, scope);
      }
    }
    List<String> out = new ArrayList<>();
    int n = rows.isEmpty() ? 0 : rows.get(0).size();
    for (int i = 1; i <= n; i++) {
      out.add("column" + i);
    }
    return out;
  }

  private static List<List<Expression>> rows(Values v) {
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
      fromItem(ps.getFromItem(), scope);
    }
    joins(ps.getJoins(), scope);

    List<String> labels = new ArrayList<>();
    boolean labelsKnown = true;
    for (SelectItem<?> item : ps.getSelectItems()) {
      List<String> l = selectItem(item, scope);
      if (l == null) {
        labelsKnown = false;
      } else {
        labels.addAll(l);
      }
    }
    if (ps.getWhere() != null) {
      expr(ps.getWhere(), scope);
    }
    Distinct distinct = ps.getDistinct();
    if (distinct != null && distinct.getOnSelectItems() != null) {
      for (SelectItem<?> si : distinct.getOnSelectItems()) {
        expr(si.getExpression(), scope);
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
      expr(ps.getHaving(), scope);
    }
    if (ps.getQualify() != null) {
      expr(ps.getQualify(), scope);
    }
    if (ps.getWindowDefinitions() != null) {
      for (var w : ps.getWindowDefinitions()) {
        windowDefinition(w, scope);
      }
    }
    orderBy(ps.getOrderByElements(), scope, labelsKnown ? labels : null, false);
    limits(ps, scope);
    return labelsKnown ? labels : null;
  }

  private void windowDefinition(net.sf.jsqlparser.expression.WindowDefinition w, Scope scope) {
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

  private void limits(Select s, Scope scope) {
    Limit limit = s.getLimit();
    if (limit != null) {
      if (limit.getRowCount() != null) {
        expr(limit.getRowCount(), scope);
      }
      if (limit.getOffset() != null) {
        expr(limit.getOffset(), scope);
      }
    }
    Offset offset = s.getOffset();
    if (offset != null && offset.getOffset() != null) {
      expr(offset.getOffset(), scope);
    }
    Fetch fetch = s.getFetch();
    if (fetch != null && fetch.getExpression() != null) {
      expr(fetch.getExpression(), scope);
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
      if (e instanceof Column c && isBare(c) && labels != null && labels.contains(name(c))) {
        markSeen(c);
        continue;
      }
      if (outputOnly) {
        markSeenDeep(e);
        continue;
      }
      expr(e, scope);
    }
  }

  /** GROUP BY: an input column wins over an output label of the same name. */
  private void groupByExpr(Expression e, Scope scope, List<String> labels) {
    if (e instanceof Column c
        && isBare(c)
        && resolveBare(name(c), scope, c) == null
        && labels.contains(name(c))) {
      markSeen(c);
      return;
    }
    expr(e, scope);
  }

  private void joins(List<Join> joins, Scope scope) {
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
          markSeen(c);
          String n = name(c);
          for (RangeVar v : scope.vars()) {
            if (v.planFor(n) != null) {
              throw new Unanalysable("JOIN … USING (" + n + ") on a managed column");
            }
          }
        }
      }
      if (j.getOnExpressions() != null) {
        for (Expression on : j.getOnExpressions()) {
          expr(on, scope);
        }
      }
    }
  }

  private void fromItem(FromItem item, Scope scope) {
    if (item instanceof Table t) {
      scope.add(tableVar(t, false, scope));
    } else if (item instanceof LateralSubSelect ls) {
      List<String> out = select(ls.getSelect(), scope);
      scope.add(derivedVar(ls.getAlias(), out));
    } else if (item instanceof ParenthesedSelect ps) {
      Scope outer = scope.parent() != null ? scope.parent() : new Scope(null);
      List<String> out = select(ps.getSelect(), outer);
      scope.add(derivedVar(ps.getAlias(), out));
    } else if (item instanceof ParenthesedFromItem pf) {
      if (pf.getAlias() != null
          && pf.getFromItem() instanceof Values v
          && (pf.getJoins() == null || pf.getJoins().isEmpty())) {
        // (VALUES …) AS v(a, b)
        List<String> out = values(v, scope.parent() != null ? scope.parent() : scope);
        scope.add(derivedVar(pf.getAlias(), out));
        return;
      }
      if (pf.getAlias() != null) {
        throw new Unanalysable("aliased parenthesised join");
      }
      fromItem(pf.getFromItem(), scope);
      joins(pf.getJoins(), scope);
    } else if (item instanceof Values v) {
      List<String> out = values(v, scope.parent() != null ? scope.parent() : scope);
      scope.add(derivedVar(v.getAlias(), out));
    } else if (item instanceof TableFunction tf) {
      expr(tf.getFunction(), scope);
      List<String> cols = aliasColumns(tf.getAlias());
      String alias = tf.getAlias() == null ? null : SqlText.fold(tf.getAlias().getName());
      if (cols == null && alias != null) {
        // A scalar function's single column is named by the alias; a composite one is unknown.
        cols = null;
      }
      String fname = tf.getFunction().getName();
      String n = alias != null ? alias : SqlText.fold(fname);
      scope.add(new RangeVar(n, null, n, null, List.of(), cols, false));
    } else {
      throw new Unanalysable(item.getClass().getSimpleName() + " in FROM is not analysed");
    }
  }

  private RangeVar derivedVar(Alias alias, List<String> out) {
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

  private RangeVar tableVar(Table t, boolean target, Scope lookup) {
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
        schema == null ? catalog.resolve(name) : catalog.table(new TableName(schema, name));
    if (info.isEmpty()) {
      // Unknown table: columns unknown. If its name is a managed table's, the catalog is stale.
      for (TableName managed : plansByTable.keySet()) {
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
    List<ColumnPlan> plans = plansByTable.getOrDefault(ti.name(), List.of());
    for (ColumnPlan p : plans) {
      touched.add(p.id());
      managedNames.addAll(p.oldColumns());
      managedNames.addAll(p.newColumns());
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

  /** The table reference as written, without its alias, for qualifying generated columns. */
  private String tableText(Table t) {
    int[] span = ParsedStatement.span(t);
    if (span != null) {
      int i = tokens.indexStartingAt(span[0]);
      if (i >= 0) {
        int j = i;
        int end = tokens.end(i);
        while (j + 2 < tokens.size() && tokens.kind(j + 1) == SqlTokens.DOT && isIdent(j + 2)) {
          j += 2;
          end = tokens.end(j);
        }
        return sql.substring(span[0], end);
      }
    }
    return t.getFullyQualifiedName();
  }

  private boolean isIdent(int i) {
    byte k = tokens.kind(i);
    return k == SqlTokens.IDENT || k == SqlTokens.QUOTED_IDENT;
  }

  // ---------------------------------------------------------------- select items and stars

  /** Walks one select item; returns its output labels (several for a star) or null if unknown. */
  private List<String> selectItem(SelectItem<?> item, Scope scope) {
    Expression e = item.getExpression();
    if (e instanceof AllTableColumns atc) {
      return tableStar(item, atc, scope);
    }
    if (e instanceof AllColumns ac) {
      return star(item, ac, scope);
    }
    Column labelColumn = item.getAlias() == null ? labelColumn(e) : null;
    boolean[] relabel = {false};
    expr(e, scope, c -> c == labelColumn, relabel);
    String label;
    if (item.getAlias() != null) {
      int[] span = ParsedStatement.span(item);
      if (span != null) {
        int last = tokens.indexEndingAt(span[1]);
        if (last >= 0) {
          seen.set(tokens.start(last));
        }
      }
      label = SqlText.fold(item.getAlias().getName());
    } else if (labelColumn != null) {
      label = name(labelColumn);
      if (relabel[0]) {
        int[] span = spanOf(item);
        edits.insert(span[1], " AS " + SqlText.ident(label));
      }
    } else {
      label = figureLabel(e);
    }
    return List.of(label);
  }

  private List<String> star(SelectItem<?> item, AllColumns ac, Scope scope) {
    markSeen(ac);
    boolean needsExpansion = false;
    List<String> labels = new ArrayList<>();
    boolean known = true;
    for (RangeVar v : scope.vars()) {
      if (v.isManaged() && starChanges(v)) {
        needsExpansion = true;
      }
      List<String> shape = shape(v);
      if (shape == null) {
        known = false;
      } else {
        labels.addAll(shape);
      }
    }
    if (needsExpansion) {
      if (scope.hasUsingJoin()) {
        throw new Unanalysable("* over a JOIN … USING with a managed table");
      }
      List<String> parts = new ArrayList<>();
      for (RangeVar v : scope.vars()) {
        parts.add(v.isManaged() ? expandStar(v, scope) : v.qualifier() + ".*");
      }
      int[] span = spanOf(ac);
      edits.replace(span[0], span[1], String.join(", ", parts));
    }
    return known ? labels : null;
  }

  private List<String> tableStar(SelectItem<?> item, AllTableColumns atc, Scope scope) {
    markSeen(atc);
    Table t = atc.getTable();
    String schema = t.getSchemaName() == null ? null : SqlText.fold(t.getSchemaName());
    RangeVar v = scope.byName(schema, SqlText.fold(t.getName()));
    if (v == null) {
      return null;
    }
    if (v.isManaged() && starChanges(v)) {
      int[] span = spanOf(atc);
      edits.replace(span[0], span[1], expandStar(v, scope));
    }
    return shape(v);
  }

  /** The columns {@code *} of this range variable shows the client: new columns hidden. */
  private List<String> shape(RangeVar v) {
    if (v.columns() == null) {
      return null;
    }
    if (!v.isManaged()) {
      return v.columns();
    }
    List<String> out = new ArrayList<>();
    for (String c : v.columns()) {
      if (!isHidden(v, c)) {
        out.add(c);
      }
    }
    return out;
  }

  private boolean isHidden(RangeVar v, String column) {
    for (ColumnPlan p : v.plans()) {
      if (p.isNew(column)) {
        return true;
      }
    }
    return false;
  }

  private boolean starChanges(RangeVar v) {
    for (String c : v.columns()) {
      if (isHidden(v, c)) {
        return true;
      }
    }
    for (ColumnPlan p : v.plans()) {
      if (view.side(p) == Side.NEW) {
        return true;
      }
    }
    return false;
  }

  private String expandStar(RangeVar v, Scope scope) {
    StringBuilder b = new StringBuilder();
    for (String c : shape(v)) {
      if (b.length() > 0) {
        b.append(", ");
      }
      ColumnPlan p = v.planFor(c);
      String q = v.qualifier() + "." + SqlText.ident(c);
      if (p != null && needsTranslation(p, c)) {
        b.append(translation(v, p, c, v.qualifier())).append(" AS ").append(SqlText.ident(c));
        applied.add(p.id());
      } else {
        b.append(q);
      }
    }
    for (ColumnPlan p : v.plans()) {
      applied.add(p.id());
    }
    return b.toString();
  }

  // ---------------------------------------------------------------- expressions

  private void expr(Expression e, Scope scope) {
    expr(e, scope, c -> false, null);
  }

  /**
   * Walks an expression, translating managed column references. {@code isLabel} marks the column
   * that gives a select item its label; {@code relabel[0]} is set when that one was rewritten.
   */
  private void expr(Expression e, Scope scope, Predicate<Column> isLabel, boolean[] relabel) {
    if (e == null) {
      return;
    }
    e.accept(new Walker(scope, isLabel, relabel), null);
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
      boolean changed = column(column, scope);
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
      select(s.getSelect(), scope);
      return null;
    }

    @Override
    public <S> Void visit(Select s, S context) {
      select(s, scope);
      return null;
    }

    @Override
    public <S> Void visit(AllTableColumns atc, S context) {
      markSeen(atc);
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
      markSeen(ac);
      return null;
    }

    @Override
    public <S> Void visit(CastExpression ce, S context) {
      super.visit(ce, context);
      int[] whole = ParsedStatement.span(ce);
      int[] left = ParsedStatement.span(ce.getLeftExpression());
      if (whole != null && left != null && left[1] <= whole[1]) {
        // The type name is not a column reference (a column may be called "name").
        for (int i = tokens.indexAtOrAfter(left[1]);
            i < tokens.size() && tokens.start(i) < whole[1];
            i++) {
          seen.set(tokens.start(i));
        }
      }
      return null;
    }

    @Override
    public <S> Void visit(net.sf.jsqlparser.expression.TrimFunction t, S context) {
      if (t.getExpression() != null) {
        t.getExpression().accept(this, context);
      }
      if (t.getFromExpression() != null) {
        t.getFromExpression().accept(this, context);
      }
      return null;
    }

    @Override
    public <S> Void visit(net.sf.jsqlparser.expression.AnyComparisonExpression a, S context) {
      if (a.getSelect() != null) {
        select(a.getSelect(), scope);
      }
      return null;
    }

    @Override
    public <S> Void visit(RowGetExpression r, S context) {
      return r.getExpression().accept(this, context);
    }

    @Override
    public <S> Void visit(net.sf.jsqlparser.expression.AnalyticExpression a, S context) {
      super.visit(a, context);
      if (a.getWindowDefinition() != null) {
        windowDefinition(a.getWindowDefinition(), scope);
      }
      if (a.getPartitionExpressionList() != null) {
        for (Object x : a.getPartitionExpressionList()) {
          ((Expression) x).accept(this, context);
        }
      }
      if (a.getOrderByElements() != null) {
        for (OrderByElement o : a.getOrderByElements()) {
          o.getExpression().accept(this, context);
        }
      }
      if (a.getFilterExpression() != null) {
        a.getFilterExpression().accept(this, context);
      }
      return null;
    }

    @Override
    public <S> Void visit(net.sf.jsqlparser.expression.Function f, S context) {
      super.visit(f, context);
      // substring(x from 1 for 2), position(a in b), overlay(…): SQL-standard argument syntax.
      if (f.getNamedParameters() != null) {
        for (Object x : f.getNamedParameters()) {
          ((Expression) x).accept(this, context);
        }
      }
      if (f.getOrderByElements() != null) {
        for (OrderByElement o : f.getOrderByElements()) {
          o.getExpression().accept(this, context);
        }
      }
      return null;
    }
  }

  /**
   * Resolves one column reference and, when it names a managed column the view wants in the other
   * side, replaces it. Returns true when the text changed.
   */
  private boolean column(Column c, Scope scope) {
    markSeen(c);
    String col = name(c);
    Table t = c.getTable();
    RangeVar v;
    if (t != null && t.getName() != null) {
      String schema = t.getSchemaName() == null ? null : SqlText.fold(t.getSchemaName());
      v = scope.byName(schema, SqlText.fold(t.getName()));
      if (v == null) {
        return false;
      }
    } else {
      if (col.equals("default") && !isQuoted(c)) {
        return false;
      }
      v = resolveBare(col, scope, c);
      if (v == null) {
        // A whole-row reference names a range variable instead of a column.
        RangeVar row = scope.byName(null, col);
        if (row != null && row.isManaged() && !row.hasColumn(col)) {
          throw new Unanalysable("whole-row reference " + col + " to a managed table");
        }
        return false;
      }
    }
    if (!v.isManaged()) {
      return false;
    }
    ColumnPlan p = v.planFor(col);
    if (p == null || !needsTranslation(p, col)) {
      return false;
    }
    if (c.getArrayConstructor() != null) {
      throw new Unanalysable("subscripted managed column " + col);
    }
    applied.add(p.id());
    replaceColumn(c, v, p, col, scope);
    return true;
  }

  private boolean needsTranslation(ColumnPlan p, String column) {
    Side side = view.side(p);
    return (side == Side.OLD && p.isNew(column)) || (side == Side.NEW && p.isOld(column));
  }

  /** The range variable an unqualified column name refers to, looking outwards; null if none. */
  private RangeVar resolveBare(String col, Scope scope, Column node) {
    for (Scope s = scope; s != null; s = s.parent()) {
      RangeVar found = null;
      boolean unknown = false;
      for (RangeVar v : s.vars()) {
        if (v.columns() == null) {
          unknown = true;
        } else if (v.hasColumn(col)) {
          if (found != null) {
            return null; // ambiguous: PostgreSQL rejects the statement anyway
          }
          found = v;
        }
      }
      if (found != null) {
        if (unknown && found.planFor(col) != null) {
          throw new Unanalysable(
              "column " + col + " could also come from a function or table of unknown columns");
        }
        return found;
      }
      if (unknown && managedNames.contains(col)) {
        throw new Unanalysable("cannot resolve column " + col + " with certainty");
      }
    }
    return null;
  }

  private void replaceColumn(Column c, RangeVar v, ColumnPlan p, String col, Scope scope) {
    int[] span = spanOf(c);
    int first = tokens.indexStartingAt(span[0]);
    int last = tokens.indexEndingAt(span[1]);
    if (first < 0 || last < 0 || !isIdent(last)) {
      throw new Unanalysable("column reference " + c + " does not align with its tokens");
    }
    String qualifier =
        last > first ? sql.substring(tokens.start(first), tokens.start(last - 1)) : null;
    String rendered =
        translation(v, p, col, qualifier != null ? qualifier : qualifierFor(v, scope));
    if (p.isRename() && rendered.indexOf('(') < 0) {
      // A rename only swaps the name token, so qualifiers and quoting stay as written.
      String other = p.derivation(col).columns().iterator().next();
      edits.replace(tokens.start(last), tokens.end(last), SqlText.ident(other));
      return;
    }
    edits.replace(span[0], span[1], rendered);
  }

  /**
   * The expression for managed column {@code col} of {@code v} over the other side's columns,
   * qualified with {@code qualifier} (null: unqualified), cast back to the column's own type.
   */
  private String translation(RangeVar v, ColumnPlan p, String col, String qualifier) {
    Template t = p.derivation(col);
    String rendered =
        t.render(
            other ->
                qualifier == null ? SqlText.ident(other) : qualifier + "." + SqlText.ident(other));
    if (p.isRename()) {
      ColumnInfo mine = v.table().column(col).orElse(null);
      ColumnInfo theirs = v.table().column(t.columns().iterator().next()).orElse(null);
      if (mine != null && theirs != null && !mine.type().equals(theirs.type())) {
        return SqlText.cast(rendered, mine.type());
      }
      return rendered;
    }
    ColumnInfo mine = v.table().column(col).orElse(null);
    return mine == null ? SqlText.paren(rendered) : SqlText.cast(rendered, mine.type());
  }

  /** Qualifier for generated references: none when unambiguous, else the range variable's. */
  private String qualifierFor(RangeVar v, Scope scope) {
    if (scope.isSoleVar(v)) {
      return null;
    }
    return v.qualifier();
  }

  // ---------------------------------------------------------------- labels

  /** The column whose name becomes the label of an unaliased select item, or null. */
  private static Column labelColumn(Expression e) {
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
  private static String figureLabel(Expression e) {
    if (e instanceof net.sf.jsqlparser.expression.Function f && f.getName() != null) {
      String n = f.getName();
      int dot = n.lastIndexOf('.');
      return SqlText.fold(dot >= 0 ? n.substring(dot + 1) : n);
    }
    if (e instanceof CastExpression ce) {
      String inner = figureLabel(ce.getLeftExpression());
      return inner;
    }
    if (e instanceof net.sf.jsqlparser.expression.CaseExpression) {
      return "case";
    }
    if (e instanceof RowGetExpression r) {
      return SqlText.fold(r.getColumnName());
    }
    return "?column?";
  }

  // ---------------------------------------------------------------- INSERT

  private List<String> insert(Insert ins, Scope outer) {
    Scope scope = new Scope(outer);
    withItems(ins.getWithItemsList(), scope);
    RangeVar target = tableVar(ins.getTable(), true, scope);
    List<String> columns = new ArrayList<>();
    boolean implicitColumns = ins.getColumns() == null || ins.getColumns().isEmpty();
    if (!implicitColumns) {
      for (Column c : ins.getColumns()) {
        markSeen(c);
        columns.add(name(c));
      }
    } else if (target.table() != null) {
      // Without a column list the values fill the old shape's first columns, in order.
      List<String> shape = shape(target);
      int n = shape.size();
      if (ins.getSelect() instanceof Values v) {
        List<List<Expression>> r = rows(v);
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
      rows = rows(values);
      for (List<Expression> row : rows) {
        for (Expression e : row) {
          expr(e, scope);
        }
      }
    } else if (query != null) {
      select(query, scope);
    }

    // ON CONFLICT and RETURNING see the target (and EXCLUDED).
    Scope targetScope = new Scope(scope);
    targetScope.add(target);
    InsertConflictTarget ct = ins.getConflictTarget();
    if (ct != null) {
      markConflictTarget(ins);
      if (ct.getWhereExpression() != null) {
        expr(ct.getWhereExpression(), targetScope);
      }
      if (ct.getIndexExpression() != null) {
        expr(ct.getIndexExpression(), targetScope);
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
      conflictItems = setItems(action.getUpdateSets(), conflictScope);
      if (action.getWhereExpression() != null) {
        expr(action.getWhereExpression(), conflictScope);
      }
    }
    List<String> out = returning(ins.getReturningClause(), targetScope);

    if (target.isManaged()) {
      insertDualWrite(ins, target, columns, implicitColumns, rows, values, query);
      if (conflictItems != null) {
        dualWriteSets(conflictItems, target);
      }
    }
    return out;
  }

  private void markConflictTarget(Insert ins) {
    // ON CONFLICT (col, …): index inference by column name; both sides carry indexes.
    int[] tableSpan = spanOf(ins.getTable());
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
            } else if (isIdent(j)) {
              seen.set(tokens.start(j));
            }
          }
        }
        return;
      }
    }
  }

  /** One value to store: its SQL text and what the rewrite must know about it. */
  private record Value(String text, boolean stable, boolean untyped) {}

  private Value value(Expression e, int[] span, ColumnInfo column) {
    if (e instanceof Column c && isBare(c) && "default".equals(name(c)) && !isQuoted(c)) {
      return defaultValue(column);
    }
    String text = edits.render(span[0], span[1]);
    boolean untyped =
        e instanceof JdbcParameter
            || e instanceof StringValue
            || e instanceof NullValue
            || (e instanceof ParenthesedExpressionList<?> pl
                && pl.size() == 1
                && (pl.get(0) instanceof JdbcParameter || pl.get(0) instanceof StringValue));
    return new Value(text, Volatility.isStable(e), untyped);
  }

  private Value defaultValue(ColumnInfo column) {
    if (column == null) {
      return new Value("NULL", true, true);
    }
    Optional<String> d = column.defaultExpression();
    if (d.isEmpty()) {
      if (column.notNull()) {
        // Probably an identity column, whose default the catalog does not show.
        throw new Unanalysable("DEFAULT of NOT NULL column " + column.name() + " is unknown");
      }
      return new Value(SqlText.cast("NULL", column.type()), true, false);
    }
    return new Value(d.get(), stableText.test(d.get()), false);
  }

  private ColumnInfo columnInfo(RangeVar target, String column) {
    return target.table() == null ? null : target.table().column(column).orElse(null);
  }

  /** A value cast to its column's type when it is an untyped literal or parameter. */
  private String typed(Value v, ColumnInfo column) {
    if (v.untyped() && column != null) {
      return SqlText.cast(v.text(), SqlText.baseType(column.type()));
    }
    return v.text();
  }

  /** A derived column to add to an INSERT: its name and its expression over the row's values. */
  private record Derived(String column, Template template, ColumnPlan plan) {}

  private void insertDualWrite(
      Insert ins,
      RangeVar target,
      List<String> columns,
      boolean implicitColumns,
      List<List<Expression>> rows,
      Values values,
      Select query) {
    List<Derived> derived = new ArrayList<>();
    Set<String> synthetic = new LinkedHashSet<>();
    for (ColumnPlan p : target.plans()) {
      DualWrite w = DualWrite.of(p, columns, view);
      if (w == null || (w.assignsNone() && defaultsAgree(target, p))) {
        continue;
      }
      w.requireDerivedColumns(target.table());
      for (String d : w.derived()) {
        derived.add(new Derived(d, p.derivation(d), p));
      }
      applied.add(p.id());
    }
    if (derived.isEmpty()) {
      return;
    }
    // A source column left to a volatile default is written explicitly, so that the default
    // is evaluated once and the derived columns see the stored value. Every other source column
    // left to its default has a stable one.
    for (String u : usedColumns(derived)) {
      if (!columns.contains(u) && !defaultValue(columnInfo(target, u)).stable()) {
        synthetic.add(u);
      }
    }
    List<String> allColumns = new ArrayList<>(columns);
    allColumns.addAll(synthetic);

    if (ins.isOnlyDefaultValues()) {
      throw new Unanalysable("INSERT … DEFAULT VALUES on a table with a dual-write");
    }
    if (values != null) {
      insertValues(
          ins, target, columns, allColumns, implicitColumns, rows, values, derived, synthetic);
    } else if (query != null) {
      insertQuery(ins, target, columns, allColumns, implicitColumns, query, derived, synthetic);
    }
  }

  private void insertValues(
      Insert ins,
      RangeVar target,
      List<String> columns,
      List<String> allColumns,
      boolean implicitColumns,
      List<List<Expression>> rows,
      Values values,
      List<Derived> derived,
      Set<String> synthetic) {
    // Every row's values as text, the slot values for the templates, and whether a used one is
    // volatile (then the values are evaluated once, in a VALUES list the INSERT selects from).
    List<List<Value>> rowValues = new ArrayList<>();
    boolean volatileUsed = !synthetic.isEmpty();
    Set<String> used = usedColumns(derived);
    List<int[]> rowParens = rowParens(values, rows.size());
    for (int r = 0; r < rows.size(); r++) {
      List<Expression> row = rows.get(r);
      if (row.size() != columns.size()) {
        throw new Unanalysable(
            "VALUES row has " + row.size() + " values for " + columns.size() + " columns");
      }
      List<int[]> spans = elements(rowParens.get(r)[0]);
      if (spans.size() != row.size()) {
        throw new Unanalysable("VALUES row does not match its parse");
      }
      List<Value> vs = new ArrayList<>();
      for (int i = 0; i < row.size(); i++) {
        Value v = value(row.get(i), spans.get(i), columnInfo(target, columns.get(i)));
        vs.add(v);
        if (used.contains(columns.get(i)) && !v.stable()) {
          volatileUsed = true;
        }
      }
      for (String s : synthetic) {
        vs.add(defaultValue(columnInfo(target, s)));
      }
      rowValues.add(vs);
    }
    if (!volatileUsed) {
      appendColumns(ins, target, implicitColumns, allColumns, derived);
      for (int r = 0; r < rows.size(); r++) {
        List<Value> vs = rowValues.get(r);
        StringBuilder b = new StringBuilder();
        for (Derived d : derived) {
          b.append(", ").append(render(d, target, allColumns, vs, null));
        }
        edits.insert(tokens.start(rowParens.get(r)[1]), b.toString());
      }
      return;
    }
    // Evaluate once: INSERT INTO t (cols…, derived…) SELECT v.c1…, derived(v.…) FROM (VALUES …) v
    StringBuilder rowsText = new StringBuilder();
    for (int r = 0; r < rowValues.size(); r++) {
      if (r > 0) {
        rowsText.append(", ");
      }
      rowsText.append('(');
      List<Value> vs = rowValues.get(r);
      for (int i = 0; i < vs.size(); i++) {
        if (i > 0) {
          rowsText.append(", ");
        }
        rowsText.append(typed(vs.get(i), columnInfo(target, allColumns.get(i))));
      }
      rowsText.append(')');
    }
    SingleEvaluation once = new SingleEvaluation(SingleEvaluation.VALUES_ALIAS, allColumns.size());
    List<String> derivedTexts = new ArrayList<>();
    for (Derived d : derived) {
      derivedTexts.add(render(d, target, allColumns, null, once.refs()));
    }
    String sel = once.select(derivedTexts, "(VALUES " + rowsText + ")");
    appendColumns(ins, target, implicitColumns, allColumns, derived);
    int[] vspan = spanOf(values);
    edits.replace(vspan[0], vspan[1], sel);
  }

  private void insertQuery(
      Insert ins,
      RangeVar target,
      List<String> columns,
      List<String> allColumns,
      boolean implicitColumns,
      Select query,
      List<Derived> derived,
      Set<String> synthetic) {
    Set<String> used = usedColumns(derived);
    if (query instanceof PlainSelect ps
        && synthetic.isEmpty()
        && query.getWithItemsList() == null) {
      List<SelectItem<?>> items = ps.getSelectItems();
      boolean simple = items.size() == columns.size();
      List<Value> vs = new ArrayList<>();
      if (simple) {
        for (int i = 0; i < items.size(); i++) {
          Expression e = items.get(i).getExpression();
          if (e instanceof AllColumns) {
            simple = false;
            break;
          }
          Value v = value(e, expressionSpan(items.get(i)), columnInfo(target, columns.get(i)));
          if (used.contains(columns.get(i)) && !v.stable()) {
            simple = false;
          }
          vs.add(v);
        }
      }
      if (simple) {
        StringBuilder b = new StringBuilder();
        for (Derived d : derived) {
          b.append(", ").append(render(d, target, allColumns, vs, null));
        }
        int[] last = spanOf(items.get(items.size() - 1));
        edits.insert(last[1], b.toString());
        appendColumns(ins, target, implicitColumns, allColumns, derived);
        return;
      }
    }
    if (!synthetic.isEmpty()) {
      throw new Unanalysable("INSERT … SELECT with a volatile default on a managed column");
    }
    // Inside a sub-select an untyped literal or parameter resolves to text, where INSERT …
    // SELECT would have given it the target column's type: cast those to keep that.
    if (query instanceof PlainSelect ps && ps.getSelectItems().size() == columns.size()) {
      for (int i = 0; i < columns.size(); i++) {
        SelectItem<?> item = ps.getSelectItems().get(i);
        Expression e = item.getExpression();
        ColumnInfo ci = columnInfo(target, columns.get(i));
        if (ci != null
            && (e instanceof JdbcParameter || e instanceof StringValue || e instanceof NullValue)) {
          int[] span = expressionSpan(item);
          edits.replace(
              span[0],
              span[1],
              SqlText.cast(edits.render(span[0], span[1]), SqlText.baseType(ci.type())));
        }
      }
    }
    int[] qspan = spanOf(query);
    String inner = edits.render(qspan[0], qspan[1]);
    SingleEvaluation once = new SingleEvaluation(SingleEvaluation.SELECT_ALIAS, allColumns.size());
    List<String> derivedTexts = new ArrayList<>();
    for (Derived d : derived) {
      derivedTexts.add(render(d, target, allColumns, null, once.refs()));
    }
    String sel = once.select(derivedTexts, "(" + inner + ")");
    appendColumns(ins, target, implicitColumns, allColumns, derived);
    edits.replace(qspan[0], qspan[1], sel);
  }

  /**
   * Slot values for an INSERT row: the row's value (or its reference in the VALUES list the INSERT
   * selects from), or the column default when not given. A transform sees each value as stored,
   * i.e. cast to the column's type with its modifier (numeric(12,2) rounds, for one); a rename
   * copies the value as written into a column of the same type.
   */
  private Function<String, String> slotFor(
      RangeVar target,
      List<String> columns,
      List<Value> values,
      List<String> refs,
      Template template) {
    return col -> {
      int i = columns.indexOf(col);
      ColumnInfo ci = columnInfo(target, col);
      String text =
          i < 0 ? defaultValue(ci).text() : refs != null ? refs.get(i) : values.get(i).text();
      return asStored(template, text, ci);
    };
  }

  /** {@code text} as the column stores it: cast to the column's full type. */
  private static String stored(String text, ColumnInfo column) {
    if (column == null) {
      return text;
    }
    String cast = SqlText.cast(text, column.type());
    return text.startsWith("CAST(") && text.endsWith(" AS " + column.type() + ")") ? text : cast;
  }

  /**
   * A source value as {@code template} reads it: as written for a rename, which copies it into a
   * column of the same type; as stored for a transform.
   */
  private static String asStored(Template template, String text, ColumnInfo column) {
    return template.isIdentity() ? text : stored(text, column);
  }

  private String render(
      Derived d, RangeVar target, List<String> columns, List<Value> values, List<String> refs) {
    return d.template().render(slotFor(target, columns, values, refs, d.template()));
  }

  private static Set<String> usedColumns(List<Derived> derived) {
    Set<String> out = new LinkedHashSet<>();
    for (Derived d : derived) {
      out.addAll(d.template().columns());
    }
    return out;
  }

  private static String joinNames(List<Derived> derived) {
    StringBuilder b = new StringBuilder();
    for (Derived d : derived) {
      b.append(b.length() > 0 ? ", " : "").append(SqlText.ident(d.column()));
    }
    return b.toString();
  }

  /** Adds the derived (and synthetic) columns to the INSERT's column list, or writes one. */
  private void appendColumns(
      Insert ins,
      RangeVar target,
      boolean implicit,
      List<String> allColumns,
      List<Derived> derived) {
    if (implicit) {
      int pos = afterTargetName(ins);
      StringBuilder b = new StringBuilder(" (");
      for (int i = 0; i < allColumns.size(); i++) {
        b.append(i > 0 ? ", " : "").append(SqlText.ident(allColumns.get(i)));
      }
      b.append(", ").append(joinNames(derived)).append(')');
      edits.insert(pos, b.toString());
      return;
    }
    List<Column> cols = ins.getColumns();
    int[] last = spanOf(cols.get(cols.size() - 1));
    int i = tokens.indexAtOrAfter(last[1]);
    if (i >= tokens.size() || tokens.kind(i) != SqlTokens.RPAREN) {
      throw new Unanalysable("cannot find the end of the INSERT column list");
    }
    StringBuilder b = new StringBuilder();
    for (int k = ins.getColumns().size(); k < allColumns.size(); k++) {
      b.append(", ").append(SqlText.ident(allColumns.get(k)));
    }
    b.append(", ").append(joinNames(derived));
    edits.insert(tokens.start(i), b.toString());
  }

  /** Offset after {@code INSERT INTO table [AS alias]}. */
  private int afterTargetName(Insert ins) {
    int[] span = spanOf(ins.getTable());
    int i = tokens.indexAtOrAfter(span[0]);
    // table name parts
    while (i + 2 < tokens.size() && tokens.kind(i + 1) == SqlTokens.DOT) {
      i += 2;
    }
    int end = tokens.end(i);
    if (ins.getTable().getAlias() != null) {
      int j = i + 1;
      if (tokens.isKeyword(j, "as")) {
        j++;
      }
      end = tokens.end(j);
    }
    return end;
  }

  /** Token indexes of each VALUES row's opening and closing parenthesis. */
  private List<int[]> rowParens(Values values, int rowCount) {
    int[] vspan = spanOf(values);
    int i = tokens.indexStartingAt(vspan[0]);
    if (i < 0 || !tokens.isKeyword(i, "values")) {
      throw new Unanalysable("cannot find the VALUES list");
    }
    List<int[]> out = new ArrayList<>();
    i++;
    while (i < tokens.size() && tokens.kind(i) == SqlTokens.LPAREN && tokens.start(i) < vspan[1]) {
      int close = matching(i);
      out.add(new int[] {i, close});
      i = close + 1;
      if (i < tokens.size() && tokens.kind(i) == SqlTokens.COMMA) {
        i++;
      } else {
        break;
      }
    }
    if (out.size() != rowCount) {
      throw new Unanalysable("VALUES rows do not match their parse");
    }
    return out;
  }

  /** Token index of the parenthesis closing the one at {@code open}. */
  private int matching(int open) {
    int depth = 0;
    for (int j = open; j < tokens.size(); j++) {
      byte k = tokens.kind(j);
      if (k == SqlTokens.LPAREN) {
        depth++;
      } else if (k == SqlTokens.RPAREN && --depth == 0) {
        return j;
      }
    }
    throw new Unanalysable("unbalanced parentheses");
  }

  /**
   * The [start, end) offsets of the comma-separated elements inside the parentheses at {@code
   * open}.
   */
  private List<int[]> elements(int open) {
    int close = matching(open);
    List<int[]> out = new ArrayList<>();
    int depth = 0;
    int start = -1;
    int end = -1;
    for (int j = open + 1; j < close; j++) {
      byte k = tokens.kind(j);
      if (k == SqlTokens.COMMA && depth == 0) {
        out.add(new int[] {start, end});
        start = -1;
        continue;
      }
      if (k == SqlTokens.LPAREN || (k == SqlTokens.BRACKET && sql.charAt(tokens.start(j)) == '[')) {
        depth++;
      } else if (k == SqlTokens.RPAREN
          || (k == SqlTokens.BRACKET && sql.charAt(tokens.start(j)) == ']')) {
        depth--;
      }
      if (start < 0) {
        start = tokens.start(j);
      }
      end = tokens.end(j);
    }
    if (start >= 0) {
      out.add(new int[] {start, end});
    }
    return out;
  }

  /** A select item's expression span: the item without its alias. */
  private int[] expressionSpan(SelectItem<?> item) {
    int[] span = spanOf(item);
    if (item.getAlias() == null) {
      return span;
    }
    int last = tokens.indexEndingAt(span[1]);
    if (last > 0 && tokens.isKeyword(last - 1, "as")) {
      last--;
    }
    return new int[] {span[0], tokens.end(last - 1)};
  }

  private boolean defaultsAgree(RangeVar target, ColumnPlan p) {
    boolean none = true;
    for (String c : p.oldColumns()) {
      ColumnInfo ci = columnInfo(target, c);
      if (ci != null && ci.defaultExpression().isPresent()) {
        none = false;
      }
    }
    for (String c : p.newColumns()) {
      ColumnInfo ci = columnInfo(target, c);
      if (ci != null && ci.defaultExpression().isPresent()) {
        none = false;
      }
    }
    if (none) {
      // forward(NULL) is taken to be NULL: plan expressions are expected to be null-preserving.
      return true;
    }
    if (p.isRename()) {
      ColumnInfo o = columnInfo(target, p.oldColumns().get(0));
      ColumnInfo n = columnInfo(target, p.newColumns().get(0));
      return o != null
          && n != null
          && o.defaultExpression().equals(n.defaultExpression())
          && stableText.test(o.defaultExpression().get());
    }
    return false;
  }

  // ---------------------------------------------------------------- UPDATE

  /** One item of a SET list: its targets, its value form, and its source span. */
  private static final class SetItem {
    final List<Column> columns = new ArrayList<>();
    final List<Expression> values = new ArrayList<>();
    final List<int[]> valueSpans = new ArrayList<>();
    ParenthesedSelect rowSelect;
    int start;
    int end;

    List<String> names() {
      List<String> out = new ArrayList<>();
      for (Column c : columns) {
        out.add(name(c));
      }
      return out;
    }
  }

  private List<String> update(Update u, Scope outer) {
    Scope scope = new Scope(outer);
    withItems(u.getWithItemsList(), scope);
    RangeVar target = tableVar(u.getTable(), true, scope);
    scope.add(target);
    if (u.getFromItem() != null) {
      fromItem(u.getFromItem(), scope);
    }
    joins(u.getJoins(), scope);
    List<SetItem> items = setItems(u.getUpdateSets(), scope);
    if (u.getWhere() != null) {
      expr(u.getWhere(), scope);
    }
    List<String> out = returning(u.getReturningClause(), scope);
    if (target.isManaged()) {
      dualWriteSets(items, target);
    }
    return out;
  }

  private List<SetItem> setItems(List<UpdateSet> sets, Scope scope) {
    List<SetItem> items = new ArrayList<>();
    for (UpdateSet us : sets) {
      SetItem item = new SetItem();
      for (Column c : us.getColumns()) {
        markSeen(c);
        item.columns.add(c);
        if (c.getArrayConstructor() != null) {
          for (Expression x : c.getArrayConstructor().getExpressions()) {
            expr(x, scope);
          }
        }
      }
      ExpressionList<?> vals = us.getValues();
      boolean rowForm = us.getColumns() instanceof ParenthesedExpressionList<?>;
      if (rowForm && vals.size() == 1 && vals.get(0) instanceof ParenthesedSelect ps) {
        item.rowSelect = ps;
        select(ps.getSelect(), scope);
      } else {
        for (Expression v : vals) {
          item.values.add(v);
          expr(v, scope);
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
    locateSetItems(items);
    return items;
  }

  /** Finds each SET item's [start, end) by scanning tokens at depth 0 from the first item. */
  private void locateSetItems(List<SetItem> items) {
    if (items.isEmpty()) {
      return;
    }
    int[] firstCol = spanOf(items.get(0).columns.get(0));
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
      if (kind == SqlTokens.LPAREN
          || (kind == SqlTokens.BRACKET && sql.charAt(tokens.start(i)) == '[')) {
        depth++;
      } else if (kind == SqlTokens.RPAREN
          || (kind == SqlTokens.BRACKET && sql.charAt(tokens.start(i)) == ']')) {
        depth--;
      } else if (kind == SqlTokens.COMMA && depth == 0) {
        if (k >= items.size()) {
          throw new Unanalysable("SET list does not match its parse");
        }
        items.get(k).start = itemStart;
        items.get(k).end = lastEnd;
        k++;
        itemStart = i + 1 < tokens.size() ? tokens.start(i + 1) : sql.length();
        continue;
      }
      lastEnd = tokens.end(i);
    }
    if (k != items.size() - 1) {
      throw new Unanalysable("SET list does not match its parse");
    }
    items.get(k).start = itemStart;
    items.get(k).end = lastEnd;
    for (SetItem it : items) {
      if (it.rowSelect != null) {
        continue;
      }
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
      if (!isRowForm(it)) {
        it.valueSpans.add(new int[] {tokens.start(j), it.end});
      } else {
        it.valueSpans.addAll(elements(j));
      }
      if (it.valueSpans.size() != it.values.size()) {
        throw new Unanalysable("SET item does not match its parse");
      }
    }
  }

  private boolean isRowForm(SetItem it) {
    int i = tokens.indexStartingAt(it.start);
    return i >= 0 && tokens.kind(i) == SqlTokens.LPAREN;
  }

  /** A derived column of a SET list whose text is rendered once the slot values are known. */
  private record PendingDerived(String column, Template template, ColumnPlan plan) {}

  /**
   * Adds the dual-write to a SET list (UPDATE, or ON CONFLICT DO UPDATE): derived columns from the
   * assigned ones, unassigned source columns read from the current row. Stable values are repeated
   * in appended assignments; volatile values and row sub-selects are evaluated once, in a row
   * sub-select that assigns the sources and the derived columns together.
   */
  private void dualWriteSets(List<SetItem> items, RangeVar target) {
    Map<String, SetItem> owner = new LinkedHashMap<>();
    Map<String, Expression> single = new LinkedHashMap<>();
    Map<String, int[]> singleSpan = new LinkedHashMap<>();
    for (SetItem it : items) {
      for (int i = 0; i < it.columns.size(); i++) {
        Column c = it.columns.get(i);
        String n = name(c);
        owner.put(n, it);
        if (it.rowSelect == null) {
          single.put(n, it.values.get(i));
          singleSpan.put(n, it.valueSpans.get(i));
        }
        ColumnPlan p = target.planFor(n);
        if (p != null && c.getArrayConstructor() != null) {
          throw new Rejected(p, "assigns an element of managed column " + n);
        }
      }
    }
    List<String> assigned = new ArrayList<>(owner.keySet());
    StringBuilder appended = new StringBuilder();
    String q = target.qualifier();
    Map<SetItem, List<PendingDerived>> rowSelectDerived = new LinkedHashMap<>();
    Set<SetItem> onceItems = new LinkedHashSet<>();
    List<PendingDerived> onceDerived = new ArrayList<>();
    Map<String, Value> allValues = new LinkedHashMap<>();
    for (ColumnPlan p : target.plans()) {
      DualWrite w = DualWrite.of(p, assigned, view);
      if (w == null || w.assignsNone()) {
        continue;
      }
      w.requireDerivedColumns(target.table());
      applied.add(p.id());
      Set<String> sources = w.sources();
      List<String> derivedCols = w.derived();

      SetItem rowSelect = null;
      boolean once = false;
      Map<String, Value> vals = new LinkedHashMap<>();
      for (String src : sources) {
        SetItem it = owner.get(src);
        if (it.rowSelect != null) {
          if (rowSelect != null && rowSelect != it) {
            throw new Rejected(p, "assigns its columns from two row sub-selects");
          }
          rowSelect = it;
          continue;
        }
        Value v = value(single.get(src), singleSpan.get(src), columnInfo(target, src));
        vals.put(src, v);
        allValues.put(src, v);
        once |= !v.stable();
      }
      if (rowSelect != null) {
        if (once) {
          throw new Rejected(p, "mixes a row sub-select with volatile values");
        }
        for (String d : derivedCols) {
          rowSelectDerived
              .computeIfAbsent(rowSelect, k -> new ArrayList<>())
              .add(new PendingDerived(d, p.derivation(d), p));
        }
        continue;
      }
      if (!once) {
        Map<String, String> given = new LinkedHashMap<>();
        vals.forEach((col, v) -> given.put(col, v.text()));
        for (String d : derivedCols) {
          appended
              .append(", ")
              .append(SqlText.ident(d))
              .append(" = ")
              .append(renderDerived(p.derivation(d), p, given, target, q));
        }
        continue;
      }
      for (String src : sources) {
        onceItems.add(owner.get(src));
      }
      for (String d : derivedCols) {
        onceDerived.add(new PendingDerived(d, p.derivation(d), p));
      }
    }

    // Row sub-selects: (a, b, derived…) = (SELECT v.c1, v.c2, derived(v.…) FROM (sub) AS v(c1, c2))
    for (Map.Entry<SetItem, List<PendingDerived>> e : rowSelectDerived.entrySet()) {
      SetItem it = e.getKey();
      List<String> names = it.names();
      SingleEvaluation once = new SingleEvaluation(SingleEvaluation.VALUES_ALIAS, names.size());
      Map<String, String> given = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        given.putIfAbsent(names.get(i), once.refs().get(i));
      }
      allValues.forEach((col, v) -> given.putIfAbsent(col, v.text()));
      List<String> targets = new ArrayList<>(names);
      List<String> derivedTexts = new ArrayList<>();
      for (PendingDerived pd : e.getValue()) {
        targets.add(pd.column());
        derivedTexts.add(renderDerived(pd.template(), pd.plan(), given, target, q));
      }
      int[] sspan = spanOf(it.rowSelect);
      String sel = once.select(derivedTexts, edits.render(sspan[0], sspan[1]));
      edits.replace(it.start, it.end, "(" + identList(targets) + ") = (" + sel + ")");
    }

    // Volatile values: one correlated row sub-select evaluates them once per row.
    if (!onceItems.isEmpty()) {
      List<SetItem> ordered = new ArrayList<>();
      for (SetItem it : items) {
        if (onceItems.contains(it)) {
          ordered.add(it);
        }
      }
      List<String> srcs = new ArrayList<>();
      List<String> texts = new ArrayList<>();
      for (SetItem it : ordered) {
        for (int i = 0; i < it.columns.size(); i++) {
          String n = name(it.columns.get(i));
          srcs.add(n);
          Value v = value(it.values.get(i), it.valueSpans.get(i), columnInfo(target, n));
          texts.add(typed(v, columnInfo(target, n)));
        }
      }
      SingleEvaluation once = new SingleEvaluation(SingleEvaluation.VALUES_ALIAS, srcs.size());
      Map<String, String> given = new LinkedHashMap<>();
      for (int i = 0; i < srcs.size(); i++) {
        given.putIfAbsent(srcs.get(i), once.refs().get(i));
      }
      List<String> targets = new ArrayList<>(srcs);
      List<String> derivedTexts = new ArrayList<>();
      for (PendingDerived pd : onceDerived) {
        targets.add(pd.column());
        derivedTexts.add(renderDerived(pd.template(), pd.plan(), given, target, q));
      }
      String sel = once.select(derivedTexts, "(SELECT " + String.join(", ", texts) + ")");
      // The reference to the target row makes the sub-select correlated, so it runs per row
      // like the original expression instead of once per statement.
      SetItem first = ordered.get(0);
      edits.replace(
          first.start,
          first.end,
          "(" + identList(targets) + ") = (" + sel + " WHERE " + q + ".ctid IS NOT NULL)");
      for (int k = 1; k < ordered.size(); k++) {
        SetItem it = ordered.get(k);
        int prevEnd = items.get(items.indexOf(it) - 1).end;
        edits.replace(prevEnd, it.end, "");
      }
    }
    if (appended.length() > 0) {
      SetItem last = items.get(items.size() - 1);
      edits.insert(last.end, appended.toString());
    }
  }

  /**
   * A derived column's expression over the values the SET list assigns ({@code given}, as stored)
   * and, for the columns it does not assign, the target row's current values.
   */
  private String renderDerived(
      Template t, ColumnPlan p, Map<String, String> given, RangeVar target, String q) {
    return t.render(
        col -> {
          String v = given.get(col);
          return v == null
              ? currentValue(target, p, col, q)
              : asStored(t, v, columnInfo(target, col));
        });
  }

  private static String identList(List<String> names) {
    StringBuilder b = new StringBuilder();
    for (String n : names) {
      b.append(b.length() > 0 ? ", " : "").append(SqlText.ident(n));
    }
    return b.toString();
  }

  /** The current value of a managed column of the target row, in the authoritative columns. */
  private String currentValue(RangeVar target, ColumnPlan p, String col, String q) {
    if (needsTranslation(p, col)) {
      return translation(target, p, col, q);
    }
    return q + "." + SqlText.ident(col);
  }

  // ---------------------------------------------------------------- DELETE and RETURNING

  private List<String> delete(Delete d, Scope outer) {
    Scope scope = new Scope(outer);
    withItems(d.getWithItemsList(), scope);
    RangeVar target = tableVar(d.getTable(), true, scope);
    scope.add(target);
    if (d.getUsingFromItemList() != null) {
      for (FromItem fi : d.getUsingFromItemList()) {
        fromItem(fi, scope);
      }
    }
    joins(d.getJoins(), scope);
    if (d.getWhere() != null) {
      expr(d.getWhere(), scope);
    }
    return returning(d.getReturningClause(), scope);
  }

  private List<String> returning(ReturningClause r, Scope scope) {
    if (r == null) {
      return List.of();
    }
    List<String> labels = new ArrayList<>();
    for (SelectItem<?> item : r) {
      List<String> l = selectItem(item, scope);
      if (l == null) {
        return null;
      }
      labels.addAll(l);
    }
    return labels;
  }

  // ---------------------------------------------------------------- helpers

  private static boolean hasStar(PlainSelect ps) {
    for (SelectItem<?> i : ps.getSelectItems()) {
      if (i.getExpression() instanceof AllColumns) {
        return true;
      }
    }
    return false;
  }

  private static String name(Column c) {
    return SqlText.fold(c.getColumnName());
  }

  private static boolean isBare(Column c) {
    return c.getTable() == null || c.getTable().getName() == null;
  }

  private static boolean isQuoted(Column c) {
    return c.getColumnName().startsWith("\"");
  }

  private int[] spanOf(Object node) {
    int[] span = ParsedStatement.span(node);
    if (span == null) {
      throw new Unanalysable(
          "no source position for " + node.getClass().getSimpleName() + " " + node);
    }
    return span;
  }

  private void markSeen(Object node) {
    int[] span = ParsedStatement.span(node);
    if (span != null) {
      seen.set(span[0], Math.max(span[0] + 1, span[1]));
    }
  }

  private void markSeenDeep(Expression e) {
    if (e == null) {
      return;
    }
    markSeen(e);
    e.accept(
        new ExpressionVisitorAdapter<Void>() {
          @Override
          public <S> Void visit(Column c, S context) {
            markSeen(c);
            return null;
          }
        },
        null);
  }

  /**
   * Every identifier token that spells a managed column name (of a table this statement uses) must
   * lie inside something the analysis looked at: otherwise a reference escaped the walk.
   */
  private void checkEveryManagedNameSeen() {
    if (managedNames.isEmpty()) {
      return;
    }
    for (int i = 0, n = tokens.size(); i < n; i++) {
      if (!isIdent(i)) {
        continue;
      }
      String id = tokens.identifier(i);
      if (!managedNames.contains(id) || seen.get(tokens.start(i))) {
        continue;
      }
      // An alias (AS name) or a function name is not a column reference.
      if (i > 0 && tokens.isKeyword(i - 1, "as")) {
        continue;
      }
      if (i + 1 < n && tokens.kind(i + 1) == SqlTokens.LPAREN) {
        continue;
      }
      throw new Unanalysable(
          "the analysis did not account for '" + tokens.text(i) + "' at offset " + tokens.start(i));
    }
  }
}
