package io.turnout.router.rewrite;

import io.turnout.config.catalog.Catalog;
import io.turnout.config.plan.TableName;
import io.turnout.router.analysis.ParsedStatement;
import io.turnout.router.analysis.Scope;
import io.turnout.router.analysis.Unanalysable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import net.sf.jsqlparser.statement.Statement;

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
 *
 * <p>The work is split by clause and statement kind: {@link StatementWalker} dispatches to the
 * query, INSERT, UPDATE and DELETE rewriters, which share a {@link RewriteContext}.
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
  private final RewriteContext cx;

  public StatementRewriter(
      ParsedStatement parsed,
      Catalog catalog,
      Map<TableName, List<ColumnPlan>> plansByTable,
      View view,
      Predicate<String> stableText) {
    this.parsed = parsed;
    this.cx = new RewriteContext(parsed, catalog, plansByTable, view, stableText);
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
      new StatementWalker(cx).statement(st, root);
    } catch (IllegalStateException | ClassCastException | IndexOutOfBoundsException e) {
      throw new Unanalysable("rewrite failed: " + e.getMessage());
    }
    cx.coverage().check();
    String sql = cx.sql();
    String out = cx.edits().isEmpty() ? sql : cx.edits().apply();
    return new Result(out, !out.equals(sql), cx.touched(), cx.applied());
  }
}
