package io.turnout.config.plan;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * SQL identifiers as PostgreSQL reads them: unquoted names fold to lower case, double-quoted names
 * keep their case ({@code ""} inside quotes is one quote). Names longer than 63 bytes are refused
 * rather than truncated, because PostgreSQL would silently truncate them and the plan would then
 * name a column that does not exist.
 *
 * @see <a
 *     href="https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS">
 *     PostgreSQL: Identifiers and Key Words</a>
 */
public final class Identifiers {
  /** NAMEDATALEN - 1. */
  public static final int MAX_BYTES = 63;

  private static final Pattern UNQUOTED = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");
  private static final Pattern PLAIN_LOWER = Pattern.compile("[a-z_][a-z0-9_$]*");

  /** PostgreSQL's reserved key words (Appendix C), which cannot be column names unquoted. */
  private static final Set<String> RESERVED =
      Set.of(
          "all",
          "analyse",
          "analyze",
          "and",
          "any",
          "array",
          "as",
          "asc",
          "asymmetric",
          "authorization",
          "binary",
          "both",
          "case",
          "cast",
          "check",
          "collate",
          "collation",
          "column",
          "concurrently",
          "constraint",
          "create",
          "cross",
          "current_catalog",
          "current_date",
          "current_role",
          "current_schema",
          "current_time",
          "current_timestamp",
          "current_user",
          "default",
          "deferrable",
          "desc",
          "distinct",
          "do",
          "else",
          "end",
          "except",
          "false",
          "fetch",
          "for",
          "foreign",
          "freeze",
          "from",
          "full",
          "grant",
          "group",
          "having",
          "ilike",
          "in",
          "initially",
          "inner",
          "intersect",
          "into",
          "is",
          "isnull",
          "join",
          "lateral",
          "leading",
          "left",
          "like",
          "limit",
          "localtime",
          "localtimestamp",
          "natural",
          "not",
          "notnull",
          "null",
          "offset",
          "on",
          "only",
          "or",
          "order",
          "outer",
          "overlaps",
          "placing",
          "primary",
          "references",
          "returning",
          "right",
          "select",
          "session_user",
          "similar",
          "some",
          "symmetric",
          "system_user",
          "table",
          "tablesample",
          "then",
          "to",
          "trailing",
          "true",
          "union",
          "unique",
          "user",
          "using",
          "variadic",
          "verbose",
          "when",
          "where",
          "window",
          "with");

  private Identifiers() {}

  /**
   * Folds one identifier ({@code Email} → {@code email}, {@code "Email"} → {@code Email}).
   *
   * @throws IllegalArgumentException with a message fit for an error report
   */
  public static String fold(String text) {
    List<String> parts = split(text);
    if (parts.size() != 1) {
      throw new IllegalArgumentException("'" + text + "' must be a single name, not qualified");
    }
    return parts.get(0);
  }

  /**
   * Splits a possibly qualified name ({@code public.users}, {@code "My Schema"."Users"}) into
   * folded parts.
   *
   * @throws IllegalArgumentException with a message fit for an error report
   */
  public static List<String> split(String text) {
    List<String> parts = new ArrayList<>();
    int i = 0;
    int n = text.length();
    if (n == 0) {
      throw new IllegalArgumentException("name is empty");
    }
    while (true) {
      String part;
      if (i < n && text.charAt(i) == '"') {
        StringBuilder b = new StringBuilder();
        int j = i + 1;
        while (true) {
          if (j >= n) {
            throw new IllegalArgumentException("unterminated quoted name in '" + text + "'");
          }
          char c = text.charAt(j);
          if (c == '"') {
            if (j + 1 < n && text.charAt(j + 1) == '"') {
              b.append('"');
              j += 2;
              continue;
            }
            break;
          }
          b.append(c);
          j++;
        }
        part = b.toString();
        if (part.isEmpty()) {
          throw new IllegalArgumentException("empty quoted name in '" + text + "'");
        }
        i = j + 1;
      } else {
        int j = text.indexOf('.', i);
        int end = j < 0 ? n : j;
        String raw = text.substring(i, end);
        if (!UNQUOTED.matcher(raw).matches()) {
          throw new IllegalArgumentException(
              "'"
                  + text
                  + "' is not a valid name (letters, digits, '_' and '$', not starting with a"
                  + " digit; double-quote other names)");
        }
        part = raw.toLowerCase(Locale.ROOT);
        i = end;
      }
      if (part.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
        throw new IllegalArgumentException(
            "name '" + part + "' is longer than " + MAX_BYTES + " bytes");
      }
      parts.add(part);
      if (i >= n) {
        return parts;
      }
      if (text.charAt(i) != '.') {
        throw new IllegalArgumentException("'" + text + "' is not a valid name");
      }
      i++;
      if (i >= n) {
        throw new IllegalArgumentException("'" + text + "' ends with '.'");
      }
    }
  }

  /** Quotes a folded name for SQL where PostgreSQL needs it (case, characters, reserved words). */
  public static String quote(String folded) {
    if (PLAIN_LOWER.matcher(folded).matches() && !RESERVED.contains(folded)) {
      return folded;
    }
    return '"' + folded.replace("\"", "\"\"") + '"';
  }
}
