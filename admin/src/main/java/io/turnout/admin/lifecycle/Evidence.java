package io.turnout.admin.lifecycle;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The measurements the guards weigh, gathered by the caller (state store, usage tracking, shadow
 * totals) just before a transition is decided. Keeping them a value keeps {@link Lifecycle} pure.
 *
 * @param shadowCompared reads compared in shadow so far (0: no shadow data yet, the rate guard does
 *     not apply)
 * @param lastOldNamesUse when a statement using the old names was last seen, if ever
 * @param verifyDrift for {@link Action#VERIFY}: the drift the verify just measured
 * @param missingNewColumns the plan's new columns the table does not have (yet): expand has not
 *     finished
 */
public record Evidence(
    Instant now,
    long shadowCompared,
    long shadowMismatched,
    Optional<Instant> lastOldNamesUse,
    Optional<String> lastOldNamesUser,
    long verifyDrift,
    List<String> missingNewColumns) {
  public Evidence {
    Objects.requireNonNull(now, "now");
    missingNewColumns = List.copyOf(missingNewColumns);
    Objects.requireNonNull(lastOldNamesUse, "lastOldNamesUse");
    Objects.requireNonNull(lastOldNamesUser, "lastOldNamesUser");
  }

  /** No shadow data, no old-name use seen. */
  public static Evidence none(Instant now) {
    return new Evidence(now, 0, 0, Optional.empty(), Optional.empty(), 0, List.of());
  }

  public Evidence withVerifyDrift(long drift) {
    return new Evidence(
        now,
        shadowCompared,
        shadowMismatched,
        lastOldNamesUse,
        lastOldNamesUser,
        drift,
        missingNewColumns);
  }

  /** Mismatched / compared; 0 without shadow data. */
  public double shadowMismatchRate() {
    return shadowCompared == 0 ? 0.0 : (double) shadowMismatched / shadowCompared;
  }
}
