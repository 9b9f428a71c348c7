package io.turnout.admin.jobs;

import io.turnout.config.plan.Migration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * <p>Verify takes no lock and writes nothing (no checkpoint: a verify's count only means something
 * for one complete pass, so a cancelled verify is rerun from the start). It takes one connection
 * from the {@link DataSource} for its run. {@link #run} blocks; {@link #progress()} and {@link
 * #cancel()} may be called from any thread. An instance runs once.
 */
public final class Verify {
  public static final String JOB = "verify";
  public static final int MAX_SAMPLES = 10;

  private static final Logger log = LoggerFactory.getLogger(Verify.class);

  private final DataSource dataSource;
  private final Migration migration;
  private final JobOptions options;
  private final ProgressMeter meter = new ProgressMeter();
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile boolean cancelRequested;

  public Verify(DataSource dataSource, Migration migration, JobOptions options) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.migration = Objects.requireNonNull(migration, "migration");
    this.options = Objects.requireNonNull(options, "options");
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
   * @throws JobRefusedException if the table has no primary key or lacks a column
   */
  public VerifyResult run() throws SQLException {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException(
          "verify of " + migration.id() + " was already run by this instance; create a new one");
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      JobTarget target = JobTarget.resolve(c, migration, JOB);
      meter.start(0, target.estimateRows(c));
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try {
        return walk(c, target);
      } finally {
        c.rollback();
        c.setReadOnly(false);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        c.setAutoCommit(true);
      }
    } catch (SQLException | RuntimeException e) {
      meter.fail(e.getMessage());
      throw e;
    }
  }

  private VerifyResult walk(Connection c, JobTarget target) throws SQLException {
    String chunk = chunkCte(target, false);
    String chunkAfter = chunkCte(target, true);
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
    List<String> lastKey = List.of();
    long checked = 0;
    long drift = 0;
    List<List<String>> sampleKeys = new ArrayList<>();
    while (!cancelRequested) {
      String cte = lastKey.isEmpty() ? chunk : chunkAfter;
      long rows;
      long drifting;
      List<String> chunkLast;
      try (PreparedStatement ps = c.prepareStatement(cte + counts)) {
        bindChunk(ps, k, lastKey);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          rows = rs.getLong(1);
          drifting = rs.getLong(2);
          chunkLast = Keyset.readKey(rs, 3);
        }
      }
      if (rows == 0) {
        c.rollback();
        meter.finish(JobState.DONE);
        log.info(
            "verify of {}: {} rows checked, {} drifting, first keys {}",
            migration.id(),
            checked,
            drift,
            sampleKeys);
        return new VerifyResult(checked, drift, sampleKeys, JobState.DONE);
      }
      if (drifting > 0 && sampleKeys.size() < MAX_SAMPLES) {
        // Same transaction, so the same snapshot as the counts.
        try (PreparedStatement ps = c.prepareStatement(cte + samples)) {
          int index = bindChunk(ps, k, lastKey);
          ps.setInt(index, MAX_SAMPLES - sampleKeys.size());
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              sampleKeys.add(Keyset.readKey(rs, 1));
            }
          }
        }
      }
      c.rollback(); // ends the chunk's snapshot; nothing was written
      checked += rows;
      drift += drifting;
      lastKey = chunkLast;
      meter.batch(rows, drifting);
    }
    meter.finish(JobState.CANCELLED);
    return new VerifyResult(checked, drift, sampleKeys, JobState.CANCELLED);
  }

  private int bindChunk(PreparedStatement ps, Keyset k, List<String> lastKey) throws SQLException {
    int index = lastKey.isEmpty() ? 1 : k.bind(ps, 1, lastKey);
    ps.setInt(index, options.batchSize());
    return index + 1;
  }

  private static String chunkCte(JobTarget t, boolean after) {
    Keyset k = t.keyset();
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
        + (after ? " WHERE " + k.after() : "")
        + " ORDER BY "
        + k.orderBy()
        + " LIMIT ?)";
  }
}
