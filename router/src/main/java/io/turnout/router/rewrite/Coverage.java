package io.turnout.router.rewrite;

import io.turnout.router.analysis.ParsedStatement;
import io.turnout.router.analysis.Unanalysable;
import io.turnout.router.lexical.SqlTokens;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.schema.Column;

/**
 * The rewrite's final check: every identifier token that spells a managed column name (of a table
 * the statement uses) must lie inside something the analysis looked at. A reference the tree walk
 * missed would silently escape the rewrite, so the statement is unanalysable instead.
 */
final class Coverage {
  private final SqlTokens tokens;
  private final BitSet seen = new BitSet();
  private final Set<String> managedNames = new HashSet<>();

  Coverage(SqlTokens tokens) {
    this.tokens = tokens;
  }

  /** Watches the old and new column names of a plan on a table the statement uses. */
  void watch(ColumnPlan plan) {
    managedNames.addAll(plan.oldColumns());
    managedNames.addAll(plan.newColumns());
  }

  /** True when {@code name} is a watched column name. */
  boolean isManagedName(String name) {
    return managedNames.contains(name);
  }

  /** Marks the source text of a parse-tree node as seen. */
  void markSeen(Object node) {
    int[] span = ParsedStatement.span(node);
    if (span != null) {
      seen.set(span[0], Math.max(span[0] + 1, span[1]));
    }
  }

  /** Marks an expression and every column reference inside it as seen. */
  void markSeenDeep(Expression e) {
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

  /** Marks token {@code i} as seen. */
  void markToken(int i) {
    seen.set(tokens.start(i));
  }

  /**
   * @throws Unanalysable when an identifier spelling a watched name was not seen
   */
  void check() {
    if (managedNames.isEmpty()) {
      return;
    }
    for (int i = 0, n = tokens.size(); i < n; i++) {
      if (!tokens.isIdentifier(i)) {
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
