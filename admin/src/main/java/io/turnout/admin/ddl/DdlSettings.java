package io.turnout.admin.ddl;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link DdlRunner} takes locks.
 *
 * @param lockTimeout the longest any statement waits for its lock. While an {@code ALTER TABLE}
 *     waits for ACCESS EXCLUSIVE, every later query on the table queues behind it, so this bounds
 *     how long the application can stall because of Turnout; on timeout the statement is retried
 *     after {@code backoff}.
 * @param backoff waits between attempts, and how many attempts a step gets
 */
public record DdlSettings(Duration lockTimeout, Backoff backoff) {
  /** 2 s lock timeout, {@link Backoff#DEFAULT}. */
  public static final DdlSettings DEFAULT = new DdlSettings(Duration.ofSeconds(2), Backoff.DEFAULT);

  public DdlSettings {
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    Objects.requireNonNull(backoff, "backoff");
    if (lockTimeout.toMillis() < 1) {
      // 0 would mean "wait forever", the one thing the runner must never do.
      throw new IllegalArgumentException("lock timeout must be at least 1ms, was " + lockTimeout);
    }
  }
}
