package io.turnout.admin.jobs;

/** Where a backfill or verify run stands. Every state but {@link #RUNNING} is final. */
public enum JobState {
  /** Created, {@code run()} not called yet. */
  PENDING,
  RUNNING,
  /** The whole table was covered. */
  DONE,
  /** Stopped by an error or a refusal; {@link JobProgress#failure()} says why. */
  FAILED,
  /** Stopped between two batches because {@code cancel()} was called; resumable. */
  CANCELLED
}
