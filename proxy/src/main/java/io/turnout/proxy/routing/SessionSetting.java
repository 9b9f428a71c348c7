package io.turnout.proxy.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A statement that changes a setting the router depends on: {@code search_path} (how unqualified
 * table names resolve) or {@code turnout.sticky_key} (the key reads hash by for migrations with
 * {@code reads: { sticky: sticky_key }}; PostgreSQL accepts it as a custom placeholder variable).
 * Recognised: {@code SET [SESSION|LOCAL] name = value[, …]} (or {@code TO}, or {@code DEFAULT}),
 * {@code RESET name}, {@code RESET ALL}, {@code DISCARD ALL} and {@code SELECT set_config('name',
 * 'value', is_local)}, each only as the whole statement text, the way applications and pools send
 * them.
 *
 * @param name {@link #SEARCH_PATH} or {@link #STICKY_KEY}; null for every setting ({@code RESET
 *     ALL}, {@code DISCARD ALL})
 * @param values the new value's elements (a search path's schemas, names folded as PostgreSQL folds
 *     them); null to reset to the default
 */
public record SessionSetting(String name, List<String> values, boolean local) {
  public static final String SEARCH_PATH = "search_path";
  public static final String STICKY_KEY = "turnout.sticky_key";

  private static final String NAMES = "(search_path|turnout\\.sticky_key)";
  private static final String ITEM = "(?:'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[A-Za-z0-9_$.\\-]+)";
  private static final Pattern ITEMS = Pattern.compile(ITEM);

  private static final Pattern SET =
      Pattern.compile(
          "\\s*set\\s+(?:session\\s+|(local)\\s+)?"
              + NAMES
              + "\\s*(?:=|\\bto\\b)\\s*("
              + ITEM
              + "(?:\\s*,\\s*"
              + ITEM
              + ")*)\\s*;?\\s*",
          Pattern.CASE_INSENSITIVE);

  private static final Pattern RESET =
      Pattern.compile(
          "\\s*(?:reset\\s+(?:" + NAMES + "|all)|discard\\s+all)\\s*;?\\s*",
          Pattern.CASE_INSENSITIVE);

  private static final Pattern SET_CONFIG =
      Pattern.compile(
          "\\s*select\\s+(?:pg_catalog\\.)?set_config\\s*\\(\\s*'"
              + NAMES
              + "'\\s*,\\s*'((?:[^']|'')*)'\\s*,\\s*(true|false)\\s*\\)\\s*;?\\s*",
          Pattern.CASE_INSENSITIVE);

  /** What {@code sql} changes, if it is such a statement. */
  public static Optional<SessionSetting> of(String sql) {
    if (sql.length() > 4096) {
      return Optional.empty(); // a setting is short; never run the patterns over a big text
    }
    Matcher m = SET.matcher(sql);
    if (m.matches()) {
      String name = m.group(2).toLowerCase(Locale.ROOT);
      String value = m.group(3);
      if (value.equalsIgnoreCase("default")) {
        return Optional.of(new SessionSetting(name, null, false));
      }
      List<String> values = new ArrayList<>();
      Matcher item = ITEMS.matcher(value);
      while (item.find()) {
        values.add(element(item.group()));
      }
      if (name.equals(STICKY_KEY) && values.size() != 1) {
        return Optional.empty(); // PostgreSQL refuses a list for it
      }
      return Optional.of(new SessionSetting(name, values, m.group(1) != null));
    }
    m = RESET.matcher(sql);
    if (m.matches()) {
      String name = m.group(1) == null ? null : m.group(1).toLowerCase(Locale.ROOT);
      return Optional.of(new SessionSetting(name, null, false));
    }
    m = SET_CONFIG.matcher(sql);
    if (m.matches()) {
      String name = m.group(1).toLowerCase(Locale.ROOT);
      String value = m.group(2).replace("''", "'");
      List<String> values = name.equals(SEARCH_PATH) ? listValue(value) : List.of(value);
      return Optional.of(new SessionSetting(name, values, m.group(3).equalsIgnoreCase("true")));
    }
    return Optional.empty();
  }

  /**
   * One element of a SET's value: a string literal or quoted name as written, a bare name folded.
   */
  private static String element(String item) {
    if (item.startsWith("'")) {
      return item.substring(1, item.length() - 1).replace("''", "'");
    }
    if (item.startsWith("\"")) {
      return item.substring(1, item.length() - 1).replace("\"\"", "\"");
    }
    return item.toLowerCase(Locale.ROOT);
  }

  /**
   * A list setting's text form ({@code "$user", public}), as set_config takes it: split at commas
   * outside double quotes, bare names folded.
   */
  private static List<String> listValue(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == '"') {
        if (quoted && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (ch == ',' && !quoted) {
        add(out, cur);
        cur.setLength(0);
      } else {
        cur.append(quoted ? ch : Character.toLowerCase(ch));
      }
    }
    add(out, cur);
    return out;
  }

  private static void add(List<String> out, StringBuilder element) {
    String e = element.toString().strip();
    if (!e.isEmpty()) {
      out.add(e);
    }
  }
}
