package io.turnout.router.rewrite;

import io.turnout.config.plan.Identifiers;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Small helpers for SQL text the rewriter generates: identifier quoting and type names. */
public final class SqlText {
  private static final Pattern TYPMOD = Pattern.compile("\\([^)]*\\)");

  /**
   * Reserved key words (PostgreSQL Appendix C, "reserved" and "reserved (can be function or
   * type)"), which must be quoted as column names or labels.
   */
  private SqlText() {}

  /**
   * A folded name as SQL: bare when PostgreSQL reads it back unchanged, quoted otherwise (the
   * plan's own rule, so plan and rewrites agree on reserved words).
   */
  public static String ident(String folded) {
    return Identifiers.quote(folded);
  }

  /** Folded names as a comma-separated SQL list: {@code a, "B", c}. */
  public static String identList(List<String> folded) {
    StringBuilder b = new StringBuilder();
    for (String n : folded) {
      b.append(b.length() > 0 ? ", " : "").append(ident(n));
    }
    return b.toString();
  }

  /**
   * Folds a name as written in SQL: {@code Email} → {@code email}, {@code "Email"} → {@code Email}.
   */
  public static String fold(String written) {
    if (written == null) {
      return null;
    }
    if (written.length() >= 2 && written.charAt(0) == '"') {
      return written.substring(1, written.length() - 1).replace("\"\"", "\"");
    }
    return written.toLowerCase(Locale.ROOT);
  }

  /**
   * The type without its modifier, for casts whose only job is to give an untyped literal or
   * parameter the type PostgreSQL would have inferred: {@code character varying(255)} → {@code
   * character varying}. Keeping the modifier would truncate silently where an assignment raises.
   */
  public static String baseType(String formattedType) {
    return TYPMOD.matcher(formattedType).replaceAll("");
  }

  /** Wraps an expression in parentheses unless it is a single token that needs none. */
  public static String paren(String expr) {
    if (isAtom(expr)) {
      return expr;
    }
    return "(" + expr + ")";
  }

  /** Casts {@code expr} to {@code type}: {@code CAST(expr AS type)}. */
  public static String cast(String expr, String type) {
    return "CAST(" + expr + " AS " + type + ")";
  }

  /** {@code name(…)} whose parenthesis closes at the very end, e.g. {@code CAST($1 AS text)}. */
  private static boolean isCall(String s) {
    io.turnout.router.lexical.SqlTokens t = io.turnout.router.lexical.SqlTokens.scan(s);
    if (t.size() < 3
        || t.kind(0) != io.turnout.router.lexical.SqlTokens.IDENT
        || t.kind(1) != io.turnout.router.lexical.SqlTokens.LPAREN
        || t.end(t.size() - 1) != s.length()) {
      return false;
    }
    int depth = 0;
    for (int i = 1; i < t.size(); i++) {
      byte k = t.kind(i);
      if (k == io.turnout.router.lexical.SqlTokens.LPAREN) {
        depth++;
      } else if (k == io.turnout.router.lexical.SqlTokens.RPAREN) {
        depth--;
        if (depth == 0 && i != t.size() - 1) {
          return false;
        }
      }
    }
    return depth == 0;
  }

  private static boolean isAtom(String s) {
    int n = s.length();
    if (n == 0) {
      return false;
    }
    if (isCall(s)) {
      return true;
    }
    if (s.charAt(0) == '$') {
      for (int i = 1; i < n; i++) {
        if (!Character.isDigit(s.charAt(i))) {
          return false;
        }
      }
      return n > 1;
    }
    if (s.charAt(0) == '\'' && s.charAt(n - 1) == '\'' && s.indexOf('\'', 1) == n - 1) {
      return true;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '"')) {
        return false;
      }
    }
    return true;
  }
}
