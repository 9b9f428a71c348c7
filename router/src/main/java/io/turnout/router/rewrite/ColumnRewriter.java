package io.turnout.router.rewrite;

import io.turnout.router.analysis.RangeVar;
import io.turnout.router.analysis.Scope;
import io.turnout.router.analysis.Unanalysable;
import io.turnout.router.lexical.SqlTokens;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;

/**
 * Resolves a column reference to its range variable through the scopes (looking outwards for
 * correlated references) and, when it names a managed column the view wants in the other side,
 * replaces it in the text.
 */
final class ColumnRewriter {
  private final RewriteContext cx;
  private final ColumnTranslator translator;

  ColumnRewriter(RewriteContext cx) {
    this.cx = cx;
    this.translator = new ColumnTranslator(cx.view());
  }

  /** Rewrites one column reference if it needs it; returns true when the text changed. */
  boolean column(Column c, Scope scope) {
    cx.coverage().markSeen(c);
    String col = ColumnNames.of(c);
    Table t = c.getTable();
    RangeVar v;
    if (t != null && t.getName() != null) {
      String schema = t.getSchemaName() == null ? null : SqlText.fold(t.getSchemaName());
      v = scope.byName(schema, SqlText.fold(t.getName()));
      if (v == null) {
        return false;
      }
    } else {
      if (col.equals("default") && !ColumnNames.isQuoted(c)) {
        return false;
      }
      v = resolveBare(col, scope);
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
    if (p == null || !translator.needsTranslation(p, col)) {
      return false;
    }
    if (c.getArrayConstructor() != null) {
      throw new Unanalysable("subscripted managed column " + col);
    }
    cx.applied(p);
    replace(c, v, p, col, scope);
    return true;
  }

  /** The range variable an unqualified column name refers to, looking outwards; null if none. */
  RangeVar resolveBare(String col, Scope scope) {
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
      if (unknown && cx.coverage().isManagedName(col)) {
        throw new Unanalysable("cannot resolve column " + col + " with certainty");
      }
    }
    return null;
  }

  private void replace(Column c, RangeVar v, ColumnPlan p, String col, Scope scope) {
    SqlTokens tokens = cx.tokens();
    int[] span = cx.spans().of(c);
    int first = tokens.indexStartingAt(span[0]);
    int last = tokens.indexEndingAt(span[1]);
    if (first < 0 || last < 0 || !tokens.isIdentifier(last)) {
      throw new Unanalysable("column reference " + c + " does not align with its tokens");
    }
    String qualifier =
        last > first ? cx.sql().substring(tokens.start(first), tokens.start(last - 1)) : null;
    String rendered =
        translator.translation(v, p, col, qualifier != null ? qualifier : qualifierFor(v, scope));
    if (p.isRename() && rendered.indexOf('(') < 0) {
      // A rename only swaps the name token, so qualifiers and quoting stay as written.
      String other = p.derivation(col).columns().iterator().next();
      cx.edits().replace(tokens.start(last), tokens.end(last), SqlText.ident(other));
      return;
    }
    cx.edits().replace(span[0], span[1], rendered);
  }

  /** Qualifier for generated references: none when unambiguous, else the range variable's. */
  private static String qualifierFor(RangeVar v, Scope scope) {
    if (scope.isSoleVar(v)) {
      return null;
    }
    return v.qualifier();
  }
}
