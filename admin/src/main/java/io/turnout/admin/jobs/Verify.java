package io.turnout.admin.jobs;

import io.turnout.config.plan.Migration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the rows where old and new disagree: a new column that is not forward(old), or an old
 * column that is not backward(new). Walks the table in keyset chunks over the primary key, each
 * chunk in its own short {@code REPEATABLE READ READ ONLY} transaction, and sums the counts, so it
 * never holds one snapshot for the whole table (which would hold back vacuum on a big one).
 *
 * <p>Rows are compared in the same snapshot within a chunk, not across chunks: a row written by the
 * application between two chunks is checked as it is when its chunk is read. With dual-write on,
 * every committed row is consistent, so a non-zero drift means a write bypassed Turnout or the
 * backfill has not covered the row yet.
 *
 * <p>Verify writes nothing to the table unless asked to repair, and keeps a checkpoint (its last
 * key and what it counted) on a second connection after each chunk, so a verify stopped by a
 * restart or a cancel resumes after its last chunk; only a complete pass proves anything. One
 * verify per migration runs at a time across all instances (an advisory lock on that connection).
 * Asked to repair, each chunk that drifts gets the backfill's own {@link ForwardBatch} over its key
 * range, in a short READ COMMITTED transaction of its own (new := forward(old), only where they
 * differ, so a concurrent dual-write is never overwritten), and is counted again. It takes two
 * connections from the {@link DataSource} for its run. {@link #run} blocks; {@link #progress()} and
 * {@link #cancel()} may be called from any thread. An instance runs once.
 */
public final class Verify {
  public static final String JOB = "verify";
  public static final int MAX_SAMPLES = 10;

  private static final Logger log = LoggerFactory.getLogger(Verify.class);

  private final DataSource dataSource;
  private final Migration migration;
  private final JobOptions options;
  private final boolean repair;
  private final ProgressMeter meter = new ProgressMeter();
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile boolean cancelRequested;

  /**
   * @param repair write forward(old) into the drifting rows it finds (see the class comment)
   */
  public Verify(DataSource dataSource, Migration migration, JobOptions options, boolean repair) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.migration = Objects.requireNonNull(migration, "migration");
    this.options = Objects.requireNonNull(options, "options");
    this.repair = repair;
  }

  public Verify(DataSource dataSource, Migration migration, JobOptions options) {
    this(dataSource, migration, options, false);
  }

  public Verify(DataSource dataSource, Migration migration) {
    this(dataSource, migration, JobOptions.DEFAULT);
  }

  public JobProgress progress() {
    return meter.snapshot();
  }

  /** Stops after the chunk in flight; the result is then {@link JobState#CANCELLED}. */
  public void cancel() {
    cancelRequested = true;
  }

  /**
   * @throws JobRefusedException if the table has no primary key or lacks a column, or another
   *     verify of this migration is running
   */
  public VerifyResult run() throws SQLException {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException(
          "verify of " + migration.id() + " was already run by this instance; create a new one");
    }
    try (Connection c = dataSource.getConnection();
        Connection w = dataSource.getConnection()) {
      c.setAutoCommit(true);
      w.setAutoCommit(true);
      JobLock.acquire(w, JOB, migration.id()); // one verify per migration, on every instance
      try {
        JobTarget target = JobTarget.resolve(c, migration, JOB);
        VerifyCheckpoint from = resumeOrStart(w, target);
        meter.start(from.rowsChecked(), Math.max(from.rowsChecked(), target.estimateRows(c)));
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
        try {
          return walk(c, w, target, from);
        } finally {
          c.rollback();
          c.setReadOnly(false);
          c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
          c.setAutoCommit(true);
        }
      } finally {
        JobLock.release(w, JOB, migration.id());
      }
    } catch (SQLException | RuntimeException e) {
      meter.fail(e.getMessage());
      throw e;
    }
  }

  /** The unfinished pass to resume, or a new one. */
  private VerifyCheckpoint resumeOrStart(Connection w, JobTarget target) throws SQLException {
    Optional<VerifyCheckpoint> saved = VerifyCheckpoint.load(w, migration.id());
    if (saved.isPresent() && !saved.get().finished() && !saved.get().lastKey().isEmpty()) {
      VerifyCheckpoint v = saved.get();
      log.info(
          "verify of {}: resuming after key {} ({} rows checked, {} drifting so far)",
          migration.id(),
          v.lastKey(),
          v.rowsChecked(),
          v.drift());
      return v;
    }
    return VerifyCheckpoint.startPass(w, migration.id(), target.estimateRows(w));
  }

  private VerifyResult walk(Connection c, Connection w, JobTarget target, VerifyCheckpoint from)
      throws SQLException {
    Keyset k = target.keyset();
    String counts =
        " SELECT count(*), count(*) FILTER (WHERE turnout_drift), "
            + k.lastKeyOfBatch()
            + " FROM "
            + Keyset.BATCH_ALIAS;
    String samples =
        " SELECT "
            + k.keyArray()
            + " FROM "
            + Keyset.BATCH_ALIAS
            + " WHERE turnout_drift ORDER BY "
            + k.batchOrder()
            + " LIMIT ?";
    ForwardBatch forward = repair ? new ForwardBatch(target) : null;
    VerifyCheckpoint cp = from;
    List<String> lastKey = from.lastKey();
    long checked = from.rowsChecked();
    long drift = from.drift();
    long found = from.found();
    long repaired = from.repaired();
    List<List<String>> sampleKeys = new ArrayList<>(from.sampleKeys());
    while (!cancelRequested) {
      String cte = chunkCte(target, !lastKey.isEmpty(), false);
      long rows;
      long drifting;
      List<String> chunkLast;
      try (PreparedStatement ps = c.prepareStatement(cte + counts)) {
        bindChunk(ps, k, lastKey, null, options.batchSize());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          rows = rs.getLong(1);
          drifting = rs.getLong(2);
          chunkLast = Keyset.readKey(rs, 3);
        }
      }
      if (rows == 0) {
        c.rollback();
        cp.advance(w, lastKey, checked, drift, found, repaired, sampleKeys, true);
        meter.finish(JobState.DONE);
        log.info(
            "verify of {}: {} rows checked, {} drifting ({} found, {} repaired), first keys {}",
            migration.id(),
            checked,
            drift,
            found,
            repaired,
            sampleKeys);
        return new VerifyResult(checked, drift, sampleKeys, JobState.DONE, found, repaired);
      }
      if (drifting > 0 && sampleKeys.size() < MAX_SAMPLES) {
        // Same transaction, so the same snapshot as the counts.
        try (PreparedStatement ps = c.prepareStatement(cte + samples)) {
          int index = bindChunk(ps, k, lastKey, null, options.batchSize());
          ps.setInt(index, MAX_SAMPLES - sampleKeys.size());
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              sampleKeys.add(Keyset.readKey(rs, 1));
            }
          }
        }
      }
      c.rollback(); // ends the chunk's snapshot; nothing was written
      found += drifting;
      if (drifting > 0 && forward != null) {
        repaired += repairChunk(c, forward, lastKey, chunkLast);
        drifting = countRange(c, target, counts, lastKey, chunkLast);
      }
      checked += rows;
      drift += drifting;
      lastKey = chunkLast;
      cp = cp.advance(w, lastKey, checked, drift, found, repaired, sampleKeys, false);
      meter.batch(rows, drifting);
    }
    meter.finish(JobState.CANCELLED);
    return new VerifyResult(checked, drift, sampleKeys, JobState.CANCELLED, found, repaired);
  }

  /**
   * Writes forward(old) into the drifting rows after {@code after} up to {@code upTo}, in a READ
   * COMMITTED transaction of its own (retried on lock timeouts like a backfill batch); rows
   * changed.
   */
  private long repairChunk(
      Connection c, ForwardBatch forward, List<String> after, List<String> upTo)
      throws SQLException {
    c.setReadOnly(false);
    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    try {
      Duration backoff = options.retryBackoff();
      for (int attempt = 0; ; attempt++) {
        try {
          long changed =
              forward.run(c, after, upTo, Integer.MAX_VALUE, options.lockTimeout()).changed();
          c.commit();
          return changed;
        } catch (SQLException e) {
          c.rollback();
          if (!"55P03".equals(e.getSQLState()) || attempt >= options.maxLockRetries()) {
            throw new SQLException(
                "verify of "
                    + migration.id()
                    + ": repair of the keys after "
                    + after
                    + " up to "
                    + upTo
                    + " failed: "
                    + e.getMessage(),
                e.getSQLState(),
                e);
          }
          sleep(backoff);
          backoff = backoff.multipliedBy(2);
        }
      }
    } finally {
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
    }
  }

  /** The rows still drifting after {@code after} up to {@code upTo}, in a snapshot of its own. */
  private long countRange(
      Connection c, JobTarget target, String counts, List<String> after, List<String> upTo)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(chunkCte(target, !after.isEmpty(), true) + counts)) {
      bindChunk(ps, target.keyset(), after, upTo, Integer.MAX_VALUE);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(2);
      }
    } finally {
      c.rollback();
    }
  }

  private static void sleep(Duration d) throws SQLException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted", e);
    }
  }

  private int bindChunk(
      PreparedStatement ps, Keyset k, List<String> after, List<String> upTo, int limit)
      throws SQLException {
    int index = after.isEmpty() ? 1 : k.bind(ps, 1, after);
    if (upTo != null) {
      index = k.bind(ps, index, upTo);
    }
    ps.setInt(index, limit);
    return index + 1;
  }

  private static String chunkCte(JobTarget t, boolean after, boolean upTo) {
    Keyset k = t.keyset();
    List<String> where = new ArrayList<>(2);
    if (after) {
      where.add(k.after());
    }
    if (upTo) {
      where.add(k.atMost());
    }
    return "WITH "
        + Keyset.BATCH_ALIAS
        + " AS (SELECT "
        + k.selectKeys()
        + ", "
        + t.mapping().anyDiffers(Keyset.TABLE_ALIAS, t.table())
        + " AS turnout_drift FROM "
        + t.tableSql()
        + " AS "
        + Keyset.TABLE_ALIAS
        + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
        + " ORDER BY "
        + k.orderBy()
        + " LIMIT ?)";
  }
}
