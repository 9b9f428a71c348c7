package io.turnout.admin.jobs;

import static io.turnout.admin.jobs.JobFixtures.ROWS;
import static io.turnout.admin.jobs.JobFixtures.SPLIT_NAME;
import static io.turnout.admin.jobs.JobFixtures.unsplit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.turnout.testkit.PostgresOptions;
import io.turnout.testkit.PostgresProvider;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.Standby;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Replica-lag throttling against a real streaming standby: while its replay is paused the backfill
 * waits and says why, and once replay resumes it finishes. Its own primary, so that nothing else
 * writes the WAL it measures.
 */
class BackfillLagIT {
  private static final long MAX_LAG_BYTES = 64 * 1024;

  @Test
  void backfill_standbyReplayPaused_waitsForTheReplicaSayingSo_andFinishesOnceResumed()
      throws Exception {
    try (PostgresServer pg = PostgresProvider.start(PostgresOptions.named("lag-primary"))) {
      assumeTrue(
          pg.standbyUnsupported().isEmpty(),
          () -> pg.standbyUnsupported().orElse("") + "; no replica-lag test here");
      String db = JobFixtures.usersDatabase(pg);
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try (Standby standby = pg.startStandby("standby-a")) {
        standby.pauseReplay();
        // WAL the standby receives but does not replay, past the limit before the first batch,
        // so the backfill waits from the start rather than after a batch of its own.
        try (Connection c = pg.connect();
            Statement s = c.createStatement()) {
          s.execute(
              "CREATE TABLE wal_filler AS SELECT g, repeat('x', 100) AS pad"
                  + " FROM generate_series(1, 5000) g");
          awaitUnreplayedBytesAbove(s, MAX_LAG_BYTES);
        }
        Backfill backfill =
            new Backfill(
                JobFixtures.dataSource(pg, db),
                SPLIT_NAME,
                JobOptions.DEFAULT,
                BackfillLimits.DEFAULT.withReplicas(
                    List.of("standby-a"), Duration.ofSeconds(30), MAX_LAG_BYTES));

        Future<BackfillResult> running = pool.submit(backfill::run);
        awaitWaitingFor(backfill, "replica standby-a has");
        assertThat(backfill.progress().waitingFor().orElseThrow())
            .matches("replica standby-a has [0-9.]+ MB of WAL to replay \\(limit 0\\.1 MB\\)");
        Thread.sleep(1000);
        assertThat(backfill.progress().rowsDone()).isZero();
        assertThat(backfill.progress().batches()).isZero();
        assertThat(backfill.progress().waitingFor()).get().asString().contains("replica standby-a");
        assertThat(running).isNotDone();

        standby.resumeReplay();
        BackfillResult r = running.get(120, TimeUnit.SECONDS);

        assertThat(r.state()).isEqualTo(JobState.DONE);
        assertThat(r.rowsDone()).isEqualTo(ROWS);
        assertThat(backfill.progress().waitingFor()).isEmpty();
        try (Connection c = pg.connect(db)) {
          assertThat(unsplit(c)).isZero();
        }
        // What the backfill waited for: the standby replays it all.
        awaitUnsplitOnStandby(standby, db);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /** Until the primary sees standby-a behind by more than {@code bytes} (replay is paused). */
  private static void awaitUnreplayedBytesAbove(Statement s, long bytes) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    long behind = -1;
    while (System.nanoTime() < deadline) {
      // Only WAL written out counts, and with synchronous_commit=off the WAL writer does that.
      behind =
          JobFixtures.count(
              s.getConnection(),
              "SELECT coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), -1)::bigint"
                  + " FROM pg_stat_replication WHERE application_name = 'standby-a'");
      if (behind > bytes) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("standby-a only " + behind + " bytes behind after 30 s");
  }

  private static void awaitUnsplitOnStandby(Standby standby, String db) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    long left = -1;
    while (System.nanoTime() < deadline) {
      try (Connection c = standby.connect(db)) {
        left = unsplit(c);
        if (left == 0) {
          return;
        }
      } catch (SQLException e) {
        // a replay conflict may cancel the query: ask again
      }
      Thread.sleep(20);
    }
    throw new AssertionError(standby + " still has " + left + " unsplit rows");
  }

  private static void awaitWaitingFor(Backfill backfill, String why) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (backfill.progress().waitingFor().map(w -> w.contains(why)).orElse(false)) {
        return;
      }
      Thread.sleep(5);
    }
    throw new AssertionError(
        "backfill never waited for \"" + why + "\"; progress: " + backfill.progress());
  }
}
