package io.turnout.router.rewrite;

import io.turnout.config.catalog.ColumnInfo;
import io.turnout.router.analysis.RangeVar;
import io.turnout.router.analysis.Unanalysable;
import io.turnout.router.lexical.SqlTokens;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.insert.Insert;

/**
 * The dual-write one INSERT needs: the derived columns it adds, each rendered over a row's values,
 * and the columns it writes explicitly so that a volatile default is evaluated once (synthetic
 * columns).
 */
final class InsertDualWrite {
  private final RewriteContext cx;
  private final ColumnValues values;
  private final Insert insert;
  private final RangeVar target;
  private final List<String> columns;
  private final boolean implicitColumns;
  private final List<DerivedColumn> derived;
  private final Set<String> synthetic;
  private final List<String> allColumns;

  private InsertDualWrite(
      RewriteContext cx,
      Insert insert,
      RangeVar target,
      List<String> columns,
      boolean implicitColumns,
      List<DerivedColumn> derived,
      Set<String> synthetic) {
    this.cx = cx;
    this.values = new ColumnValues(cx);
    this.insert = insert;
    this.target = target;
    this.columns = columns;
    this.implicitColumns = implicitColumns;
    this.derived = derived;
    this.synthetic = synthetic;
    this.allColumns = new ArrayList<>(columns);
    this.allColumns.addAll(synthetic);
  }

  /**
   * The dual-write of an INSERT into managed table {@code target} writing {@code columns}, or null
   * when it needs none.
   *
   * @throws StatementRewriter.Rejected when the write must not run in the view's phases
   */
  static InsertDualWrite plan(
      RewriteContext cx,
      Insert insert,
      RangeVar target,
      List<String> columns,
      boolean implicitColumns) {
    ColumnValues values = new ColumnValues(cx);
    List<DerivedColumn> derived = new ArrayList<>();
    for (ColumnPlan p : target.plans()) {
      DualWrite w = DualWrite.of(p, columns, cx.view());
      if (w == null || (w.assignsNone() && defaultsAgree(cx, target, p))) {
        continue;
      }
      w.requireDerivedColumns(target.table());
      for (String d : w.derived()) {
        derived.add(new DerivedColumn(d, p.derivation(d), p));
      }
      cx.applied(p);
    }
    if (derived.isEmpty()) {
      return null;
    }
    // A source column left to a volatile default is written explicitly, so that the default
    // is evaluated once and the derived columns see the stored value. Every other source column
    // left to its default has a stable one.
    Set<String> synthetic = new LinkedHashSet<>();
    for (String u : usedColumns(derived)) {
      if (!columns.contains(u) && !values.defaultOf(ColumnValues.column(target, u)).stable()) {
        synthetic.add(u);
      }
    }
    return new InsertDualWrite(cx, insert, target, columns, implicitColumns, derived, synthetic);
  }

  /**
   * Whether old and new columns get the same value from their defaults when the INSERT writes
   * neither, so that no derived column is needed.
   */
  private static boolean defaultsAgree(RewriteContext cx, RangeVar target, ColumnPlan p) {
    boolean none = true;
    for (List<String> side : List.of(p.oldColumns(), p.newColumns())) {
      for (String c : side) {
        ColumnInfo ci = ColumnValues.column(target, c);
        if (ci != null && ci.defaultExpression().isPresent()) {
          none = false;
        }
      }
    }
    if (none) {
      // forward(NULL) is taken to be NULL: plan expressions are expected to be null-preserving.
      return true;
    }
    if (p.isRename()) {
      ColumnInfo o = ColumnValues.column(target, p.oldColumns().get(0));
      ColumnInfo n = ColumnValues.column(target, p.newColumns().get(0));
      return o != null
          && n != null
          && o.defaultExpression().equals(n.defaultExpression())
          && cx.stableText().test(o.defaultExpression().get());
    }
    return false;
  }

  private static Set<String> usedColumns(List<DerivedColumn> derived) {
    Set<String> out = new LinkedHashSet<>();
    for (DerivedColumn d : derived) {
      out.addAll(d.template().columns());
    }
    return out;
  }

  Insert insert() {
    return insert;
  }

  RangeVar target() {
    return target;
  }

  /** The columns the INSERT writes, as listed (or implied by the old shape). */
  List<String> columns() {
    return columns;
  }

  /** Source columns left to a volatile default, which the rewrite writes explicitly. */
  Set<String> synthetic() {
    return synthetic;
  }

  /** {@link #columns()} followed by {@link #synthetic()}: the values of a rewritten row. */
  List<String> allColumns() {
    return allColumns;
  }

  /** The columns the derivations read. */
  Set<String> usedColumns() {
    return usedColumns(derived);
  }

  /** The catalog's column of the target, or null. */
  ColumnInfo column(String name) {
    return ColumnValues.column(target, name);
  }

  /**
   * Each derived column's expression over one row: {@code rowValues} (one per {@link
   * #allColumns()}) or, when null, {@code refs} to those values in a select the INSERT reads from.
   * A column the row does not give reads as its default.
   */
  List<String> derivedValues(List<WrittenValue> rowValues, List<String> refs) {
    List<String> out = new ArrayList<>();
    for (DerivedColumn d : derived) {
      Template t = d.template();
      out.add(
          t.render(
              col -> {
                int i = allColumns.indexOf(col);
                ColumnInfo ci = column(col);
                String text =
                    i < 0
                        ? values.defaultOf(ci).text()
                        : refs != null ? refs.get(i) : rowValues.get(i).text();
                return ColumnValues.asStored(t, text, ci);
              }));
    }
    return out;
  }

  /** Adds the synthetic and derived columns to the INSERT's column list, or writes one. */
  void appendColumns() {
    List<String> names = new ArrayList<>();
    for (DerivedColumn d : derived) {
      names.add(d.column());
    }
    SqlTokens tokens = cx.tokens();
    if (implicitColumns) {
      String list = " (" + SqlText.identList(allColumns) + ", " + SqlText.identList(names) + ")";
      cx.edits().insert(afterTargetName(), list);
      return;
    }
    List<Column> cols = insert.getColumns();
    int[] last = cx.spans().of(cols.get(cols.size() - 1));
    int i = tokens.indexAtOrAfter(last[1]);
    if (i >= tokens.size() || tokens.kind(i) != SqlTokens.RPAREN) {
      throw new Unanalysable("cannot find the end of the INSERT column list");
    }
    StringBuilder b = new StringBuilder();
    for (int k = cols.size(); k < allColumns.size(); k++) {
      b.append(", ").append(SqlText.ident(allColumns.get(k)));
    }
    b.append(", ").append(SqlText.identList(names));
    cx.edits().insert(tokens.start(i), b.toString());
  }

  /** Offset after {@code INSERT INTO table [AS alias]}. */
  private int afterTargetName() {
    SqlTokens tokens = cx.tokens();
    int[] span = cx.spans().of(insert.getTable());
    int i = tokens.indexAtOrAfter(span[0]);
    // table name parts
    while (i + 2 < tokens.size() && tokens.kind(i + 1) == SqlTokens.DOT) {
      i += 2;
    }
    int end = tokens.end(i);
    if (insert.getTable().getAlias() != null) {
      int j = i + 1;
      if (tokens.isKeyword(j, "as")) {
        j++;
      }
      end = tokens.end(j);
    }
    return end;
  }
}
