package io.turnout.config.load;

import java.util.Comparator;
import java.util.Objects;

/**
 * One problem in a plan file, where it is and what is wrong, printed the way compilers print them
 * so that editors can jump to it: {@code turnout.yaml:14:7: migrations[1].kind: unknown kind
 * 'rename_colum' (expected rename_column or transform_column)}.
 *
 * @param line 1-based line, or 0 when the problem has no place in the file (it cannot be read)
 * @param column 1-based column, or 0 with line 0
 * @param path the setting, {@code migrations[1].kind}; empty for the file as a whole
 */
public record ConfigProblem(String source, int line, int column, String path, String message) {
  /** File order: by line, then column. */
  public static final Comparator<ConfigProblem> BY_POSITION =
      Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column);

  public ConfigProblem {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(source);
    if (line > 0) {
      b.append(':').append(line).append(':').append(column);
    }
    b.append(": ");
    if (!path.isEmpty()) {
      b.append(path).append(": ");
    }
    return b.append(message).toString();
  }
}
