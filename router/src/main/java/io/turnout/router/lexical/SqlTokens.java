package io.turnout.router.lexical;

import java.util.Arrays;
import java.util.Locale;

/**
 * The tokens of one SQL text as PostgreSQL's scanner sees them: whitespace and comments dropped,
 * strings, quoted identifiers and dollar quotes kept whole. Stored as parallel arrays (kind, start,
 * end) because the router scans them on hot paths; {@link #identifier(int)} folds names lazily.
 *
 * @see <a href="https://www.postgresql.org/docs/current/sql-syntax-lexical.html">PostgreSQL:
 *     Lexical Structure</a>
 */
public final class SqlTokens {
  /** Token kinds. Keywords are {@link #IDENT}s. */
  public static final byte IDENT = 1;

  public static final byte QUOTED_IDENT = 2;

  /** {@code '…'}, {@code E'…'}, {@code B'…'}, {@code X'…'}, {@code N'…'}. */
  public static final byte STRING = 3;

  /** {@code $$…$$} or {@code $tag$…$tag$}. */
  public static final byte DOLLAR_STRING = 4;

  /** {@code $1}. */
  public static final byte PARAM = 5;

  public static final byte NUMBER = 6;
  public static final byte OPERATOR = 7;
  public static final byte LPAREN = 8;
  public static final byte RPAREN = 9;
  public static final byte COMMA = 10;
  public static final byte SEMICOLON = 11;
  public static final byte DOT = 12;

  /** {@code U&'…'} or {@code U&"…"}: Unicode escapes, which JSqlParser does not read faithfully. */
  public static final byte UNICODE = 13;

  /** {@code [} or {@code ]}. */
  public static final byte BRACKET = 14;

  /** {@code ?} as a JDBC-style placeholder or operator; context decides. */
  public static final byte QUESTION = 15;

  private final String sql;
  private byte[] kinds;
  private int[] starts;
  private int[] ends;
  private int size;
  private boolean taggedDollarQuote;
  private boolean unicodeEscape;
  private boolean unterminated;
  private int depth;
  private int maxDepth;

  private SqlTokens(String sql) {
    this.sql = sql;
    int capacity = Math.max(8, sql.length() / 4);
    kinds = new byte[capacity];
    starts = new int[capacity];
    ends = new int[capacity];
  }

  /** Scans {@code sql}; never throws (an unterminated literal runs to the end and is flagged). */
  public static SqlTokens scan(String sql) {
    SqlTokens t = new SqlTokens(sql);
    t.run();
    return t;
  }

  public String sql() {
    return sql;
  }

  public int size() {
    return size;
  }

  public byte kind(int i) {
    return kinds[i];
  }

  public int start(int i) {
    return starts[i];
  }

  public int end(int i) {
    return ends[i];
  }

  public String text(int i) {
    return sql.substring(starts[i], ends[i]);
  }

  /** A {@code $tag$…$tag$} quote with a non-empty tag occurs (JSqlParser may truncate it). */
  public boolean hasTaggedDollarQuote() {
    return taggedDollarQuote;
  }

  /** A {@code U&'…'} string or {@code U&"…"} identifier occurs. */
  public boolean hasUnicodeEscape() {
    return unicodeEscape;
  }

  /**
   * The deepest nesting of parentheses and square brackets (outside strings, quoted identifiers,
   * dollar quotes and comments). A parser that recurses per level is guarded by this: a statement
   * nested deeper than a budget is not handed to it.
   */
  public int maxDepth() {
    return maxDepth;
  }

  /** A string, quoted identifier, dollar quote or block comment is not closed. */
  public boolean hasUnterminated() {
    return unterminated;
  }

  /**
   * The identifier at {@code i} as PostgreSQL folds it: unquoted lower-cased, quoted with {@code
   * ""} unescaped; {@code null} for other kinds.
   */
  public String identifier(int i) {
    if (kinds[i] == IDENT) {
      return sql.substring(starts[i], ends[i]).toLowerCase(Locale.ROOT);
    }
    if (kinds[i] == QUOTED_IDENT) {
      return sql.substring(starts[i] + 1, ends[i] - 1).replace("\"\"", "\"");
    }
    return null;
  }

