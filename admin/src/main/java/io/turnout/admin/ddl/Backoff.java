package io.turnout.admin.ddl;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: before retry {@code n} (1-based) wait a uniformly random
 * time in {@code [0, min(cap, base · 2^(n-1))]}. The jitter spreads retries of several Turnout
 * instances (or of DDL and autovacuum) apart instead of letting them collide again in step.
 *
 * @param base the upper bound before the first retry
 * @param cap the largest upper bound
 * @param maxAttempts attempts in all, the first one included (so {@code maxAttempts - 1} retries)
 * @see <a href="https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/">
 *     Exponential Backoff And Jitter</a>
 */
public record Backoff(Duration base, Duration cap, int maxAttempts) {
  /** 100 ms base, 10 s cap, 50 attempts: a few minutes of trying before giving up. */
  public static final Backoff DEFAULT =
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 50);

  public Backoff {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(cap, "cap");
    if (base.isNegative() || base.isZero()) {
      throw new IllegalArgumentException("backoff base must be positive, was " + base);
    }
    if (cap.compareTo(base) < 0) {
      throw new IllegalArgumentException(
          "backoff cap (" + cap + ") must not be below its base (" + base + ")");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("max attempts must be at least 1, was " + maxAttempts);
    }
  }

  /** The upper bound of the wait before retry {@code retry} (1-based). */
  public Duration ceiling(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry is 1-based, was " + retry);
    }
    long capNanos = cap.toNanos();
    long nanos = base.toNanos();
    for (int i = 1; i < retry && nanos < capNanos; i++) {
      nanos = nanos > capNanos / 2 ? capNanos : nanos * 2;
    }
    return Duration.ofNanos(Math.min(nanos, capNanos));
  }

  /**
   * The wait before retry {@code retry}: {@code random} (uniform in {@code [0, 1)}) times the
   * ceiling.
   */
  public Duration delay(int retry, DoubleSupplier random) {
    double r = random.getAsDouble();
    if (r < 0 || r >= 1) {
      throw new IllegalArgumentException("random must be in [0, 1), was " + r);
    }
    return Duration.ofNanos((long) (ceiling(retry).toNanos() * r));
  }
}
