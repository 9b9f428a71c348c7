package io.turnout.admin.ddl;

import io.turnout.config.plan.Identifiers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An index definition as {@code pg_get_indexdef} prints it ({@code CREATE UNIQUE INDEX name ON
 * public.users USING btree (email) WHERE (email IS NOT NULL)}), split into the parts a copy
 * changes: the name, and the body from {@code USING} on, where the column is replaced.
 *
 * <p>The body is read token by token (quoted identifiers, string constants, words), never with a
 * regex over the text: a column name inside a string constant, a function name, a type after {@code
 * ::}, a collation or an access method is left alone, and a quoted name ({@code "eMail"}) is
 * matched exactly.
 *
 * @see <a href="https://www.postgresql.org/docs/current/sql-createindex.html">PostgreSQL: CREATE
 *     INDEX</a>
 */
final class IndexDefinition {
  private final String definition;
  private final boolean unique;
  private final String table;
  private final String body;
  private final List<Token> bodyTokens;

  private IndexDefinition(
      String definition, boolean unique, String table, String body, List<Token> bodyTokens) {
    this.definition = definition;
    this.unique = unique;
    this.table = table;
    this.body = body;
    this.bodyTokens = bodyTokens;
  }

  /**
   * Reads a {@code pg_get_indexdef} definition.
   *
   * @throws IllegalArgumentException when it is not of the form {@code CREATE [UNIQUE] INDEX name
   *     ON table USING …}
   */
  static IndexDefinition parse(String definition) {
    List<Token> tokens = lex(definition);
    int i = 0;
    boolean unique = false;
    if (!isWord(tokens, i, "create")) {
      throw unexpected(definition);
    }
    i++;
    if (isWord(tokens, i, "unique")) {
      unique = true;
      i++;
    }
    if (!isWord(tokens, i, "index")) {
      throw unexpected(definition);
    }
    i++;
    if (i >= tokens.size()
        || (tokens.get(i).kind != Kind.WORD && tokens.get(i).kind != Kind.QUOTED)) {
      throw unexpected(definition);
    }
    i++;
    if (!isWord(tokens, i, "on")) {
      throw unexpected(definition);
    }
    int tableStart = tokens.get(i).end;
    int using = -1;
    for (int j = i + 1; j < tokens.size(); j++) {
      if (isWord(tokens, j, "using")) {
        using = j;
        break;
      }
    }
    if (using < 0) {
      throw unexpected(definition);
    }
    int bodyStart = tokens.get(using).start;
    String table = definition.substring(tableStart, bodyStart).trim();
    String body = definition.substring(bodyStart);
    List<Token> bodyTokens = new ArrayList<>();
    for (Token t : tokens.subList(using, tokens.size())) {
      bodyTokens.add(new Token(t.kind, t.start - bodyStart, t.end - bodyStart, t.value));
    }
    return new IndexDefinition(definition, unique, table, body, List.copyOf(bodyTokens));
  }

  boolean unique() {
    return unique;
  }

