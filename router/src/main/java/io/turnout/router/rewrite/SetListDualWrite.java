package io.turnout.router.rewrite;

import io.turnout.router.analysis.RangeVar;
import io.turnout.router.rewrite.StatementRewriter.Rejected;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.schema.Column;

/**
 * The dual-write of one SET list (UPDATE, or ON CONFLICT DO UPDATE): derived columns from the
 * assigned ones, unassigned source columns read from the current row. Stable values are repeated in
 * appended assignments; volatile values and row sub-selects are evaluated once, in a row sub-select
 * that assigns the sources and the derived columns together.
 */
final class SetListDualWrite {
  private final RewriteContext cx;
  private final ColumnTranslator translator;
  private final ColumnValues values;
  private final List<SetItem> items;
  private final RangeVar target;
  private final String q;

  // Who assigns each column, and the value expression where an item assigns values.
  private final Map<String, SetItem> owner = new LinkedHashMap<>();
  private final Map<String, Expression> single = new LinkedHashMap<>();
  private final Map<String, int[]> singleSpan = new LinkedHashMap<>();

  // What each plan's dual-write becomes, by form.
  private final StringBuilder appended = new StringBuilder();
  private final Map<SetItem, List<DerivedColumn>> rowSelectDerived = new LinkedHashMap<>();
  private final Set<SetItem> onceItems = new LinkedHashSet<>();
  private final List<DerivedColumn> onceDerived = new ArrayList<>();
  private final Map<String, WrittenValue> allValues = new LinkedHashMap<>();

  private SetListDualWrite(RewriteContext cx, List<SetItem> items, RangeVar target) {
    this.cx = cx;
    this.translator = new ColumnTranslator(cx.view());
    this.values = new ColumnValues(cx);
    this.items = items;
    this.target = target;
    this.q = target.qualifier();
  }

  /**
   * Adds the dual-write to {@code items}, which assign columns of managed table {@code target}.
   *
   * @throws Rejected when the write must not run in the view's phases
   */
  static void apply(RewriteContext cx, List<SetItem> items, RangeVar target) {
    new SetListDualWrite(cx, items, target).apply();
  }

  private void apply() {
    indexAssignments();
    List<String> assigned = new ArrayList<>(owner.keySet());
    for (ColumnPlan p : target.plans()) {
      DualWrite w = DualWrite.of(p, assigned, cx.view());
      if (w == null || w.assignsNone()) {
        continue;
      }
      w.requireDerivedColumns(target.table());
      cx.applied(p);
      plan(w);
    }
    rewriteRowSelects();
    rewriteVolatile();
    if (appended.length() > 0) {
      SetItem last = items.get(items.size() - 1);
      cx.edits().insert(last.end, appended.toString());
    }
  }

