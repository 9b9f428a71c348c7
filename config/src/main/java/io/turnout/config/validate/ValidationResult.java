package io.turnout.config.validate;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@link PlanValidator} found: the problems (empty when the plan fits the catalog) and the
 * expression checks left for a live database check.
 */
public record ValidationResult(List<PlanProblem> problems, List<ExpressionCheck> checks) {
  public static final ValidationResult OK = new ValidationResult(List.of(), List.of());

  public ValidationResult {
    problems = List.copyOf(problems);
    checks = List.copyOf(checks);
  }

  /** True when there are no problems (checks may still be pending). */
  public boolean ok() {
    return problems.isEmpty();
  }

  public ValidationResult plus(ValidationResult other) {
    List<PlanProblem> p = new ArrayList<>(problems);
    p.addAll(other.problems);
    List<ExpressionCheck> c = new ArrayList<>(checks);
    c.addAll(other.checks);
    return new ValidationResult(p, c);
  }

  /** One line per problem, for a refusal message or a log line. */
  public String describeProblems() {
    return problems.stream().map(PlanProblem::toString).collect(Collectors.joining("\n"));
  }
}
