package io.turnout.config.load;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A plan file that cannot be used, with every problem found in one pass, in file order. The message
 * is one line per problem.
 *
 * <p>Checked on purpose: a bad plan file is an operator's mistake that every caller ({@code turnout
 * serve}, {@code turnout explain}, a reload through the admin API) must turn into a readable report
 * and a refusal, never into a stack trace or a half-applied plan; the compiler makes sure each of
 * them does.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Transient: records are not serialisable, and nobody sends this exception over the wire. */
  private final transient List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(render(problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  public ConfigException(ConfigProblem problem) {
    this(List.of(problem));
  }

  /** Every problem, in file order. */
  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String render(List<ConfigProblem> problems) {
    return problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
  }
}
