package io.turnout.proxy.routing;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A statement that sets or resets {@code turnout.sticky_key}, the session's own sticky key for
 * migrations with {@code reads: { sticky: sticky_key }}: {@code SET [SESSION|LOCAL]
 * turnout.sticky_key = 'v'} (or {@code TO}), {@code RESET turnout.sticky_key}, {@code RESET ALL},
 * {@code DISCARD ALL}, {@code SET … TO DEFAULT} and {@code SELECT set_config('turnout.sticky_key',
 * 'v', is_local)}. Recognised only as the whole statement text, the way applications send it.
 * PostgreSQL accepts the setting as a custom placeholder variable, so it reaches the server too.
 */
public record StickyKeySetting(String value, boolean local) {
  private static final String NAME = "turnout\\.sticky_key";
  private static final String QUOTED = "'((?:[^']|'')*)'";

  private static final Pattern SET =
      Pattern.compile(
          "\\s*set\\s+(?:(session)\\s+|(local)\\s+)?"
              + NAME
              + "\\s*(?:=|\\bto\\b)\\s*(?:"
              + QUOTED
              + "|([A-Za-z0-9_.\\-]+))\\s*;?\\s*",
          Pattern.CASE_INSENSITIVE);

  private static final Pattern RESET =
      Pattern.compile(
          "\\s*(?:reset\\s+(?:" + NAME + "|all)|discard\\s+all)\\s*;?\\s*",
          Pattern.CASE_INSENSITIVE);

  private static final Pattern SET_CONFIG =
      Pattern.compile(
          "\\s*select\\s+(?:pg_catalog\\.)?set_config\\s*\\(\\s*'"
              + NAME
              + "'\\s*,\\s*"
              + QUOTED
              + "\\s*,\\s*(true|false)\\s*\\)\\s*;?\\s*",
          Pattern.CASE_INSENSITIVE);

  /** The setting removed: the session's key is the session again. */
  static final StickyKeySetting RESET_TO_SESSION = new StickyKeySetting(null, false);

  /** Whether a statement whose first non-blank byte is {@code first} may be one (s, r or d). */
  public static boolean mayBe(byte first) {
    return switch (first) {
      case 's', 'S', 'r', 'R', 'd', 'D' -> true;
      default -> false;
    };
  }

  /** What {@code sql} does to the sticky key, if it is such a statement. */
  public static Optional<StickyKeySetting> of(String sql) {
    if (sql.length() > 1024) {
      return Optional.empty(); // a setting is short; never run the patterns over a big text
    }
    Matcher m = SET.matcher(sql);
    if (m.matches()) {
      String value = m.group(3) != null ? m.group(3).replace("''", "'") : m.group(4);
      if (m.group(3) == null && value.equalsIgnoreCase("default")) {
        return Optional.of(RESET_TO_SESSION);
      }
      return Optional.of(new StickyKeySetting(value, m.group(2) != null));
    }
    if (RESET.matcher(sql).matches()) {
      return Optional.of(RESET_TO_SESSION);
    }
    m = SET_CONFIG.matcher(sql);
    if (m.matches()) {
      return Optional.of(
          new StickyKeySetting(m.group(1).replace("''", "'"), m.group(2).equalsIgnoreCase("true")));
    }
    return Optional.empty();
  }
}
