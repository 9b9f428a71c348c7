package io.turnout.admin.jobs;

import io.turnout.config.plan.Migration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills a migration's new columns from its old ones ({@code new := forward(old)}) in keyset batches
 * over the primary key, resumably.
 *
 * <p>Each batch is one transaction: one {@link ForwardBatch} statement (which never overwrites a
 * concurrent dual-write with a stale value), then the checkpoint row advanced.
 *
 * <p>A pass ends at the greatest key when it started: rows inserted later come through Turnout,
 * which dual-writes them, so the pass never chases an insert-heavy table's tail. Each batch is
 * sized toward {@link BackfillLimits#batchTime()} (short, so an application write never waits long
 * behind a batch's row locks), and waits before it starts while the {@link BackfillLimits} say so:
 * paused, over a rate limit, too many active connections, a named replica lagging. The limits can
 * change while it runs ({@link #limits(BackfillLimits)}); what it waits for shows in {@link
 * #progress()}.
 *
 * <p>One backfill per migration runs at a time across all instances (a session advisory lock on the
 * job's connection); a second is refused with {@link JobRefusedException}. A killed run resumes
 * after its last committed batch; a run after a finished pass starts a new pass.
 *
 * <p>The job takes one connection from the {@link DataSource} for its whole run (the advisory lock
 * lives on it) and returns it with the lock released. The control schema {@code turnout} must be in
 * the same database as the table, because the checkpoint commits with the batch. {@link #run}
 * blocks; call it from a worker thread, and {@link #progress()} or {@link #cancel()} from any
 * other. An instance runs once.
 */
public final class Backfill {
  public static final String JOB = "backfill";

  private static final Logger log = LoggerFactory.getLogger(Backfill.class);
  private static final String LOCK_NOT_AVAILABLE = "55P03";
  private static final String DEADLOCK_DETECTED = "40P01";
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /** How often a backfill waiting on its limits looks again. */
  private static final Duration LOAD_RECHECK = Duration.ofMillis(200);

  /** A batch at the minimum size taking this many target batch times means the database is slow. */
  private static final int SLOW_BATCH_FACTOR = 4;

  private final DataSource dataSource;
  private final Migration migration;
  private final JobOptions options;
  private final ProgressMeter meter = new ProgressMeter();
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile boolean cancelRequested;
  private volatile BackfillLimits limits;

  /**
   * @param options the first batch's size, and lock handling
   * @param limits how hard it may push; change them while it runs with {@link
   *     #limits(BackfillLimits)}
   */
  public Backfill(
      DataSource dataSource, Migration migration, JobOptions options, BackfillLimits limits) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.migration = Objects.requireNonNull(migration, "migration");
    this.options = Objects.requireNonNull(options, "options");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  public Backfill(DataSource dataSource, Migration migration, JobOptions options) {
    this(dataSource, migration, options, BackfillLimits.DEFAULT);
  }

  public Backfill(DataSource dataSource, Migration migration) {
    this(dataSource, migration, JobOptions.DEFAULT);
  }

  /** The limits in force. */
  public BackfillLimits limits() {
    return limits;
  }

  /** New limits, from the next batch on (pause, resume, a new rate): from any thread. */
  public void limits(BackfillLimits changed) {
    limits = Objects.requireNonNull(changed, "limits");
  }

  public String migrationId() {
    return migration.id();
  }

  /** A consistent-enough snapshot, from any thread. */
  public JobProgress progress() {
    return meter.snapshot();
  }

  /**
   * Asks the run to stop after the batch in flight commits (or during a retry's wait). The
   * checkpoint keeps the last committed batch, so a later run continues from there.
   */
  public void cancel() {
    cancelRequested = true;
  }

  /**
   * Runs (or resumes) the pass to its end or until cancelled.
   *
   * @throws JobRefusedException if the table has no primary key or lacks a column, or another
   *     backfill of this migration holds the lock
   * @throws SQLException if a batch fails for another reason, or still times out on locks after
   *     {@link JobOptions#maxLockRetries()} retries; committed batches stay committed
   */
  public BackfillResult run() throws SQLException {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException(
          "backfill of " + migration.id() + " was already run by this instance; create a new one");
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      JobLock.acquire(c, JOB, migration.id());
      try {
        return pass(c);
      } finally {
        unlock(c);
      }
    } catch (SQLException | RuntimeException e) {
      meter.fail(e.getMessage());
      throw e;
    }
  }

  private BackfillResult pass(Connection c) throws SQLException {
    JobTarget target = JobTarget.resolve(c, migration, JOB);
    Optional<Checkpoint> saved = Checkpoint.load(c, migration.id(), JOB);
    Checkpoint checkpoint;
    if (saved.isPresent() && !saved.get().finished()) {
      checkpoint = saved.get();
      if (checkpoint.upperKey() == null) {
        checkpoint = checkpoint.bounded(c, greatestKey(c, target));
      }
      log.info(
          "backfill of {}: resuming {} after key {} up to {} ({} rows done)",
          migration.id(),
          target.table().name(),
          checkpoint.lastKey(),
          checkpoint.upperKey(),
          checkpoint.rowsDone());
    } else {
      checkpoint =
          Checkpoint.startPass(
              c, migration.id(), JOB, greatestKey(c, target), target.estimateRows(c));
      log.info(
          "backfill of {}: new pass over {} (~{} rows, keys up to {})",
          migration.id(),
          target.table().name(),
          checkpoint.rowsTotal(),
          checkpoint.upperKey());
    }
    meter.start(checkpoint.rowsDone(), checkpoint.rowsTotal());
    ForwardBatch sql = new ForwardBatch(target);
    List<String> lastKey = checkpoint.lastKey();
    long changed = 0;
    long batches = 0;
    int size = options.batchSize();
    c.setAutoCommit(false);
    if (checkpoint.upperKey().isEmpty()) {
      checkpoint.finish(c); // the table was empty when the pass started
      c.commit();
      return end(JobState.DONE, checkpoint, lastKey, changed, batches);
    }
    while (true) {
      meter.batchSize(limitFor(size));
      if (cancelRequested || !awaitLimits(c)) {
        return end(JobState.CANCELLED, checkpoint, lastKey, changed, batches);
      }
      int limit = limitFor(size); // the limits may have changed while it waited
      meter.batchSize(limit);
      long t0 = System.nanoTime();
      Optional<BatchOutcome> outcome = batchWithRetries(c, sql, target, checkpoint, lastKey, limit);
      if (outcome.isEmpty()) {
        return end(JobState.CANCELLED, checkpoint, lastKey, changed, batches);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      BatchOutcome b = outcome.get();
      if (b.covered() > 0) {
        lastKey = b.lastKey();
        changed += b.changed();
        batches++;
        meter.batch(b.covered(), b.changed());
      }
      if (b.finished()) {
        return end(JobState.DONE, checkpoint, lastKey, changed, batches);
      }
      if (!pace(b.covered(), took)) {
        return end(JobState.CANCELLED, checkpoint, lastKey, changed, batches);
      }
      size = BatchSizer.next(limit, b.covered(), took, limits.batchTime());
    }
  }

  /** A batch's LIMIT: its adaptive size, within a quarter second's worth of a rate limit. */
  private int limitFor(int size) {
    long rate = limits.maxRowsPerSecond();
    return rate == 0 ? size : (int) Math.max(1, Math.min(size, rate / 4));
  }

  /** The greatest key now: where a new pass ends (later rows are dual-written already). */
  private static List<String> greatestKey(Connection c, JobTarget target) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(target.keyset().greatestKey(target.tableSql()));
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Keyset.readKey(rs, 1) : List.of();
    }
  }

  /**
   * Waits while paused or while the load limits say so, the reason in the progress; false if
   * cancelled meanwhile.
   */
  private boolean awaitLimits(Connection c) throws SQLException {
    while (!cancelRequested) {
      BackfillLimits l = limits;
      String why = l.paused() ? "paused by an operator" : LoadCheck.why(c, l);
      c.commit(); // the load queries' snapshot
      if (why == null) {
        meter.waitingFor(null);
        return true;
      }
      if (!why.equals(meter.snapshot().waitingFor().orElse(null))) {
        log.info("backfill of {}: waiting: {}", migration.id(), why);
      }
      meter.waitingFor(why);
      if (!sleep(LOAD_RECHECK)) {
        return false;
      }
    }
    return false;
  }

  /**
   * Holds the rate limit: a batch of {@code rows} that took {@code took} waits out the rest of the
   * time those rows are allowed. Also backs off when even a small batch is slow, a sign of load the
   * limits do not measure (I/O, locks): as long again as the batch took. False if cancelled.
   */
  private boolean pace(long rows, Duration took) {
    BackfillLimits l = limits;
    long waitNanos = 0;
    String why = null;
    if (l.maxRowsPerSecond() > 0) {
      waitNanos = rows * 1_000_000_000L / l.maxRowsPerSecond() - took.toNanos();
      why = "rate limit " + l.maxRowsPerSecond() + " rows/s";
    }
    Duration target = l.batchTime();
    if (!target.isZero()
        && rows <= BatchSizer.MIN
        && took.compareTo(target.multipliedBy(SLOW_BATCH_FACTOR)) > 0
        && took.toNanos() > waitNanos) {
      waitNanos = took.toNanos();
      why = "batches of " + rows + " rows take " + took.toMillis() + " ms";
    }
    if (waitNanos <= 0) {
      return true;
    }
    meter.waitingFor(why);
    boolean goOn = sleep(Duration.ofNanos(waitNanos));
    meter.waitingFor(null);
    return goOn;
  }

  private BackfillResult end(
      JobState state, Checkpoint checkpoint, List<String> lastKey, long changed, long batches) {
    meter.finish(state);
    JobProgress p = meter.snapshot();
    log.info(
        "backfill of {}: {} after {} batches, {} rows done, {} changed, {} rows/s",
        migration.id(),
        state,
        batches,
        p.rowsDone(),
        changed,
        Math.round(p.rowsPerSecond()));
    return new BackfillResult(state, p.rowsDone(), changed, batches, lastKey);
  }

  /** One batch, retried on lock timeouts and deadlocks; empty if cancelled while waiting. */
  private Optional<BatchOutcome> batchWithRetries(
      Connection c,
      ForwardBatch sql,
      JobTarget target,
      Checkpoint checkpoint,
      List<String> lastKey,
      int size)
      throws SQLException {
    Duration backoff = options.retryBackoff();
    for (int attempt = 0; ; attempt++) {
      try {
        BatchOutcome outcome = batch(c, sql, checkpoint, lastKey, size);
        c.commit();
        return Optional.of(outcome);
      } catch (SQLException e) {
        c.rollback();
        boolean retryable =
            LOCK_NOT_AVAILABLE.equals(e.getSQLState()) || DEADLOCK_DETECTED.equals(e.getSQLState());
        if (!retryable) {
          throw new SQLException(
              "backfill of "
                  + migration.id()
                  + ": batch of "
                  + target.table().name()
                  + " after key "
                  + lastKey
                  + " failed: "
                  + e.getMessage(),
              e.getSQLState(),
              e);
        }
        if (attempt >= options.maxLockRetries()) {
          throw new SQLException(
              "backfill of "
                  + migration.id()
                  + ": batch of "
                  + target.table().name()
                  + " after key "
                  + lastKey
                  + " still blocked after "
                  + (attempt + 1)
                  + " attempts (lock_timeout "
                  + options.lockTimeout().toMillis()
                  + " ms); find the long transaction in pg_stat_activity, or raise the lock"
                  + " timeout: "
                  + e.getMessage(),
              e.getSQLState(),
              e);
        }
        log.warn(
            "backfill of {}: batch after key {} blocked ({}), retry {} of {} in {} ms",
            migration.id(),
            lastKey,
            e.getSQLState(),
            attempt + 1,
            options.maxLockRetries(),
            backoff.toMillis());
        if (!sleep(backoff)) {
          return Optional.empty();
        }
        backoff = min(backoff.multipliedBy(2), MAX_BACKOFF);
      }
    }
  }

  private BatchOutcome batch(
      Connection c, ForwardBatch sql, Checkpoint checkpoint, List<String> lastKey, int size)
      throws SQLException {
    ForwardBatch.Outcome o =
        sql.run(c, lastKey, checkpoint.upperKey(), size, options.lockTimeout());
    if (o.covered() > 0) {
      checkpoint.advance(c, o.lastKey(), o.covered());
    }
    // Fewer rows than asked for: nothing is left up to the pass's end.
    boolean finished = o.covered() < size;
    if (finished) {
      checkpoint.finish(c);
    }
    return new BatchOutcome(o.covered(), o.changed(), o.lastKey(), finished);
  }

  /** False if cancelled (or interrupted) while waiting. */
  private boolean sleep(Duration d) {
    long until = System.nanoTime() + d.toNanos();
    try {
      // Short slices, so cancel() during a long backoff is honoured promptly.
      while (!cancelRequested && System.nanoTime() < until) {
        Thread.sleep(Math.max(1, Math.min(50, (until - System.nanoTime()) / 1_000_000)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return !cancelRequested;
  }

  private void unlock(Connection c) {
    try {
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
      JobLock.release(c, JOB, migration.id());
    } catch (SQLException e) {
      // The connection is broken, and PostgreSQL drops the lock with the session; a pool evicts
      // a broken connection rather than handing it out with the lock still held.
      log.warn(
          "backfill of {}: could not release its advisory lock: {}", migration.id(), e.toString());
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private record BatchOutcome(long covered, long changed, List<String> lastKey, boolean finished) {}
}
