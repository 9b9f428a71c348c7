package io.turnout.admin.jobs;

import static io.turnout.admin.jobs.JobFixtures.ROWS;
import static io.turnout.admin.jobs.JobFixtures.SPLIT_NAME;
import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.sql.Connection;
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
}