  /** Whether the index's columns, expressions or predicate use {@code column} (a folded name). */
  boolean mentions(String column) {
    for (int i = 0; i < bodyTokens.size(); i++) {
      if (isColumnReference(i, column)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The statement that builds the copy of this index named {@code newName}, with every reference to
   * {@code oldColumn} replaced by {@code newColumn}: {@code CREATE [UNIQUE] INDEX CONCURRENTLY IF
   * NOT EXISTS newName ON table USING …}.
   */
  String copySql(String newName, String oldColumn, String newColumn) {
    return "CREATE "
        + (unique ? "UNIQUE " : "")
        + "INDEX CONCURRENTLY IF NOT EXISTS "
        + Identifiers.quote(newName)
        + " ON "
        + table
        + " "
        + replaceColumn(oldColumn, newColumn);
  }

  /**
   * A SQL expression for what {@code pg_get_indexdef} prints for that copy once it is built. Names
   * are quoted by {@code quote_ident}, PostgreSQL's own rule (which also quotes non-reserved key
   * words), so the comparison does not depend on how Turnout quotes them.
   */
  String expectedDefinitionSql(String newName, String oldColumn, String newColumn) {
    StringBuilder sql =
        new StringBuilder()
            .append(Guards.literal("CREATE " + (unique ? "UNIQUE " : "") + "INDEX "))
            .append(" || quote_ident(")
            .append(Guards.literal(newName))
            .append(") || ")
            .append(Guards.literal(" ON " + table + " "));
    int copied = 0;
    for (int i = 0; i < bodyTokens.size(); i++) {
      if (isColumnReference(i, oldColumn)) {
        Token t = bodyTokens.get(i);
        sql.append(" || ")
            .append(Guards.literal(body.substring(copied, t.start)))
            .append(" || quote_ident(")
            .append(Guards.literal(newColumn))
            .append(")");
        copied = t.end;
      }
    }
    return sql.append(" || ").append(Guards.literal(body.substring(copied))).toString();
  }

  /** The body ({@code USING …}) with every reference to {@code oldColumn} replaced. */
  String replaceColumn(String oldColumn, String newColumn) {
    StringBuilder out = new StringBuilder();
    int copied = 0;
    for (int i = 0; i < bodyTokens.size(); i++) {
      if (isColumnReference(i, oldColumn)) {
        Token t = bodyTokens.get(i);
        out.append(body, copied, t.start).append(Identifiers.quote(newColumn));
        copied = t.end;
      }
    }
    return out.append(body.substring(copied)).toString();
  }

  @Override
  public String toString() {
    return definition;
  }

  /**
   * A word or quoted identifier naming {@code column}, and used as a column: not a function name
   * (followed by {@code (}), not part of a qualified name ({@code .}), not a type ({@code ::}), a
   * collation, an access method, a tablespace or a storage parameter ({@code WITH (…)}).
   */
  private boolean isColumnReference(int i, String column) {
    Token t = bodyTokens.get(i);
    boolean named =
        (t.kind == Kind.WORD && t.value.toLowerCase(Locale.ROOT).equals(column))
            || (t.kind == Kind.QUOTED && t.value.equals(column));
    if (!named) {
      return false;
    }
    if (i > 0) {
      Token prev = bodyTokens.get(i - 1);
      if (prev.isSymbol('.')
          || prev.isSymbol(':')
          || prev.isWord("collate")
          || prev.isWord("using")
          || prev.isWord("tablespace")) {
        return false;
      }
    }
    if (i + 1 < bodyTokens.size()) {
      Token next = bodyTokens.get(i + 1);
      if (next.isSymbol('(') || next.isSymbol('.')) {
        return false;
      }
    }
    return !inStorageParameters(i);
  }

  /** Whether token {@code i} is inside {@code WITH (…)}, the storage parameters. */
  private boolean inStorageParameters(int i) {
    int depth = 0;
    boolean inWith = false;
    for (int j = 0; j < i; j++) {
      Token t = bodyTokens.get(j);
      if (t.isSymbol('(')) {
        if (depth == 0 && j > 0 && bodyTokens.get(j - 1).isWord("with")) {
          inWith = true;
        }
        depth++;
      } else if (t.isSymbol(')')) {
        depth--;
        if (depth == 0) {
          inWith = false;
        }
      }
    }
    return inWith;
  }

  private static IllegalArgumentException unexpected(String definition) {
    return new IllegalArgumentException(
        "unexpected index definition (expected CREATE [UNIQUE] INDEX name ON table USING …): "
            + definition);
  }

  private static boolean isWord(List<Token> tokens, int i, String word) {
    return i < tokens.size() && tokens.get(i).isWord(word);
  }

  private enum Kind {
    WORD,
    QUOTED,
    STRING,
    NUMBER,
    SYMBOL
  }

  /** One lexical token; {@code value} is a quoted identifier's name with quotes undone. */
  private record Token(Kind kind, int start, int end, String value) {
    boolean isWord(String word) {
      return kind == Kind.WORD && value.equalsIgnoreCase(word);
    }

    boolean isSymbol(char c) {
      return kind == Kind.SYMBOL && value.length() == 1 && value.charAt(0) == c;
    }
  }

  /** Splits SQL into tokens, as far as an index definition needs: whitespace is dropped. */
  private static List<Token> lex(String sql) {
    List<Token> tokens = new ArrayList<>();
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '"') {
        StringBuilder name = new StringBuilder();
        int j = i + 1;
        while (j < n) {
          if (sql.charAt(j) == '"') {
            if (j + 1 < n && sql.charAt(j + 1) == '"') {
              name.append('"');
              j += 2;
              continue;
            }
            break;
          }
          name.append(sql.charAt(j++));
        }
        tokens.add(new Token(Kind.QUOTED, i, Math.min(j + 1, n), name.toString()));
        i = j + 1;
      } else if (c == '\'') {
        int end = skipString(sql, i, false);
        tokens.add(new Token(Kind.STRING, i, end, sql.substring(i, end)));
        i = end;
      } else if (Character.isLetter(c) || c == '_') {
        int j = i + 1;
        while (j < n
            && (Character.isLetterOrDigit(sql.charAt(j))
                || sql.charAt(j) == '_'
                || sql.charAt(j) == '$')) {
          j++;
        }
        String word = sql.substring(i, j);
        if (j < n && sql.charAt(j) == '\'' && word.equalsIgnoreCase("e")) {
          // E'…' is one string constant, with backslash escapes.
          int end = skipString(sql, j, true);
          tokens.add(new Token(Kind.STRING, i, end, sql.substring(i, end)));
          i = end;
        } else {
          tokens.add(new Token(Kind.WORD, i, j, word));
          i = j;
        }
      } else if (Character.isDigit(c)) {
        int j = i + 1;
        while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '.')) {
          j++;
        }
        tokens.add(new Token(Kind.NUMBER, i, j, sql.substring(i, j)));
        i = j;
      } else {
        tokens.add(new Token(Kind.SYMBOL, i, i + 1, String.valueOf(c)));
        i++;
      }
    }
    return tokens;
  }

  /** The index just past the string constant whose opening quote is at {@code quote}. */
  private static int skipString(String sql, int quote, boolean backslashEscapes) {
    int n = sql.length();
    int j = quote + 1;
    while (j < n) {
      char c = sql.charAt(j);
      if (backslashEscapes && c == '\\') {
        j += 2;
      } else if (c == '\'') {
        if (j + 1 < n && sql.charAt(j + 1) == '\'') {
          j += 2;
        } else {
          return j + 1;
        }
      } else {
        j++;
      }
    }
    return n;
  }
}