  /** Longest identifier PostgreSQL keeps, in bytes ({@code NAMEDATALEN - 1}); longer is cut. */
  public static final int MAX_IDENTIFIER_BYTES = 63;

  /** True when token {@code i} is a {@code U&"…"} identifier (not a {@code U&'…'} string). */
  public boolean isUnicodeIdentifier(int i) {
    return kinds[i] == UNICODE && sql.charAt(starts[i] + 2) == '"';
  }

  /**
   * The name PostgreSQL gives the identifier at {@code i}: {@link #identifier(int)} for plain and
   * quoted identifiers, the decoded text of a {@code U&"…"} identifier (with the {@code UESCAPE}
   * that follows it, if any), in every case cut to {@value #MAX_IDENTIFIER_BYTES} bytes as
   * PostgreSQL's scanner truncates identifiers. {@code null} for other tokens, and for a {@code
   * U&"…"} identifier whose escapes are invalid (PostgreSQL rejects the statement).
   */
  public String name(int i) {
    String id;
    if (kinds[i] == IDENT || kinds[i] == QUOTED_IDENT) {
      id = identifier(i);
    } else if (isUnicodeIdentifier(i)) {
      id = decodeUnicodeIdentifier(i);
      if (id == null) {
        return null;
      }
    } else {
      return null;
    }
    return truncate(id);
  }

  private String decodeUnicodeIdentifier(int i) {
    char escape = '\\';
    if (i + 2 < size && isKeyword(i + 1, "uescape") && kinds[i + 2] == STRING) {
      String e = text(i + 2);
      // Only a plain '<c>' literal; PostgreSQL forbids hex digits, +, quotes and whitespace.
      if (e.length() != 3 || e.charAt(0) != '\'') {
        return null;
      }
      escape = e.charAt(1);
      if (isHexDigit(escape)
          || escape == '+'
          || escape == '\''
          || escape == '"'
          || escape == ' '
          || escape == '\t'
          || escape == '\n'
          || escape == '\r'
          || escape == '\f') {
        return null;
      }
    }
    if (unterminated && ends[i] == sql.length() || ends[i] - 1 < starts[i] + 3) {
      return null;
    }
    // The body between U&" and the closing quote, with "" for a quote.
    String body = sql.substring(starts[i] + 3, ends[i] - 1).replace("\"\"", "\"");
    StringBuilder b = new StringBuilder(body.length());
    int k = 0;
    int n = body.length();
    while (k < n) {
      char c = body.charAt(k);
      if (c != escape) {
        b.append(c);
        k++;
        continue;
      }
      if (k + 1 < n && body.charAt(k + 1) == escape) {
        b.append(escape);
        k += 2;
        continue;
      }
      int digits = k + 1 < n && body.charAt(k + 1) == '+' ? 6 : 4;
      int from = digits == 6 ? k + 2 : k + 1;
      if (from + digits > n) {
        return null;
      }
      int cp = 0;
      for (int d = from; d < from + digits; d++) {
        char h = body.charAt(d);
        if (!isHexDigit(h)) {
          return null;
        }
        cp = cp * 16 + Character.digit(h, 16);
      }
      if (cp == 0 || cp > Character.MAX_CODE_POINT) {
        return null;
      }
      // A surrogate pair is written as two escapes; appending both halves joins them.
      b.appendCodePoint(cp);
      k = from + digits;
    }
    String out = b.toString();
    // A lone surrogate half is invalid in PostgreSQL.
    for (int j = 0; j < out.length(); j++) {
      char c = out.charAt(j);
      if (Character.isHighSurrogate(c)) {
        if (j + 1 >= out.length() || !Character.isLowSurrogate(out.charAt(j + 1))) {
          return null;
        }
        j++;
      } else if (Character.isLowSurrogate(c)) {
        return null;
      }
    }
    return out;
  }

