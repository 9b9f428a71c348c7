package io.turnout.admin.ddl;

import java.time.Duration;

/**
 * Progress of a {@link DdlRunner}, for the admin API and the CLI. Called on the runner's thread; an
 * implementation must not block. {@code index} is the step's 0-based position in the plan.
 */
public interface DdlListener {
  /** Ignores everything. */
  DdlListener NONE = new DdlListener() {};

  default void stepStarted(DdlPlan plan, int index, DdlStep step) {}

  default void stepRetrying(DdlPlan plan, int index, DdlStep step, DdlRetry retry) {}

  default void stepFinished(
      DdlPlan plan, int index, DdlStep step, StepOutcome outcome, Duration elapsed) {}
}
