package io.turnout.admin.ddl;

import java.time.Duration;
import java.util.List;

/**
 * A step's statement could not get its lock (or was chosen as a deadlock victim) and will be tried
 * again.
 *
 * @param attempt the attempt that failed (1-based)
 * @param maxAttempts attempts the step gets in all
 * @param delay the wait before the next attempt
 * @param sqlState PostgreSQL's code ({@code 55P03} lock_not_available, {@code 40P01}
 *     deadlock_detected)
 * @param message PostgreSQL's message
 * @param holders sessions holding locks on the table at that moment (empty when none was found,
 *     e.g. when {@code CREATE INDEX CONCURRENTLY} waited for old transactions elsewhere)
 */
public record DdlRetry(
    int attempt,
    int maxAttempts,
    Duration delay,
    String sqlState,
    String message,
    List<LockHolder> holders) {
  public DdlRetry {
    holders = List.copyOf(holders);
  }
}
