package io.turnout.router.analysis;

import io.turnout.router.lexical.SqlTokens;
import net.sf.jsqlparser.parser.ASTNodeAccess;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.parser.Node;
import net.sf.jsqlparser.parser.Token;
import net.sf.jsqlparser.statement.Statement;

/**
 * One statement parsed by JSqlParser, driven directly on the calling thread (the convenience {@code
 * CCJSqlParserUtil.parseStatements} starts a thread per call), together with PostgreSQL's view of
 * its tokens. Tree nodes carry source offsets ({@link #span}); edits are spliced into the original
 * text at those offsets, so the tree is never printed back.
 *
 * <p>Literals JSqlParser does not read faithfully are masked before parsing with a literal of the
 * same length, so every offset stays valid: {@code E'…'} strings with backslash escapes and
 * untagged {@code $$…$$} quotes. Tagged dollar quotes and {@code U&} strings are not masked: a
 * statement containing one that touches a managed table is treated as unanalysable.
 */
public final class ParsedStatement {
  /**
   * The deepest nesting of parentheses and brackets handed to JSqlParser. Its recursive descent
   * slows down steeply with depth (about 2.5 s for 1,000 levels, then a StackOverflowError) while
   * real statements stay far below this.
   */
  public static final int MAX_DEPTH = 200;

  private final String sql;
  private final SqlTokens tokens;
  private final Statement statement;

  private ParsedStatement(String sql, SqlTokens tokens, Statement statement) {
    this.sql = sql;
    this.tokens = tokens;
    this.statement = statement;
  }

  /**
   * Parses one statement (a trailing semicolon is allowed).
   *
   * @throws Unanalysable with JSqlParser's first message line when it cannot parse the text
   */
  public static ParsedStatement parse(String sql, SqlTokens tokens) {
    if (tokens.hasUnterminated()) {
      throw new Unanalysable("unterminated literal or comment");
    }
    if (tokens.maxDepth() > MAX_DEPTH) {
      throw new Unanalysable(
          "nesting depth " + tokens.maxDepth() + " over the budget of " + MAX_DEPTH);
    }
    String masked = mask(sql, tokens);
    Statement st;
    try {
      st = parse(masked, false);
    } catch (StackOverflowError e) {
      // Retrying with complex parsing would only recurse deeper.
      throw new Unanalysable("too deeply nested for the parser (stack overflow)");
    } catch (RuntimeException | net.sf.jsqlparser.parser.ParseException | Error e) {
      rethrowFatal(e);
      try {
        st = parse(masked, true);
      } catch (StackOverflowError e2) {
        throw new Unanalysable("too deeply nested for the parser (stack overflow)");
      } catch (RuntimeException | net.sf.jsqlparser.parser.ParseException | Error e2) {
        rethrowFatal(e2);
        throw new Unanalysable("JSqlParser: " + firstLine(e2.getMessage()));
      }
    }
    return new ParsedStatement(sql, tokens, st);
  }

  /** Out of memory and the like are not the statement's fault; they propagate. */
  private static void rethrowFatal(Throwable t) {
    if (t instanceof VirtualMachineError vme) {
      throw vme;
    }
  }

  private static Statement parse(String sql, boolean complex)
      throws net.sf.jsqlparser.parser.ParseException {
    CCJSqlParser parser = CCJSqlParserUtil.newParser(sql).withAllowComplexParsing(complex);
    Statement st = parser.Statement();
    Token next = parser.getNextToken();
    if (st == null || (next != null && next.kind != 0)) {
      throw new net.sf.jsqlparser.parser.ParseException(
          "unexpected text after the statement" + (next == null ? "" : ": " + next.image));
    }
    return st;
  }

  private static String mask(String sql, SqlTokens tokens) {
    char[] chars = null;
    for (int i = 0, n = tokens.size(); i < n; i++) {
      byte kind = tokens.kind(i);
      int s = tokens.start(i);
      int e = tokens.end(i);
      boolean escapeString =
          kind == SqlTokens.STRING
              && (sql.charAt(s) == 'e' || sql.charAt(s) == 'E')
              && sql.indexOf('\\', s) >= 0
              && sql.indexOf('\\', s) < e;
      boolean plainDollar = kind == SqlTokens.DOLLAR_STRING && sql.startsWith("$$", s);
      // UPDATE ONLY / DELETE FROM ONLY / FROM ONLY: inheritance only, irrelevant to the
      // analysis, and JSqlParser does not accept it after UPDATE.
      if (kind == SqlTokens.IDENT
          && tokens.isKeyword(i, "only")
          && i > 0
          && (tokens.isKeyword(i - 1, "update")
              || tokens.isKeyword(i - 1, "from")
              || tokens.isKeyword(i - 1, "join"))) {
        if (chars == null) {
          chars = sql.toCharArray();
        }
        for (int k = s; k < e; k++) {
          chars[k] = ' ';
        }
        continue;
      }
      if (escapeString || plainDollar) {
        if (chars == null) {
          chars = sql.toCharArray();
        }
        int from = escapeString ? s + 1 : s;
        chars[from] = '\'';
        for (int k = from + 1; k < e - 1; k++) {
          chars[k] = 'x';
        }
        chars[e - 1] = '\'';
      }
    }
    return chars == null ? sql : new String(chars);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "parse error";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).trim();
  }

  public String sql() {
    return sql;
  }

  public SqlTokens tokens() {
    return tokens;
  }

  public Statement statement() {
    return statement;
  }

  /**
   * The [start, end) offsets of a tree node in the statement text, or {@code null} when JSqlParser
   * did not attach tokens to it.
   */
  public static int[] span(Object node) {
    if (!(node instanceof ASTNodeAccess access)) {
      return null;
    }
    Node n = access.getASTNode();
    if (n == null || n.jjtGetFirstToken() == null || n.jjtGetLastToken() == null) {
      return null;
    }
    // JSqlParser's absolute offsets are 1-based.
    int start = n.jjtGetFirstToken().absoluteBegin - 1;
    int end = n.jjtGetLastToken().absoluteEnd - 1;
    if (start < 0 || end < start) {
      return null;
    }
    return new int[] {start, end};
  }
}
