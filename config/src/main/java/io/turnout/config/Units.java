package io.turnout.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations and sizes written the way {@code postgresql.conf} writes them: a whole number and a
 * case-sensitive unit, optionally separated by spaces ({@code 250ms}, {@code 30s}, {@code 5min},
 * {@code 64MB}).
 *
 * @see <a href="https://www.postgresql.org/docs/current/config-setting.html">PostgreSQL: Setting
 *     Parameters (numeric with unit)</a>
 */
public final class Units {
  /** Duration units, in the order messages list them. */
  public static final List<String> DURATION_UNITS = List.of("ms", "s", "min", "h", "d");

  /** Size units; {@code kB} is 1024 bytes, as in PostgreSQL. */
  public static final List<String> SIZE_UNITS = List.of("B", "kB", "MB", "GB", "TB");

  private static final Pattern NUMBER_UNIT = Pattern.compile("(-?[0-9]+(?:\\.[0-9]*)?)\\s*(\\S*)");

  private Units() {}

  /**
   * Parses a non-negative duration. A bare number is refused unless it is {@code 0}, because "30"
   * could mean seconds or milliseconds and guessing wrong is a 1000× error.
   *
   * @throws IllegalArgumentException with a message fit for an error report
   */
  public static Duration parseDuration(String text) {
    Matcher m = match(text, "a duration like 250ms, 30s or 5min");
    long value = wholeNonNegative(m.group(1), text);
    String unit = m.group(2);
    if (unit.isEmpty()) {
      if (value == 0) {
        return Duration.ZERO;
      }
      throw new IllegalArgumentException(
          "'" + text + "' needs a unit (ms, s, min, h or d), e.g. " + value + "s");
    }
    try {
      return switch (unit) {
        case "ms" -> Duration.ofMillis(value);
        case "s" -> Duration.ofSeconds(value);
        case "min" -> Duration.ofMinutes(value);
        case "h" -> Duration.ofHours(value);
        case "d" -> Duration.ofDays(value);
        default -> throw new IllegalArgumentException(unknownUnit(text, unit, DURATION_UNITS));
      };
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration", e);
    }
  }

  /**
   * Parses a size in bytes: a bare number of bytes, or a number with {@code B}, {@code kB}, {@code
   * MB}, {@code GB} or {@code TB}.
   *
   * @throws IllegalArgumentException with a message fit for an error report
   */
  public static long parseSize(String text) {
    Matcher m = match(text, "a size like 8192, 64kB or 64MB");
    long value = wholeNonNegative(m.group(1), text);
    String unit = m.group(2);
    int shift =
        switch (unit) {
          case "", "B" -> 0;
          case "kB" -> 10;
          case "MB" -> 20;
          case "GB" -> 30;
          case "TB" -> 40;
          default -> throw new IllegalArgumentException(unknownUnit(text, unit, SIZE_UNITS));
        };
    if (value > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("'" + text + "' is too large");
    }
    return value << shift;
  }

  /** The shortest exact form, {@code 5min} rather than {@code 300s}; {@code 0} for zero. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0";
    }
    long[] factors = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
    String[] units = {"d", "h", "min", "s", "ms"};
    for (int i = 0; i < factors.length; i++) {
      if (ms % factors[i] == 0) {
        return ms / factors[i] + units[i];
      }
    }
    throw new AssertionError("unreachable");
  }

  /** The shortest exact form, {@code 64MB} rather than {@code 65536kB}. */
  public static String formatSize(long bytes) {
    String[] units = {"TB", "GB", "MB", "kB"};
    int[] shifts = {40, 30, 20, 10};
    for (int i = 0; i < units.length; i++) {
      long unit = 1L << shifts[i];
      if (bytes != 0 && bytes % unit == 0) {
        return bytes / unit + units[i];
      }
    }
    return Long.toString(bytes);
  }

  private static Matcher match(String text, String expected) {
    Matcher m = NUMBER_UNIT.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not " + expected);
    }
    return m;
  }

  private static long wholeNonNegative(String number, String text) {
    if (number.startsWith("-")) {
      throw new IllegalArgumentException("'" + text + "' must not be negative");
    }
    if (number.indexOf('.') >= 0) {
      throw new IllegalArgumentException(
          "'" + text + "' must be a whole number; use a smaller unit instead of a fraction");
    }
    try {
      return Long.parseLong(number);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is too large", e);
    }
  }

  private static String unknownUnit(String text, String unit, List<String> units) {
    StringBuilder b =
        new StringBuilder("'")
            .append(text)
            .append("': unknown unit '")
            .append(unit)
            .append("' (expected ")
            .append(String.join(", ", units.subList(0, units.size() - 1)))
            .append(" or ")
            .append(units.get(units.size() - 1));
    for (String u : units) {
      if (u.toLowerCase(Locale.ROOT).equals(unit.toLowerCase(Locale.ROOT))) {
        b.append("; units are case-sensitive, did you mean '").append(u).append("'?");
        return b.append(')').toString();
      }
    }
    if (unit.equals("m")) {
      b.append("; minutes are 'min'");
    }
    return b.append(')').toString();
  }
}
