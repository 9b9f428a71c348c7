package io.turnout.config.load;

import java.util.Map;

/**
 * {@code ${VAR}} and {@code ${VAR:-default}} in plan file values, as in a shell: the default is
 * used when the variable is unset or empty; an unset variable without a default is an error, a set
 * but empty one is the empty string. <code>$${</code> writes a literal <code>${</code>. Applied to
 * values only, never to keys, after YAML parsing, so a substituted value can hold any character
 * without breaking the YAML around it.
 */
final class EnvSubstitution {
  private EnvSubstitution() {}

  /**
   * @throws IllegalArgumentException naming the variable, if it is unset and has no default, or if
   *     the reference is malformed
   */
  static String apply(String value, Map<String, String> env) {
    if (value.indexOf('$') < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length());
    int i = 0;
    int n = value.length();
    while (i < n) {
      char c = value.charAt(i);
      if (c == '$' && value.startsWith("$${", i)) {
        out.append("${");
        i += 3;
        continue;
      }
      if (c != '$' || !value.startsWith("${", i)) {
        out.append(c);
        i++;
        continue;
      }
      int close = value.indexOf('}', i + 2);
      if (close < 0) {
        throw new IllegalArgumentException(
            "unterminated '${' (write ${NAME} or ${NAME:-default}; $${ for a literal ${)");
      }
      String body = value.substring(i + 2, close);
      String name = body;
      String fallback = null;
      int sep = body.indexOf(":-");
      if (sep >= 0) {
        name = body.substring(0, sep);
        fallback = body.substring(sep + 2);
      }
      if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException(
            "'${" + body + "}' is not a variable reference (write ${NAME} or ${NAME:-default})");
      }
      String v = env.get(name);
      if (v == null && fallback == null) {
        throw new IllegalArgumentException(
            "environment variable "
                + name
                + " is not set (write ${"
                + name
                + ":-default} to give a default)");
      }
      if ((v == null || v.isEmpty()) && fallback != null) {
        v = fallback;
      }
      out.append(v);
      i = close + 1;
    }
    return out.toString();
  }
}
