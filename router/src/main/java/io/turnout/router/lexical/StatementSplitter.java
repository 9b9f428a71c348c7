package io.turnout.router.lexical;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a simple-protocol Query string into its statements at top-level semicolons, the way
 * PostgreSQL does: a semicolon inside a string, quoted identifier, dollar quote, comment or
 * parentheses does not split. Each piece keeps its exact text (leading comments included) so an
 * undecided statement can be forwarded byte-identical; pieces with no tokens are dropped.
 */
public final class StatementSplitter {
  private StatementSplitter() {}

  /** A statement's text and its [start, end) offsets in the original string, without the ';'. */
  public record Piece(String sql, int start, int end) {}

  public static List<Piece> split(String query) {
    SqlTokens tokens = SqlTokens.scan(query);
    List<Piece> pieces = new ArrayList<>(2);
    int depth = 0;
    int pieceStart = 0;
    int firstToken = -1;
    for (int i = 0, n = tokens.size(); i < n; i++) {
      byte kind = tokens.kind(i);
      if (kind == SqlTokens.LPAREN) {
        depth++;
      } else if (kind == SqlTokens.RPAREN) {
        depth = Math.max(0, depth - 1);
      } else if (kind == SqlTokens.SEMICOLON && depth == 0) {
        if (firstToken >= 0) {
          pieces.add(
              new Piece(query.substring(pieceStart, tokens.start(i)), pieceStart, tokens.start(i)));
        }
        pieceStart = tokens.end(i);
        firstToken = -1;
        continue;
      }
      if (firstToken < 0) {
        firstToken = i;
      }
    }
    if (firstToken >= 0) {
      pieces.add(new Piece(query.substring(pieceStart), pieceStart, query.length()));
    }
    return pieces;
  }

  /** The statements' texts only. */
  public static List<String> statements(String query) {
    List<Piece> pieces = split(query);
    List<String> out = new ArrayList<>(pieces.size());
    for (Piece p : pieces) {
      out.add(p.sql());
    }
    return out;
  }
}
