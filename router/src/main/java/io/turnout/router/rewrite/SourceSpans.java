package io.turnout.router.rewrite;

import io.turnout.router.analysis.ParsedStatement;
import io.turnout.router.analysis.Unanalysable;
import io.turnout.router.lexical.SqlTokens;
import java.util.ArrayList;
import java.util.List;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * Where things are in the statement's text. The parser records the [start, end) offsets of
 * parse-tree nodes but not of list elements, parentheses or keywords, which the rewrite needs to
 * splice at; those are found through the tokens.
 */
final class SourceSpans {
  private final String sql;
  private final SqlTokens tokens;

  SourceSpans(String sql, SqlTokens tokens) {
    this.sql = sql;
    this.tokens = tokens;
  }

  /**
   * The [start, end) offsets of a parse-tree node.
   *
   * @throws Unanalysable when the parser recorded none
   */
  int[] of(Object node) {
    int[] span = ParsedStatement.span(node);
    if (span == null) {
      throw new Unanalysable(
          "no source position for " + node.getClass().getSimpleName() + " " + node);
    }
    return span;
  }

  /** A select item's expression span: the item without its alias. */
  int[] withoutAlias(SelectItem<?> item) {
    int[] span = of(item);
    if (item.getAlias() == null) {
      return span;
    }
    int last = tokens.indexEndingAt(span[1]);
    if (last > 0 && tokens.isKeyword(last - 1, "as")) {
      last--;
    }
    return new int[] {span[0], tokens.end(last - 1)};
  }

  /** True when token {@code i} opens a nesting level: a parenthesis or an array subscript. */
  boolean opensNesting(int i) {
    byte k = tokens.kind(i);
    return k == SqlTokens.LPAREN || (k == SqlTokens.BRACKET && sql.charAt(tokens.start(i)) == '[');
  }

  /** True when token {@code i} closes a nesting level: a parenthesis or an array subscript. */
  boolean closesNesting(int i) {
    byte k = tokens.kind(i);
    return k == SqlTokens.RPAREN || (k == SqlTokens.BRACKET && sql.charAt(tokens.start(i)) == ']');
  }

  /** Token index of the parenthesis closing the one at {@code open}. */
  int matching(int open) {
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
  List<int[]> elements(int open) {
    int close = matching(open);
    List<int[]> out = new ArrayList<>();
    int depth = 0;
    int start = -1;
    int end = -1;
    for (int j = open + 1; j < close; j++) {
      if (tokens.kind(j) == SqlTokens.COMMA && depth == 0) {
        out.add(new int[] {start, end});
        start = -1;
        continue;
      }
      if (opensNesting(j)) {
        depth++;
      } else if (closesNesting(j)) {
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
}
