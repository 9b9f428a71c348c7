package io.turnout.router.rewrite;

import io.turnout.router.analysis.ParsedStatement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;

/**
 * A plan expression ({@code split_part(name, ' ', 1)}) with its column references as slots, so it
 * can be rendered over any values: stored values, a row's columns, {@code EXCLUDED.x}.
 */
public final class Template {
  private record Slot(int start, int end, String column) {}

  private final String text;
  private final List<Slot> slots;
  private final boolean identity;

  private Template(String text, List<Slot> slots, boolean identity) {
    this.text = text;
    this.slots = List.copyOf(slots);
    this.identity = identity;
  }

  /** The value of {@code column} itself (a rename). */
  public static Template column(String column) {
    return new Template(column, List.of(new Slot(0, column.length(), column)), true);
  }

  /**
   * Parses a plan expression; unqualified column names become slots.
   *
   * @throws IllegalArgumentException when the expression does not parse or names a qualified column
   */
  public static Template parse(String expression) {
    Expression e;
    try {
      e = CCJSqlParserUtil.parseExpression(expression, false);
    } catch (JSQLParserException ex) {
      throw new IllegalArgumentException(
          "cannot parse expression '" + expression + "': " + ex.getMessage(), ex);
    }
    List<Slot> slots = new ArrayList<>();
    e.accept(
        new ExpressionVisitorAdapter<Void>() {
          @Override
          public <S> Void visit(Column column, S context) {
            if (column.getTable() != null && column.getTable().getName() != null) {
              throw new IllegalArgumentException(
                  "expression '" + expression + "' must name columns unqualified: " + column);
            }
            int[] span = ParsedStatement.span(column);
            if (span == null) {
              throw new IllegalArgumentException("no position for " + column);
            }
            slots.add(new Slot(span[0], span[1], SqlText.fold(column.getColumnName())));
            return null;
          }
        },
        null);
    slots.sort((a, b) -> Integer.compare(a.start(), b.start()));
    return new Template(expression, slots, false);
  }

  /** True for a plain column reference (a rename): no cast, no parentheses needed. */
  public boolean isIdentity() {
    return identity;
  }

  /** The columns this expression reads. */
  public Set<String> columns() {
    Set<String> out = new LinkedHashSet<>();
    for (Slot s : slots) {
      out.add(s.column());
    }
    return out;
  }

  /** Renders with each column replaced by {@code valueOf.apply(column)} (parenthesised). */
  public String render(Function<String, String> valueOf) {
    if (identity) {
      return valueOf.apply(slots.get(0).column());
    }
    StringBuilder b = new StringBuilder(text.length() + 32);
    int pos = 0;
    for (Slot s : slots) {
      b.append(text, pos, s.start()).append(SqlText.paren(valueOf.apply(s.column())));
      pos = s.end();
    }
    b.append(text, pos, text.length());
    return b.toString();
  }

  @Override
  public String toString() {
    return text;
  }
}
