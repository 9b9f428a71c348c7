package io.turnout.admin.jobs;

import java.time.Duration;

/**
 * The size of a backfill's next batch: toward the rows that fill the target batch time at the rate
 * the last batch ran, moving at most a factor of two per batch (one slow batch, a checkpoint or a
 * lock wait, does not collapse the size), within {@link #MIN} and {@link #MAX}. Pure.
 */
final class BatchSizer {
  static final int MIN = 10;
  static final int MAX = 100_000;

  private BatchSizer() {}

  /**
   * @param size the last batch's size (its LIMIT)
   * @param covered rows it covered (fewer than {@code size} only at a pass's end)
   * @param took how long it took, commit included
   * @param target the batch time aimed at; zero keeps {@code size}
   */
  static int next(int size, long covered, Duration took, Duration target) {
    if (target.isZero() || covered < size) {
      return size;
    }
    double seconds = Math.max(took.toNanos(), 1) / 1e9;
    double ideal = covered / seconds * (target.toNanos() / 1e9);
    double bounded = Math.max(size / 2.0, Math.min(size * 2.0, ideal));
    return (int) Math.max(MIN, Math.min(MAX, Math.round(bounded)));
  }
}
