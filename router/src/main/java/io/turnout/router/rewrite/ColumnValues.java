package io.turnout.router.rewrite;

import io.turnout.config.catalog.ColumnInfo;
import io.turnout.router.analysis.RangeVar;
import io.turnout.router.analysis.Unanalysable;
import java.util.Optional;
import java.util.function.Predicate;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;

/**
 * The values a write stores: as written, as the column's default, typed as PostgreSQL would have
 * typed them in place, and as the column stores them (which is what a derivation must see).
 */
final class ColumnValues {
  private final Edits edits;
  private final Predicate<String> stableText;

  ColumnValues(RewriteContext cx) {
    this.edits = cx.edits();
    this.stableText = cx.stableText();
  }

  /** The value expression {@code e} at {@code span} assigns to {@code column} (null: unknown). */
  WrittenValue of(Expression e, int[] span, ColumnInfo column) {
    if (ColumnNames.isDefaultKeyword(e)) {
      return defaultOf(column);
    }
    String text = edits.render(span[0], span[1]);
    boolean untyped =
        isUntyped(e)
            || (e instanceof ParenthesedExpressionList<?> pl
                && pl.size() == 1
                && (pl.get(0) instanceof JdbcParameter || pl.get(0) instanceof StringValue));
    return new WrittenValue(text, Volatility.isStable(e), untyped);
  }

  /**
   * The value a column gets when the write leaves it to its default.
   *
   * @throws Unanalysable when the catalog does not show the default of a NOT NULL column
   */
  WrittenValue defaultOf(ColumnInfo column) {
    if (column == null) {
      return new WrittenValue("NULL", true, true);
    }
    Optional<String> d = column.defaultExpression();
    if (d.isEmpty()) {
      if (column.notNull()) {
        // Probably an identity column, whose default the catalog does not show.
        throw new Unanalysable("DEFAULT of NOT NULL column " + column.name() + " is unknown");
      }
      return new WrittenValue(SqlText.cast("NULL", column.type()), true, false);
    }
    return new WrittenValue(d.get(), stableText.test(d.get()), false);
  }

  /** The catalog's column of the target table, or null when the table or column is unknown. */
  static ColumnInfo column(RangeVar target, String column) {
    return target.table() == null ? null : target.table().column(column).orElse(null);
  }

  /**
   * True for a parameter, string literal or NULL, which PostgreSQL types from the column they are
   * assigned to.
   */
  static boolean isUntyped(Expression e) {
    return e instanceof JdbcParameter || e instanceof StringValue || e instanceof NullValue;
  }

  /** A value cast to its column's type when it is an untyped literal or parameter. */
  static String typed(WrittenValue v, ColumnInfo column) {
    if (v.untyped() && column != null) {
      return SqlText.cast(v.text(), SqlText.baseType(column.type()));
    }
    return v.text();
  }

  /** {@code text} as the column stores it: cast to the column's full type. */
  static String stored(String text, ColumnInfo column) {
    if (column == null) {
      return text;
    }
    String cast = SqlText.cast(text, column.type());
    return text.startsWith("CAST(") && text.endsWith(" AS " + column.type() + ")") ? text : cast;
  }

  /**
   * A source value as {@code template} reads it: as written for a rename, which copies it into a
   * column of the same type; as stored for a transform (numeric(12,2) rounds, for one).
   */
  static String asStored(Template template, String text, ColumnInfo column) {
    return template.isIdentity() ? text : stored(text, column);
  }
}
