package io.turnout.admin.jobs;

import java.time.Duration;
import java.util.Optional;

/**
 * The mutable side of {@link JobProgress}: written by the one thread running the job, read by any
 * other. Each field is volatile rather than guarded by a lock, so a reader never waits for a batch;
 * a snapshot may mix two consecutive batches, which is harmless for a progress bar.
 */
final class ProgressMeter {
  private volatile JobState state = JobState.PENDING;
  private volatile long rowsDone;
  private volatile long rowsDoneAtStart;
  private volatile long rowsChanged;
  private volatile long rowsTotal;
  private volatile long batches;
  private volatile long startedNanos;
  private volatile String failure;
  private volatile String waitingFor;
  private volatile int batchSize;

  /** Called once by the job thread when the pass (or the resumed pass) is known. */
  void start(long resumedRowsDone, long estimatedTotal) {
    rowsDoneAtStart = resumedRowsDone;
    rowsDone = resumedRowsDone;
    rowsTotal = estimatedTotal;
    startedNanos = System.nanoTime();
    state = JobState.RUNNING;
  }

  void batch(long covered, long changed) {
    // Single writer: read-modify-write on volatiles is safe here.
    rowsDone += covered;
    rowsChanged += changed;
    batches++;
  }

  void finish(JobState end) {
    waitingFor = null;
    state = end;
  }

  /** What the job waits for now, or null once it goes on. */
  void waitingFor(String why) {
    waitingFor = why;
  }

  void batchSize(int rows) {
    batchSize = rows;
  }

  void fail(String why) {
    failure = why;
    state = JobState.FAILED;
  }

  JobState state() {
    return state;
  }

  JobProgress snapshot() {
    JobState s = state;
    long done = rowsDone;
    long total = rowsTotal;
    double rate = 0.0;
    long started = startedNanos;
    if (s != JobState.PENDING && started != 0) {
      double seconds = (System.nanoTime() - started) / 1e9;
      rate = seconds > 0 ? (done - rowsDoneAtStart) / seconds : 0.0;
    }
    Optional<Duration> eta = Optional.empty();
    if (s == JobState.RUNNING && rate > 0 && total > done) {
      eta = Optional.of(Duration.ofMillis((long) ((total - done) / rate * 1000)));
    }
    return new JobProgress(
        s,
        done,
        rowsChanged,
        total,
        rate,
        eta,
        batches,
        Optional.ofNullable(failure),
        Optional.ofNullable(waitingFor),
        batchSize);
  }
}
