package io.turnout.config.plan;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code verify:}: how often a verify runs by itself while the migration's reads are on the new
 * path ({@code reads}, {@code reads_new}, {@code writes_new}), to catch writes that bypassed
 * Turnout after the last verify (another service, psql, a trigger). Zero: never.
 */
public record VerifyPolicy(Duration interval) {
  public static final VerifyPolicy DEFAULT = new VerifyPolicy(Duration.ofHours(1));

  public VerifyPolicy {
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative()) {
      throw new IllegalArgumentException("interval must not be negative, was " + interval);
    }
  }

  public boolean periodic() {
    return !interval.isZero();
  }
}
