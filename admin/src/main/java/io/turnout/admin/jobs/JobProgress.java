package io.turnout.admin.jobs;

import java.time.Duration;
import java.util.Optional;

/**
 * A snapshot of a running (or finished) job, safe to take from any thread while the job runs.
 *
 * @param rowsDone rows covered so far in this pass, including those done by earlier runs that this
 *     run resumed from
 * @param rowsChanged rows this run actually wrote (backfill) or found drifting (verify)
 * @param rowsTotal the estimate of the table's rows taken when the pass started ({@code
 *     pg_class.reltuples}, or {@code count(*)} for a table never analysed); may be off either way
 * @param rowsPerSecond rows covered per second by this run (not by earlier runs)
 * @param eta time left at the current rate; empty until the rate is known or once past the estimate
 * @param batches batches (chunks) committed by this run
 * @param failure why the job is {@link JobState#FAILED}; empty otherwise
 * @param waitingFor what a running backfill waits for before its next batch (paused, a rate limit,
 *     load, replica lag); empty while it runs freely
 * @param batchSize the size of the next batch (it adapts to the target batch time)
 */
public record JobProgress(
    JobState state,
    long rowsDone,
    long rowsChanged,
    long rowsTotal,
    double rowsPerSecond,
    Optional<Duration> eta,
    long batches,
    Optional<String> failure,
    Optional<String> waitingFor,
    int batchSize) {

  /** Fraction done in [0, 1], from the estimate (1 once done, whatever the estimate said). */
  public double fraction() {
    if (state == JobState.DONE) {
      return 1.0;
    }
    return rowsTotal <= 0 ? 0.0 : Math.min(1.0, (double) rowsDone / rowsTotal);
  }
}
