package io.turnout.testkit.corpus;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Parses the corpus format described in shared/corpus/README.md. */
final class CorpusParser {

  static final String HEADER = "--@@";
  static final String PARAMS = "--@p";
  static final Set<String> CATEGORIES =
      Set.of("SELECT", "INSERT", "UPDATE", "DELETE", "PGSPEC", "UTILITY");

  private CorpusParser() {}

  static List<CorpusStatement> parse(String text, String fileName) {
    List<CorpusStatement> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    String[] lines = text.split("\r?\n", -1);
    int i = 0;
    // Anything before the first header (there is nothing today) is a file comment.
    while (i < lines.length && !lines[i].startsWith(HEADER)) {
      i++;
    }
    while (i < lines.length) {
      int headerLine = i + 1;
      String where = fileName + ":" + headerLine;
      String[] fields = lines[i].substring(HEADER.length()).split("\\|", -1);
      if (fields.length != 4) {
        throw new IllegalArgumentException(
            where
                + ": header needs 4 fields 'id | CATEGORY | source | tags', got "
                + fields.length
                + ": "
                + lines[i]);
      }
      String id = fields[0].trim();
      String category = fields[1].trim();
      String source = fields[2].trim();
      if (id.isEmpty() || !ids.add(id)) {
        throw new IllegalArgumentException(
            where + ": " + (id.isEmpty() ? "empty id" : "duplicate id '" + id + "'"));
      }
      if (!CATEGORIES.contains(category)) {
        throw new IllegalArgumentException(
            where
                + ": statement "
                + id
                + " has unknown category '"
                + category
                + "', expected one of "
                + CATEGORIES);
      }
      Set<String> tags = new LinkedHashSet<>();
      for (String t : fields[3].split(",")) {
        if (!t.isBlank()) {
          tags.add(t.trim());
        }
      }
      i++;
      List<String> params = List.of();
      if (i < lines.length && lines[i].startsWith(PARAMS)) {
        try {
          params = splitParams(lines[i].substring(PARAMS.length()));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              fileName + ":" + (i + 1) + ": statement " + id + ": " + e.getMessage(), e);
        }
        i++;
      }
      StringBuilder sql = new StringBuilder();
      while (i < lines.length && !lines[i].startsWith(HEADER)) {
        sql.append(lines[i]).append('\n');
        i++;
      }
      String s = sql.toString().strip();
      if (s.isEmpty()) {
        throw new IllegalArgumentException(where + ": statement " + id + " has no SQL");
      }
      out.add(new CorpusStatement(id, category, source, tags, params, s));
    }
    return out;
  }

  /**
   * Splits a {@code --@p} list on the commas between literals: commas inside quotes ({@code 'a,
   * b'}, {@code '{x,y}'}, {@code E'\''}), double-quoted names, brackets or parentheses ({@code
   * ARRAY[1,2]}, {@code ROW(1,2)}) do not count.
   */
  static List<String> splitParams(String list) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int depth = 0;
    int n = list.length();
    for (int i = 0; i < n; i++) {
      char c = list.charAt(i);
      if (c == '\'') {
        boolean escapes =
            cur.length() > 0
                && (Character.toUpperCase(cur.charAt(cur.length() - 1)) == 'E')
                && (cur.length() == 1 || !Character.isLetterOrDigit(cur.charAt(cur.length() - 2)));
        int end = closingQuote(list, i, escapes);
        cur.append(list, i, end + 1);
        i = end;
      } else if (c == '"') {
        int end = list.indexOf('"', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated quoted identifier in: " + list);
        }
        cur.append(list, i, end + 1);
        i = end;
      } else if (c == '(' || c == '[') {
        depth++;
        cur.append(c);
      } else if (c == ')' || c == ']') {
        depth--;
        if (depth < 0) {
          throw new IllegalArgumentException("unbalanced '" + c + "' in: " + list);
        }
        cur.append(c);
      } else if (c == ',' && depth == 0) {
        out.add(literal(cur, list));
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (depth != 0) {
      throw new IllegalArgumentException("unbalanced brackets in: " + list);
    }
    if (out.isEmpty() && cur.toString().isBlank()) {
      return List.of();
    }
    out.add(literal(cur, list));
    return out;
  }

  private static String literal(StringBuilder cur, String list) {
    String s = cur.toString().strip();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty parameter in: " + list);
    }
    return s;
  }

  /** Index of the quote closing the string opened at {@code open}; {@code ''} is a quote inside. */
  private static int closingQuote(String s, int open, boolean backslashEscapes) {
    for (int i = open + 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (backslashEscapes && c == '\\') {
        i++;
      } else if (c == '\'') {
        if (i + 1 < s.length() && s.charAt(i + 1) == '\'') {
          i++;
        } else {
          return i;
        }
      }
    }
    throw new IllegalArgumentException("unterminated string literal in: " + s);
  }

  /** See {@link CorpusStatement#paramValues()}. */
  static String literalValue(String literal) {
    String s = literal.strip();
    if (s.equalsIgnoreCase("NULL")) {
      return null;
    }
    boolean escapes = false;
    String body = s;
    if ((s.startsWith("E'") || s.startsWith("e'"))) {
      escapes = true;
      body = s.substring(1);
    }
    if (body.startsWith("'")) {
      int end = closingQuote(body, 0, escapes);
      String rest = body.substring(end + 1).strip();
      if (!rest.isEmpty() && !rest.startsWith("::")) {
        return s; // not a plain string literal; leave it as written
      }
      String inner = body.substring(1, end).replace("''", "'");
      return escapes ? unescape(inner) : inner;
    }
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return s.toLowerCase(Locale.ROOT);
    }
    return s;
  }

  private static String unescape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char d = s.charAt(++i);
        switch (d) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> sb.append('\r');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          default -> sb.append(d);
        }
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
