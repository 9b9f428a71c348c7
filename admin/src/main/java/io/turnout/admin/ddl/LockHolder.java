package io.turnout.admin.ddl;

import java.time.Duration;
import java.util.Optional;

/**
 * A session that held a lock on the table when a DDL statement timed out waiting for its own: the
 * likely reason for the wait, as {@code pg_locks} and {@code pg_stat_activity} show it.
 *
 * @param pid the backend's process id ({@code pg_terminate_backend} takes it)
 * @param mode the lock it holds ({@code AccessShareLock}, {@code RowExclusiveLock}, …)
 * @param state {@code active}, {@code idle in transaction}, …
 * @param transactionAge how long its transaction has been open, when it has one
 * @param query its current or last statement, shortened
 */
public record LockHolder(
    int pid, String mode, String state, Optional<Duration> transactionAge, String query) {
  @Override
  public String toString() {
    return "pid "
        + pid
        + " ("
        + mode
        + ", "
        + state
        + transactionAge.map(a -> " for " + a.toMillis() + "ms").orElse("")
        + ": "
        + query
        + ")";
  }
}
