package io.turnout.router.rewrite;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.plan.TableName;
import io.turnout.router.analysis.ParsedStatement;
import io.turnout.router.lexical.SqlTokens;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What the parts of one rewrite share: the statement with its tokens, what the rewrite looks up
 * (catalog, active plans by table, the view, which default expressions are stable), and what it has
 * produced so far (edits, coverage, the migrations touched and applied).
 */
final class RewriteContext {
  private final String sql;
  private final SqlTokens tokens;
  private final Catalog catalog;
  private final Map<TableName, List<ColumnPlan>> plansByTable;
  private final View view;
  private final Predicate<String> stableText;
  private final Edits edits;
  private final SourceSpans spans;
  private final Coverage coverage;
  private final Set<String> touched = new LinkedHashSet<>();
  private final Set<String> applied = new LinkedHashSet<>();

  RewriteContext(
      ParsedStatement parsed,
      Catalog catalog,
      Map<TableName, List<ColumnPlan>> plansByTable,
      View view,
      Predicate<String> stableText) {
    this.sql = parsed.sql();
    this.tokens = parsed.tokens();
    this.catalog = catalog;
    this.plansByTable = plansByTable;
    this.view = view;
    this.stableText = stableText;
    this.edits = new Edits(sql);
    this.spans = new SourceSpans(sql, tokens);
    this.coverage = new Coverage(tokens);
  }

  String sql() {
    return sql;
  }

  SqlTokens tokens() {
    return tokens;
  }

  Catalog catalog() {
    return catalog;
  }

  Map<TableName, List<ColumnPlan>> plansByTable() {
    return plansByTable;
  }

  View view() {
    return view;
  }

  /** Whether a default expression may be evaluated twice with the same result. */
  Predicate<String> stableText() {
    return stableText;
  }

  Edits edits() {
    return edits;
  }

  SourceSpans spans() {
    return spans;
  }

  Coverage coverage() {
    return coverage;
  }

  /** Records that the statement uses a table {@code plan} manages. */
  void uses(ColumnPlan plan) {
    touched.add(plan.id());
    coverage.watch(plan);
  }

  /** Records that the rewrite changed the statement for {@code plan}. */
  void applied(ColumnPlan plan) {
    applied.add(plan.id());
  }

  /** Ids of the plans on the tables the statement uses, in the order met. */
  Set<String> touched() {
    return touched;
  }

  /** Ids of the plans the rewrite changed the statement for, in the order applied. */
  Set<String> applied() {
    return applied;
  }
}
