package io.turnout.admin.control;

import io.turnout.admin.ddl.DdlListener;
import io.turnout.admin.ddl.DdlPlan;
import io.turnout.admin.ddl.DdlRetry;
import io.turnout.admin.ddl.DdlStep;
import io.turnout.admin.ddl.StepOutcome;
import io.turnout.admin.jobs.Backfill;
import io.turnout.admin.jobs.BackfillLimits;
import io.turnout.admin.jobs.JobProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * One job as the API and the CLI see it: what it is, where it stands, how far it got and how it
 * ended. Written by its worker thread, read from any other; every field is safe to read at any
 * time, so progress never waits for a batch.
 */
public final class Job {
  /** Where a job stands. Every status but {@link #QUEUED} and {@link #RUNNING} is final. */
  public enum Status {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    public boolean finished() {
      return this != QUEUED && this != RUNNING;
    }
  }

  /** How a DDL job stands: steps of its current plan, and lock-timeout retries so far. */
  public record DdlProgress(
      String phase, int stepsDone, int stepsTotal, Optional<String> step, int retries) {}

  private final String id;
  private final String migrationId;
  private final JobKind kind;
  private final String actor;
  private final Instant queuedAt;
  private volatile Status status = Status.QUEUED;
  private volatile Instant startedAt;
  private volatile Instant finishedAt;
  private volatile String message;
  private volatile boolean cancelRequested;
  private volatile Runnable canceller = () -> {};
  private volatile Supplier<JobProgress> rows;
  private volatile Backfill backfill;
  private volatile DdlProgress ddl;
  private final Map<String, Object> result = Collections.synchronizedMap(new LinkedHashMap<>());

  Job(String id, String migrationId, JobKind kind, String actor, Instant queuedAt) {
    this.id = Objects.requireNonNull(id, "id");
    this.migrationId = Objects.requireNonNull(migrationId, "migrationId");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.actor = Objects.requireNonNull(actor, "actor");
    this.queuedAt = Objects.requireNonNull(queuedAt, "queuedAt");
  }

  public String id() {
    return id;
  }

  public String migrationId() {
    return migrationId;
  }

  public JobKind kind() {
    return kind;
  }

  /** Who started it (the audit log names them for the transition it ends in). */
  public String actor() {
    return actor;
  }

  public Instant queuedAt() {
    return queuedAt;
  }

  public Status status() {
    return status;
  }

  public Optional<Instant> startedAt() {
    return Optional.ofNullable(startedAt);
  }

  public Optional<Instant> finishedAt() {
    return Optional.ofNullable(finishedAt);
  }

  /** Once finished: the one line that says how it ended. While running: what it does now. */
  public Optional<String> message() {
    return Optional.ofNullable(message);
  }

  /** Row progress of a backfill or verify pass, once its pass has started. */
  public Optional<JobProgress> rows() {
    Supplier<JobProgress> r = rows;
    return r == null ? Optional.empty() : Optional.of(r.get());
  }

  /** Step progress of the DDL plan running (or last run), if any. */
  public Optional<DdlProgress> ddl() {
    return Optional.ofNullable(ddl);
  }

  /** Details of the outcome (drift, sample keys, DDL steps applied …), in insertion order. */
  public Map<String, Object> result() {
    synchronized (result) {
      return new LinkedHashMap<>(result);
    }
  }

  public boolean cancelRequested() {
    return cancelRequested;
  }

  /** A running backfill's limits, which {@link #changeLimits} changes; empty for other jobs. */
  public Optional<BackfillLimits> limits() {
    Backfill b = backfill;
    return b == null ? Optional.empty() : Optional.of(b.limits());
  }

  /**
   * Changes a running backfill's limits (pause, resume, a new rate), from its next batch on.
   *
   * @return the limits now in force
   * @throws IllegalStateException when this job is no backfill, or has finished
   */
  public synchronized BackfillLimits changeLimits(UnaryOperator<BackfillLimits> change) {
    Backfill b = backfill;
    if (b == null || status.finished()) {
      throw new IllegalStateException(
          "job "
              + id
              + " is "
              + (b == null ? "not a backfill" : "finished")
              + ": no limits to change");
    }
    BackfillLimits changed = change.apply(b.limits());
    b.limits(changed);
    return changed;
  }

  // ------------------------------------------------------------ the worker's side

  /** Asks the job to stop at its next safe point; a finished job ignores it. */
  void requestCancel() {
    if (status.finished()) {
      return;
    }
    cancelRequested = true;
    canceller.run();
  }

  /** What {@link #requestCancel} should do to the work in flight (e.g. a backfill's cancel). */
  void onCancel(Runnable action) {
    this.canceller = Objects.requireNonNull(action, "action");
    if (cancelRequested) {
      action.run();
    }
  }

  /** The backfill this job runs: its progress and limits show through the job. */
  void runs(Backfill work) {
    this.backfill = work;
    trackRows(work::progress);
    onCancel(work::cancel);
  }

  void trackRows(Supplier<JobProgress> progress) {
    this.rows = Objects.requireNonNull(progress, "progress");
  }

  void putResult(String key, Object value) {
    result.put(key, value);
  }

  void say(String now) {
    this.message = now;
  }

  void started(Instant at) {
    this.startedAt = at;
    this.status = Status.RUNNING;
  }

  void finished(Status end, String how, Instant at) {
    if (!end.finished()) {
      throw new IllegalArgumentException(end + " is not an end");
    }
    this.message = how;
    this.finishedAt = at;
    this.status = end;
  }

  /** A listener that keeps {@link #ddl()} current while a DDL plan runs. */
  DdlListener ddlListener() {
    return new DdlListener() {
      private int retries;

      @Override
      public void stepStarted(DdlPlan plan, int index, DdlStep step) {
        ddl =
            new DdlProgress(
                plan.phase().label(),
                index,
                plan.steps().size(),
                Optional.of(step.description()),
                retries);
        say(step.description());
      }

      @Override
      public void stepRetrying(DdlPlan plan, int index, DdlStep step, DdlRetry retry) {
        retries++;
        ddl =
            new DdlProgress(
                plan.phase().label(),
                index,
                plan.steps().size(),
                Optional.of(step.description()),
                retries);
        say(
            step.description()
                + ": lock not available ("
                + retry.sqlState()
                + "), attempt "
                + retry.attempt()
                + " of "
                + retry.maxAttempts()
                + (retry.holders().isEmpty() ? "" : ", held by pid " + retry.holders().get(0).pid())
                + "; retrying in "
                + retry.delay().toMillis()
                + " ms");
      }

      @Override
      public void stepFinished(
          DdlPlan plan, int index, DdlStep step, StepOutcome outcome, Duration elapsed) {
        ddl =
            new DdlProgress(
                plan.phase().label(), index + 1, plan.steps().size(), Optional.empty(), retries);
      }
    };
  }
}
