package io.turnout.admin.jobs;

import static io.turnout.admin.jobs.JobFixtures.ROWS;
import static io.turnout.admin.jobs.JobFixtures.SPLIT_NAME;
import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class VerifyIT {

  @Test
  void verify_beforeBackfill_countsEveryRowAsDriftAndSamplesTheFirstKeys(PostgresServer pg)
      throws Exception {
    String db = JobFixtures.usersDatabase(pg);
    Verify verify = new Verify(JobFixtures.dataSource(pg, db), SPLIT_NAME);

    VerifyResult result = verify.run();

    assertThat(result.rowsChecked()).isEqualTo(ROWS);
    assertThat(result.drift()).isEqualTo(ROWS);
    assertThat(result.sampleKeys())
        .containsExactly(
            List.of("1"),
            List.of("2"),
            List.of("3"),
            List.of("4"),
            List.of("5"),
            List.of("6"),
            List.of("7"),
            List.of("8"),
            List.of("9"),
            List.of("10"));
    assertThat(result.clean()).isFalse();
    assertThat(verify.progress().state()).isEqualTo(JobState.DONE);
    assertThat(verify.progress().batches()).isEqualTo(ROWS / 1000);
  }

  @Test
  void verify_oldColumnWrittenWithoutNew_findsTheRowUntilBackfilled(PostgresServer pg)
      throws Exception {
    String db = JobFixtures.usersDatabase(pg);
    DataSource ds = JobFixtures.dataSource(pg, db);
    new Backfill(ds, SPLIT_NAME).run();
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      // A write that bypassed dual-write: the old column only.
      s.executeUpdate("UPDATE users SET name = 'Changed Directly' WHERE id = 4242");
    }

    VerifyResult drifted = new Verify(ds, SPLIT_NAME).run();

    assertThat(drifted.rowsChecked()).isEqualTo(ROWS);
    assertThat(drifted.drift()).isEqualTo(1);
    assertThat(drifted.sampleKeys()).containsExactly(List.of("4242"));

    new Backfill(ds, SPLIT_NAME).run();
    VerifyResult clean = new Verify(ds, SPLIT_NAME).run();
    assertThat(clean.drift()).isZero();
    assertThat(clean.clean()).isTrue();
  }

  @Test
  void verifyWithRepair_writesForwardIntoTheDriftingRows_andNamesThem(PostgresServer pg)
      throws Exception {
    String db = JobFixtures.usersDatabase(pg);
    DataSource ds = JobFixtures.dataSource(pg, db);
    new Backfill(ds, SPLIT_NAME).run();
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      // Bypassing Turnout: the old column in one row, a new one in another (another service,
      // psql, a trigger), and one row the backfill never saw.
      s.executeUpdate("UPDATE users SET name = 'Changed Directly' WHERE id = 17");
      s.executeUpdate("UPDATE users SET last_name = 'Typo' WHERE id = 15001");
      s.executeUpdate("UPDATE users SET first_name = NULL, last_name = NULL WHERE id = 19999");
    }

    VerifyResult repaired = new Verify(ds, SPLIT_NAME, JobOptions.DEFAULT, true).run();

    assertThat(repaired.found()).isEqualTo(3);
    assertThat(repaired.sampleKeys())
        .containsExactly(List.of("17"), List.of("15001"), List.of("19999"));
    assertThat(repaired.repaired()).isEqualTo(3);
    assertThat(repaired.drift()).isZero();
    assertThat(repaired.clean()).isTrue();
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT first_name, last_name FROM users WHERE id IN (17, 15001) ORDER BY id")) {
      rs.next();
      assertThat(rs.getString(1) + " " + rs.getString(2)).isEqualTo("Changed Directly");
      rs.next();
      assertThat(rs.getString(2)).isEqualTo("Last 15001");
    }
    VerifyResult again = new Verify(ds, SPLIT_NAME).run();
    assertThat(again.clean()).isTrue();
  }

  @Test
  void verify_cancelledThenRunAgain_resumesAfterItsLastChunk_withWhatItHadCounted(PostgresServer pg)
      throws Exception {
    String db = JobFixtures.usersDatabase(pg);
    DataSource ds = JobFixtures.dataSource(pg, db);
    JobOptions chunks = JobOptions.DEFAULT.withBatchSize(100);
    Verify first = new Verify(ds, SPLIT_NAME, chunks); // before any backfill: every row drifts
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(1);
    VerifyResult stopped;
    try {
      java.util.concurrent.Future<VerifyResult> running = pool.submit(first::run);
      while (first.progress().batches() < 3 && !running.isDone()) {
        Thread.sleep(1);
      }
      // Meanwhile a second verify of the same migration is refused.
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Verify(ds, SPLIT_NAME).run())
          .isInstanceOf(JobRefusedException.class)
          .hasMessageContaining("verify of split-name is already running");
      first.cancel();
      stopped = running.get();
    } finally {
      pool.shutdownNow();
    }
    assertThat(stopped.state()).isEqualTo(JobState.CANCELLED);
    long done = stopped.rowsChecked();
    assertThat(done).isGreaterThanOrEqualTo(300).isLessThan(ROWS);

    Verify resumed = new Verify(ds, SPLIT_NAME, chunks);
    VerifyResult r = resumed.run();

    assertThat(r.state()).isEqualTo(JobState.DONE);
    assertThat(r.rowsChecked()).isEqualTo(ROWS);
    assertThat(r.drift()).isEqualTo(ROWS);
    assertThat(resumed.progress().batches()).isEqualTo((ROWS - done) / 100); // no chunk twice
    assertThat(r.sampleKeys()).hasSize(Verify.MAX_SAMPLES).first().isEqualTo(List.of("1"));

    // A finished pass is not resumed: the next verify starts over.
    new Backfill(ds, SPLIT_NAME).run();
    assertThat(new Verify(ds, SPLIT_NAME, chunks).run().clean()).isTrue();
  }
}
