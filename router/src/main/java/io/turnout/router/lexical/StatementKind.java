package io.turnout.router.lexical;

/**
 * What a statement does, judged from its leading key words only, for statements the parser does not
 * see (utility commands) and for the unanalysable path (is it a read or a write?).
 */
public enum StatementKind {
  /** SELECT, VALUES, TABLE, or WITH … SELECT without data-modifying CTEs. */
  QUERY,
  /** INSERT, UPDATE, DELETE, MERGE, or WITH containing one of them. */
  DML,
  /** COPY … FROM: loads rows without dual-write. */
  COPY_FROM,
  /** Code whose effect is unknown: DO blocks, EXPLAIN ANALYZE of DML, PREPARE … AS DML. */
  OPAQUE_WRITE,
  /** A read the parser does not see: COPY … TO, EXPLAIN ANALYZE SELECT, PREPARE … AS SELECT. */
  OPAQUE_READ,
  /** Everything else: DDL, SET, SHOW, transaction control, LISTEN/NOTIFY, EXPLAIN, … */
  UTILITY;

  /** Classifies by leading key words; {@code tokens} must be the statement's own. */
  public static StatementKind of(SqlTokens tokens) {
    int i = 0;
    int n = tokens.size();
    while (i < n && tokens.kind(i) == SqlTokens.LPAREN) {
      i++;
    }
    if (i >= n) {
      return UTILITY;
    }
    if (tokens.isKeyword(i, "select")
        || tokens.isKeyword(i, "values")
        || tokens.isKeyword(i, "table")) {
      return QUERY;
    }
    if (tokens.isKeyword(i, "insert")
        || tokens.isKeyword(i, "update")
        || tokens.isKeyword(i, "delete")
        || tokens.isKeyword(i, "merge")) {
      return DML;
    }
    if (tokens.isKeyword(i, "with")) {
      return containsDml(tokens, i + 1) ? DML : QUERY;
    }
    if (tokens.isKeyword(i, "copy")) {
      for (int j = i + 1; j < n; j++) {
        if (tokens.isKeyword(j, "from")) {
          return tokens.kind(i + 1) == SqlTokens.LPAREN ? OPAQUE_READ : COPY_FROM;
        }
        if (tokens.isKeyword(j, "to")) {
          return OPAQUE_READ;
        }
        if (tokens.kind(j) == SqlTokens.LPAREN) {
          j = skipParens(tokens, j);
        }
      }
      return OPAQUE_READ;
    }
    if (tokens.isKeyword(i, "do")) {
      return OPAQUE_WRITE;
    }
    if (tokens.isKeyword(i, "explain")) {
      boolean analyze = false;
      int j = i + 1;
      for (; j < n; j++) {
        if (tokens.isKeyword(j, "analyze") || tokens.isKeyword(j, "analyse")) {
          analyze = true;
        } else if (tokens.kind(j) == SqlTokens.LPAREN) {
          int end = skipParens(tokens, j);
          for (int k = j; k < end; k++) {
            if (tokens.isKeyword(k, "analyze") || tokens.isKeyword(k, "analyse")) {
              boolean off =
                  k + 1 < end
                      && (tokens.isKeyword(k + 1, "false") || tokens.isKeyword(k + 1, "off"));
              analyze |= !off;
            }
          }
          j = end;
        } else if (!tokens.isKeyword(j, "verbose")) {
          break;
        }
      }
      if (!analyze) {
        return UTILITY;
      }
      return containsDml(tokens, j) ? OPAQUE_WRITE : OPAQUE_READ;
    }
    if (tokens.isKeyword(i, "prepare")) {
      for (int j = i + 1; j < n; j++) {
        if (tokens.isKeyword(j, "as")) {
          return containsDml(tokens, j + 1) ? OPAQUE_WRITE : OPAQUE_READ;
        }
      }
      return UTILITY;
    }
    return UTILITY;
  }

  private static boolean containsDml(SqlTokens tokens, int from) {
    for (int j = from; j < tokens.size(); j++) {
      if (tokens.isKeyword(j, "insert")
          || tokens.isKeyword(j, "update")
              && !(j > 0 && tokens.isKeyword(j - 1, "for"))
              && !(j > 0 && tokens.isKeyword(j - 1, "key"))
          || tokens.isKeyword(j, "delete")
          || tokens.isKeyword(j, "merge")) {
        return true;
      }
    }
    return false;
  }

  private static int skipParens(SqlTokens tokens, int open) {
    int depth = 0;
    for (int j = open; j < tokens.size(); j++) {
      if (tokens.kind(j) == SqlTokens.LPAREN) {
        depth++;
      } else if (tokens.kind(j) == SqlTokens.RPAREN && --depth == 0) {
        return j;
      }
    }
    return tokens.size() - 1;
  }
}