  private void indexAssignments() {
    for (SetItem it : items) {
      for (int i = 0; i < it.columns.size(); i++) {
        Column c = it.columns.get(i);
        String n = ColumnNames.of(c);
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
  }

  /** Decides the form of one plan's dual-write; appends it when its values are stable. */
  private void plan(DualWrite w) {
    ColumnPlan p = w.plan();
    SetItem rowSelect = null;
    boolean once = false;
    Map<String, String> given = new LinkedHashMap<>();
    for (String src : w.sources()) {
      SetItem it = owner.get(src);
      if (it.rowSelect != null) {
        if (rowSelect != null && rowSelect != it) {
          throw new Rejected(p, "assigns its columns from two row sub-selects");
        }
        rowSelect = it;
        continue;
      }
      WrittenValue v =
          values.of(single.get(src), singleSpan.get(src), ColumnValues.column(target, src));
      given.put(src, v.text());
      allValues.put(src, v);
      once |= !v.stable();
    }
    if (rowSelect != null) {
      if (once) {
        throw new Rejected(p, "mixes a row sub-select with volatile values");
      }
      for (String d : w.derived()) {
        rowSelectDerived
            .computeIfAbsent(rowSelect, k -> new ArrayList<>())
            .add(new DerivedColumn(d, p.derivation(d), p));
      }
      return;
    }
    if (!once) {
      for (String d : w.derived()) {
        appended
            .append(", ")
            .append(SqlText.ident(d))
            .append(" = ")
            .append(render(new DerivedColumn(d, p.derivation(d), p), given));
      }
      return;
    }
    for (String src : w.sources()) {
      onceItems.add(owner.get(src));
    }
    for (String d : w.derived()) {
      onceDerived.add(new DerivedColumn(d, p.derivation(d), p));
    }
  }

  /** (a, b, derived…) = (SELECT v.c1, v.c2, derived(v.…) FROM (sub) AS v(c1, c2)) */
  private void rewriteRowSelects() {
    for (Map.Entry<SetItem, List<DerivedColumn>> e : rowSelectDerived.entrySet()) {
      SetItem it = e.getKey();
      int[] sspan = cx.spans().of(it.rowSelect);
      String sub = cx.edits().render(sspan[0], sspan[1]);
      cx.edits()
          .replace(it.start, it.end, assignOnce(it.names(), e.getValue(), allValues, sub, ""));
    }
  }

  /** Volatile values: one correlated row sub-select evaluates them once per row. */
  private void rewriteVolatile() {
    if (onceItems.isEmpty()) {
      return;
    }
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
        String n = ColumnNames.of(it.columns.get(i));
        srcs.add(n);
        WrittenValue v =
            values.of(it.values.get(i), it.valueSpans.get(i), ColumnValues.column(target, n));
        texts.add(ColumnValues.typed(v, ColumnValues.column(target, n)));
      }
    }
    // The reference to the target row makes the sub-select correlated, so it runs per row
    // like the original expression instead of once per statement.
    SetItem first = ordered.get(0);
    cx.edits()
        .replace(
            first.start,
            first.end,
            assignOnce(
                srcs,
                onceDerived,
                Map.of(),
                "(SELECT " + String.join(", ", texts) + ")",
                " WHERE " + q + ".ctid IS NOT NULL"));
    for (int k = 1; k < ordered.size(); k++) {
      SetItem it = ordered.get(k);
      int prevEnd = items.get(items.indexOf(it) - 1).end;
      cx.edits().replace(prevEnd, it.end, "");
    }
  }

  /**
   * {@code (sources…, derived…) = (SELECT v.c1, …, derived(v.…) FROM source AS v(c1, …) where)}:
   * one row assignment that evaluates {@code source} once and derives from its columns, which are
   * assigned to {@code sources}; a derivation reads {@code others} for source columns the SET list
   * assigns elsewhere.
   */
  private String assignOnce(
      List<String> sources,
      List<DerivedColumn> derived,
      Map<String, WrittenValue> others,
      String source,
      String where) {
    SingleEvaluation once = new SingleEvaluation(SingleEvaluation.VALUES_ALIAS, sources.size());
    Map<String, String> given = new LinkedHashMap<>();
    for (int i = 0; i < sources.size(); i++) {
      given.putIfAbsent(sources.get(i), once.refs().get(i));
    }
    others.forEach((col, v) -> given.putIfAbsent(col, v.text()));
    List<String> targets = new ArrayList<>(sources);
    List<String> derivedTexts = new ArrayList<>();
    for (DerivedColumn d : derived) {
      targets.add(d.column());
      derivedTexts.add(render(d, given));
    }
    String sel = once.select(derivedTexts, source);
    return "(" + SqlText.identList(targets) + ") = (" + sel + where + ")";
  }

  /**
   * A derived column's expression over the values the SET list assigns ({@code given}, as stored)
   * and, for the columns it does not assign, the target row's current values.
   */
  private String render(DerivedColumn d, Map<String, String> given) {
    Template t = d.template();
    return t.render(
        col -> {
          String v = given.get(col);
          return v == null
              ? translator.currentValue(target, d.plan(), col, q)
              : ColumnValues.asStored(t, v, ColumnValues.column(target, col));
        });
  }
}
