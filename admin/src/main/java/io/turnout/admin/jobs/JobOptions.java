package io.turnout.admin.jobs;

import java.time.Duration;
import java.util.Objects;

/**
 * How a backfill or verify walks the table.
 *
 * @param batchSize rows per batch (backfill) or chunk (verify)
 * @param lockTimeout {@code SET LOCAL lock_timeout} for each batch, so a batch waiting behind an
 *     application's long transaction gives up instead of queueing every later writer behind it
 * @param maxLockRetries how many times one batch is retried after a lock timeout or deadlock before
 *     the job fails
 * @param retryBackoff the first wait before a retry; doubled each retry, capped at 30 s
 */
public record JobOptions(
    int batchSize, Duration lockTimeout, int maxLockRetries, Duration retryBackoff) {
  public static final JobOptions DEFAULT =
      new JobOptions(1000, Duration.ofSeconds(2), 10, Duration.ofMillis(100));

  public JobOptions {
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    Objects.requireNonNull(retryBackoff, "retryBackoff");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1 but was " + batchSize);
    }
    if (lockTimeout.isNegative() || lockTimeout.isZero()) {
      // 0 would mean "wait forever" to PostgreSQL, the opposite of what the setting is for.
      throw new IllegalArgumentException("lock timeout must be positive but was " + lockTimeout);
    }
    if (maxLockRetries < 0) {
      throw new IllegalArgumentException(
          "max lock retries must be at least 0 but was " + maxLockRetries);
    }
    if (retryBackoff.isNegative()) {
      throw new IllegalArgumentException("retry backoff must not be negative: " + retryBackoff);
    }
  }

  public JobOptions withBatchSize(int rows) {
    return new JobOptions(rows, lockTimeout, maxLockRetries, retryBackoff);
  }

  public JobOptions withLockTimeout(Duration timeout) {
    return new JobOptions(batchSize, timeout, maxLockRetries, retryBackoff);
  }

  public JobOptions withRetries(int retries, Duration backoff) {
    return new JobOptions(batchSize, lockTimeout, retries, backoff);
  }
}
