package io.turnout.proxy.it;

import java.util.ArrayList;
import java.util.List;

/**
 * Makes a corpus statement bindable through pgJDBC, which only knows {@code ?} placeholders: {@code
 * $n} becomes {@code ?} (in order of appearance, the value of {@code $n} bound at each), and in
 * such statements a literal {@code ?} operator (jsonb) is escaped as {@code ??}. String literals,
 * quoted identifiers, dollar quotes and comments are left untouched.
 */
final class JdbcPlaceholders {
  private JdbcPlaceholders() {}

  /** SQL for pgJDBC and the values in the order of its {@code ?} placeholders. */
  record Bound(String sql, List<String> values) {}

  /**
   * @param values the statement's sample values for $1, $2, … or for its ? placeholders in order
   * @throws IllegalArgumentException when a placeholder has no value
   */
  static Bound bind(String sql, List<String> values) {
    if (values.isEmpty()) {
      return new Bound(sql, values); // sent unparameterised: any ? is an operator
    }
    List<int[]> dollarParams = new ArrayList<>(); // {start, end, number}
    List<Integer> questionMarks = new ArrayList<>();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      char next = i + 1 < n ? sql.charAt(i + 1) : '\0';
      if (c == '\'') {
        boolean backslashes =
            i > 0
                && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
                && (i < 2 || !identifierChar(sql.charAt(i - 2)));
        i = endOfQuoted(sql, i, '\'', backslashes);
      } else if (c == '"') {
        i = endOfQuoted(sql, i, '"', false);
      } else if (c == '-' && next == '-') {
        int eol = sql.indexOf('\n', i);
        i = eol < 0 ? n : eol + 1;
      } else if (c == '/' && next == '*') {
        i = endOfBlockComment(sql, i);
      } else if (c == '$'
          && Character.isDigit(next)
          && (i == 0 || !identifierChar(sql.charAt(i - 1)))) {
        int end = i + 1;
        while (end < n && Character.isDigit(sql.charAt(end))) {
          end++;
        }
        dollarParams.add(new int[] {i, end, Integer.parseInt(sql.substring(i + 1, end))});
        i = end;
      } else if (c == '$' && (i == 0 || !identifierChar(sql.charAt(i - 1)))) {
        i = endOfDollarQuote(sql, i);
      } else {
        if (c == '?') {
          questionMarks.add(i);
        }
        i++;
      }
    }
    if (dollarParams.isEmpty()) {
      if (questionMarks.size() != values.size()) {
        throw new IllegalArgumentException(
            questionMarks.size() + " ? placeholders but " + values.size() + " values");
      }
      return new Bound(sql, values);
    }
    StringBuilder out = new StringBuilder(sql.length());
    List<String> ordered = new ArrayList<>();
    int from = 0;
    int d = 0;
    int q = 0;
    while (d < dollarParams.size() || q < questionMarks.size()) {
      boolean dollarFirst =
          q >= questionMarks.size()
              || (d < dollarParams.size() && dollarParams.get(d)[0] < questionMarks.get(q));
      if (dollarFirst) {
        int[] p = dollarParams.get(d++);
        if (p[2] < 1 || p[2] > values.size()) {
          throw new IllegalArgumentException(
              "$" + p[2] + " has no value (" + values.size() + " given)");
        }
        out.append(sql, from, p[0]).append('?');
        ordered.add(values.get(p[2] - 1));
        from = p[1];
      } else {
        int at = questionMarks.get(q++);
        out.append(sql, from, at).append("??");
        from = at + 1;
      }
    }
    out.append(sql, from, n);
    return new Bound(out.toString(), ordered);
  }

  private static boolean identifierChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }

  private static int endOfQuoted(String sql, int start, char quote, boolean backslashes) {
    int i = start + 1;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (backslashes && c == '\\') {
        i += 2;
      } else if (c == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return i;
  }

  private static int endOfBlockComment(String sql, int start) {
    int depth = 0;
    int i = start;
    while (i < sql.length()) {
      if (sql.startsWith("/*", i)) {
        depth++;
        i += 2;
      } else if (sql.startsWith("*/", i)) {
        depth--;
        i += 2;
        if (depth == 0) {
          return i;
        }
      } else {
        i++;
      }
    }
    return i;
  }

  /** After a $tag$…$tag$ string starting at {@code start}; a lone '$' is just skipped. */
  private static int endOfDollarQuote(String sql, int start) {
    int i = start + 1;
    while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
      i++;
    }
    if (i >= sql.length() || sql.charAt(i) != '$') {
      return start + 1;
    }
    String tag = sql.substring(start, i + 1);
    int close = sql.indexOf(tag, i + 1);
    return close < 0 ? sql.length() : close + tag.length();
  }
}
