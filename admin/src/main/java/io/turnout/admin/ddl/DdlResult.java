package io.turnout.admin.ddl;

import java.time.Duration;
import java.util.List;

/**
 * What {@link DdlRunner#run} did: one outcome per step in plan order, the number of retries over
 * all steps, and the wall time.
 */
public record DdlResult(DdlPlan plan, List<StepOutcome> outcomes, int retries, Duration elapsed) {
  public DdlResult {
    outcomes = List.copyOf(outcomes);
  }

  /** True when every step was already in place: the run changed nothing. */
  public boolean unchanged() {
    return outcomes.stream().allMatch(o -> o == StepOutcome.SKIPPED);
  }
}