  /**
   * Cuts {@code id} to {@value #MAX_IDENTIFIER_BYTES} UTF-8 bytes without splitting a character.
   */
  static String truncate(String id) {
    // Four bytes at most per code point of two chars, three per other char: 21 chars always fit.
    if (id.length() <= MAX_IDENTIFIER_BYTES / 3) {
      return id;
    }
    int bytes = 0;
    for (int j = 0; j < id.length(); ) {
      int cp = id.codePointAt(j);
      int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + len > MAX_IDENTIFIER_BYTES) {
        return id.substring(0, j);
      }
      bytes += len;
      j += Character.charCount(cp);
    }
    return id;
  }

  private static boolean isHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** True when token {@code i} is an identifier, quoted or not. */
  public boolean isIdentifier(int i) {
    return kinds[i] == IDENT || kinds[i] == QUOTED_IDENT;
  }

  /** True when token {@code i} is the unquoted keyword {@code word} (given in lower case). */
  public boolean isKeyword(int i, String word) {
    if (i < 0 || i >= size || kinds[i] != IDENT) {
      return false;
    }
    int len = ends[i] - starts[i];
    return len == word.length() && sql.regionMatches(true, starts[i], word, 0, len);
  }

  /** Index of the first token starting at or after {@code offset}; {@link #size()} if none. */
  public int indexAtOrAfter(int offset) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (starts[mid] < offset) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Index of the token that starts exactly at {@code offset}, or -1. */
  public int indexStartingAt(int offset) {
    int i = indexAtOrAfter(offset);
    return i < size && starts[i] == offset ? i : -1;
  }

  /** Index of the token that ends exactly at {@code offset}, or -1. */
  public int indexEndingAt(int offset) {
    int i = indexAtOrAfter(offset) - 1;
    while (i >= 0 && ends[i] > offset) {
      i--;
    }
    return i >= 0 && ends[i] == offset ? i : -1;
  }

  private void add(byte kind, int start, int end) {
    if (size == kinds.length) {
      int n = size * 2;
      kinds = Arrays.copyOf(kinds, n);
      starts = Arrays.copyOf(starts, n);
      ends = Arrays.copyOf(ends, n);
    }
    kinds[size] = kind;
    starts[size] = start;
    ends[size] = end;
    size++;
  }

  private void open() {
    if (++depth > maxDepth) {
      maxDepth = depth;
    }
  }

  private void close() {
    if (depth > 0) {
      depth--;
    }
  }

  private void run() {
    final String s = sql;
    final int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        i++;
      } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
        int nl = s.indexOf('\n', i);
        i = nl < 0 ? n : nl + 1;
      } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
        i = skipBlockComment(i);
      } else if (c == '\'') {
        int e = skipQuoted(i, '\'', false);
        add(STRING, i, e);
        i = e;
      } else if (c == '"') {
        int e = skipQuoted(i, '"', false);
        add(QUOTED_IDENT, i, e);
        i = e;
      } else if ((c == 'e' || c == 'E') && i + 1 < n && s.charAt(i + 1) == '\'') {
        int e = skipQuoted(i + 1, '\'', true);
        add(STRING, i, e);
        i = e;
      } else if ((c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N')
          && i + 1 < n
          && s.charAt(i + 1) == '\'') {
        int e = skipQuoted(i + 1, '\'', false);
        add(STRING, i, e);
        i = e;
      } else if ((c == 'u' || c == 'U')
          && i + 2 < n
          && s.charAt(i + 1) == '&'
          && (s.charAt(i + 2) == '\'' || s.charAt(i + 2) == '"')) {
        int e = skipQuoted(i + 2, s.charAt(i + 2), false);
        unicodeEscape = true;
        add(UNICODE, i, e);
        i = e;
      } else if (isIdentStart(c)) {
        int e = i + 1;
        while (e < n && isIdentPart(s.charAt(e))) {
          e++;
        }
        add(IDENT, i, e);
        i = e;
      } else if (c >= '0' && c <= '9' || (c == '.' && i + 1 < n && isDigit(s.charAt(i + 1)))) {
        int e = skipNumber(i);
        add(NUMBER, i, e);
        i = e;
      } else if (c == '$') {
        i = dollar(i);
      } else if (c == '(') {
        open();
        add(LPAREN, i, ++i);
      } else if (c == ')') {
        close();
        add(RPAREN, i, ++i);
      } else if (c == ',') {
        add(COMMA, i, ++i);
      } else if (c == ';') {
        add(SEMICOLON, i, ++i);
      } else if (c == '.') {
        add(DOT, i, ++i);
      } else if (c == '[' || c == ']') {
        if (c == '[') {
          open();
        } else {
          close();
        }
        add(BRACKET, i, ++i);
      } else if (c == '?' && !(i + 1 < n && isOperatorChar(s.charAt(i + 1)))) {
        add(QUESTION, i, ++i);
      } else if (isOperatorChar(c)) {
        int e = i + 1;
        while (e < n && isOperatorChar(s.charAt(e))) {
          // A comment start ends an operator, as in PostgreSQL's scanner.
          if ((s.charAt(e) == '-' && e + 1 < n && s.charAt(e + 1) == '-')
              || (s.charAt(e) == '/' && e + 1 < n && s.charAt(e + 1) == '*')) {
            break;
          }
          e++;
        }
        add(OPERATOR, i, e);
        i = e;
      } else {
        // Anything else (a stray character or non-ASCII symbol) is a one-character operator.
        add(OPERATOR, i, ++i);
      }
    }
  }

  private int skipBlockComment(int i) {
    final String s = sql;
    final int n = s.length();
    int depth = 1;
    int j = i + 2;
    while (j < n) {
      char c = s.charAt(j);
      if (c == '*' && j + 1 < n && s.charAt(j + 1) == '/') {
        depth--;
        j += 2;
        if (depth == 0) {
          return j;
        }
      } else if (c == '/' && j + 1 < n && s.charAt(j + 1) == '*') {
        depth++;
        j += 2;
      } else {
        j++;
      }
    }
    unterminated = true;
    return n;
  }

  /** {@code i} is at the opening quote; returns the index after the closing quote. */
  private int skipQuoted(int i, char quote, boolean backslashEscapes) {
    final String s = sql;
    final int n = s.length();
    int j = i + 1;
    while (j < n) {
      char c = s.charAt(j);
      if (backslashEscapes && c == '\\') {
        j += 2;
      } else if (c == quote) {
        if (j + 1 < n && s.charAt(j + 1) == quote) {
          j += 2;
        } else {
          return j + 1;
        }
      } else {
        j++;
      }
    }
    unterminated = true;
    return n;
  }

  private int skipNumber(int i) {
    final String s = sql;
    final int n = s.length();
    int j = i;
    while (j < n && (isDigit(s.charAt(j)) || s.charAt(j) == '_')) {
      j++;
    }
    if (j < n && s.charAt(j) == '.' && !(j + 1 < n && s.charAt(j + 1) == '.')) {
      j++;
      while (j < n && isDigit(s.charAt(j))) {
        j++;
      }
    }
    if (j < n && (s.charAt(j) == 'e' || s.charAt(j) == 'E')) {
      int k = j + 1;
      if (k < n && (s.charAt(k) == '+' || s.charAt(k) == '-')) {
        k++;
      }
      if (k < n && isDigit(s.charAt(k))) {
        j = k;
        while (j < n && isDigit(s.charAt(j))) {
          j++;
        }
      }
    }
    return j;
  }

  /** {@code $1}, {@code $$…$$}, {@code $tag$…$tag$}, or a lone {@code $} operator. */
  private int dollar(int i) {
    final String s = sql;
    final int n = s.length();
    int j = i + 1;
    if (j < n && isDigit(s.charAt(j))) {
      while (j < n && isDigit(s.charAt(j))) {
        j++;
      }
      add(PARAM, i, j);
      return j;
    }
    while (j < n && (isIdentStart(s.charAt(j)) || (j > i + 1 && isDigit(s.charAt(j))))) {
      j++;
    }
    if (j < n && s.charAt(j) == '$') {
      String tag = s.substring(i, j + 1);
      int close = s.indexOf(tag, j + 1);
      int e;
      if (close < 0) {
        unterminated = true;
        e = n;
      } else {
        e = close + tag.length();
      }
      if (tag.length() > 2) {
        taggedDollarQuote = true;
      }
      add(DOLLAR_STRING, i, e);
      return e;
    }
    add(OPERATOR, i, i + 1);
    return i + 1;
  }

  static boolean isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
  }

  static boolean isIdentPart(char c) {
    return isIdentStart(c) || isDigit(c) || c == '$';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isOperatorChar(char c) {
    switch (c) {
      case '+':
      case '-':
      case '*':
      case '/':
      case '<':
      case '>':
      case '=':
      case '~':
      case '!':
      case '@':
      case '#':
      case '%':
      case '^':
      case '&':
      case '|':
      case '`':
      case '?':
      case ':':
        return true;
      default:
        return false;
    }
  }
}
