package io.turnout.router;

import io.turnout.router.lexical.SqlTokens;
import java.util.ArrayList;
import java.util.List;

/**
 * A statement's literal values lifted out into numbered placeholders, so that statements differing
 * only in their values share one cached decision. Clients of the simple protocol send values this
 * way ({@code … WHERE id = 42}), and without this every statement would be new text to analyse. The
 * decision is made on the {@link #shape()}, and its texts get the literals back ({@link #restore}).
 *
 * <p>Only a value in a value position is lifted: a plain {@code '…'} string or a number right after
 * an operator, {@code (} or {@code ,}, and never inside {@code ORDER BY} or {@code GROUP BY}, where
 * a number is a column position. Typed literals ({@code DATE '…'}, {@code E'…'}), {@code LIMIT 10},
 * keywords ({@code NULL}, {@code TRUE}) and everything else stay in the shape as written. A
 * placeholder where the text had a literal means the same to the router's analysis, which rewrites
 * text around values without reading them.
 */
final class LiteralSlots {
  /** Lifting stops after this many values: a long literal list costs a parse, not a big key. */
  private static final int MAX_SLOTS = 256;

  private final String shape;
  private final int first;
  private final List<String> literals;

  private LiteralSlots(String shape, int first, List<String> literals) {
    this.shape = shape;
    this.first = first;
    this.literals = literals;
  }

  /** The statement of {@code tokens} with its values lifted, or null when it has none to lift. */
  static LiteralSlots of(SqlTokens tokens) {
    String sql = tokens.sql();
    int first = 1;
    for (int i = 0; i < tokens.size(); i++) {
      if (tokens.kind(i) == SqlTokens.PARAM) {
        first = Math.max(first, paramNumber(tokens.text(i)) + 1);
      }
    }
    StringBuilder shape = null;
    List<String> literals = new ArrayList<>();
    int copied = 0;
    boolean positions = false; // inside ORDER BY / GROUP BY: numbers are column positions
    int positionsDepth = 0;
    int depth = 0;
    for (int i = 0; i < tokens.size(); i++) {
      byte kind = tokens.kind(i);
      if (kind == SqlTokens.LPAREN) {
        depth++;
      } else if (kind == SqlTokens.RPAREN) {
        depth--;
        if (positions && depth < positionsDepth) {
          positions = false;
        }
      } else if (kind == SqlTokens.IDENT) {
        if (tokens.isKeyword(i, "by")
            && (tokens.isKeyword(i - 1, "order") || tokens.isKeyword(i - 1, "group"))) {
          positions = true;
          positionsDepth = depth;
        } else if (positions && depth == positionsDepth && endsPositions(tokens, i)) {
          positions = false;
        }
      }
      if (positions
          || literals.size() == MAX_SLOTS
          || !isValue(tokens, i)
          || !afterValueStart(tokens, i)) {
        continue;
      }
      if (shape == null) {
        shape = new StringBuilder(sql.length() + 16);
      }
      shape.append(sql, copied, tokens.start(i)).append('$').append(first + literals.size());
      literals.add(tokens.text(i));
      copied = tokens.end(i);
    }
    if (shape == null) {
      return null;
    }
    shape.append(sql, copied, sql.length());
    return new LiteralSlots(shape.toString(), first, List.copyOf(literals));
  }

  /** The statement with placeholders for its values: what is decided and cached. */
  String shape() {
    return shape;
  }

  /** {@code decision}, made on the shape, with the statement's own values back in its texts. */
  Decision restore(Decision decision) {
    if (decision instanceof Rewrite r) {
      return new Rewrite(restore(r.sql()), r.migrationIds());
    }
    if (decision instanceof Route r) {
      return new Route(restore(r.oldSql()), restore(r.newSql()), r.migrationId(), restore(r.key()));
    }
    return decision; // a pass-through sends the client's bytes; a refusal names no value
  }

  /** A key on one of this statement's placeholders is the literal it holds. */
  private StickyKey restore(StickyKey key) {
    if (key == null || !key.isParameter()) {
      return key;
    }
    int slot = key.parameter() - first;
    return slot < 0 || slot >= literals.size()
        ? key
        : StickyKey.literal(literals.get(slot), key.typeOid());
  }

  /** {@code text} with each of this statement's placeholders replaced by its literal. */
  String restore(String text) {
    SqlTokens tokens = SqlTokens.scan(text);
    StringBuilder out = new StringBuilder(text.length() + 32);
    int copied = 0;
    for (int i = 0; i < tokens.size(); i++) {
      if (tokens.kind(i) != SqlTokens.PARAM) {
        continue;
      }
      int slot = paramNumber(tokens.text(i)) - first;
      if (slot < 0 || slot >= literals.size()) {
        continue;
      }
      out.append(text, copied, tokens.start(i)).append(literals.get(slot));
      copied = tokens.end(i);
    }
    return out.append(text, copied, text.length()).toString();
  }

  private static boolean isValue(SqlTokens tokens, int i) {
    byte kind = tokens.kind(i);
    return kind == SqlTokens.NUMBER
        || (kind == SqlTokens.STRING && tokens.sql().charAt(tokens.start(i)) == '\'');
  }

  /** Token {@code i} follows an operator, {@code (} or {@code ,}: it stands where a value goes. */
  private static boolean afterValueStart(SqlTokens tokens, int i) {
    if (i == 0) {
      return false;
    }
    byte before = tokens.kind(i - 1);
    if (before == SqlTokens.OPERATOR) {
      return !tokens.text(i - 1).equals("::");
    }
    return before == SqlTokens.LPAREN || before == SqlTokens.COMMA;
  }

  /** A keyword that ends an ORDER BY or GROUP BY list. */
  private static boolean endsPositions(SqlTokens tokens, int i) {
    for (String word :
        new String[] {
          "limit",
          "offset",
          "fetch",
          "for",
          "having",
          "window",
          "union",
          "intersect",
          "except",
          "returning",
          "on",
          "into"
        }) {
      if (tokens.isKeyword(i, word)) {
        return true;
      }
    }
    return false;
  }

  private static int paramNumber(String param) {
    try {
      return Integer.parseInt(param.substring(1));
    } catch (NumberFormatException e) {
      return 0; // a $ that is not a placeholder's
    }
  }
}
