package io.turnout.admin.jobs;

import static io.turnout.admin.jobs.JobFixtures.RENAME_EMAIL;
import static io.turnout.admin.jobs.JobFixtures.ROWS;
import static io.turnout.admin.jobs.JobFixtures.SPLIT_NAME;
import static io.turnout.admin.jobs.JobFixtures.checkpoint;
import static io.turnout.admin.jobs.JobFixtures.count;
import static io.turnout.admin.jobs.JobFixtures.unsplit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.turnout.admin.store.SchemaMigrator;
import io.turnout.config.plan.Migration;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class BackfillIT {
  /** Batches of the size asked for, so the tests can count them. */
  private static final BackfillLimits FIXED = BackfillLimits.DEFAULT.withBatchTime(Duration.ZERO);

  @Test
  void backfill_transform20kRows_fillsEveryRowAndFinishesThePass(PostgresServer pg)
      throws Exception {
    String db = JobFixtures.usersDatabase(pg);
    Backfill backfill =
        new Backfill(JobFixtures.dataSource(pg, db), SPLIT_NAME, JobOptions.DEFAULT, FIXED);

    BackfillResult result = backfill.run();

    JobProgress p = backfill.progress();
    System.out.printf(
        "backfill of %d rows (split-name, batch 1000): %.0f rows/s, %d batches%n",
        ROWS, p.rowsPerSecond(), p.batches());
    assertThat(result.state()).isEqualTo(JobState.DONE);
    assertThat(result.rowsDone()).isEqualTo(ROWS);
    assertThat(result.rowsChanged()).isEqualTo(ROWS);
    assertThat(result.batches()).isEqualTo(ROWS / 1000);
    assertThat(result.lastKey()).containsExactly(Integer.toString(ROWS));
    assertThat(p.state()).isEqualTo(JobState.DONE);
    assertThat(p.rowsTotal()).isEqualTo(ROWS);
    try (Connection c = pg.connect(db)) {
      assertThat(unsplit(c)).isZero();
      assertThat(count(c, "SELECT count(*) FROM users WHERE last_name IS NULL")).isEqualTo(2000);
      assertThat(checkpoint(c, "split-name", "rows_done")).isEqualTo(Integer.toString(ROWS));
      assertThat(checkpoint(c, "split-name", "finished_at")).isNotNull();
    }
  }

  @Test
  void backfill_afterFinishedPass_startsNewPassAndChangesNothing(PostgresServer pg)
      throws Exception {
    String db = JobFixtures.usersDatabase(pg);
    DataSource ds = JobFixtures.dataSource(pg, db);
    new Backfill(ds, RENAME_EMAIL, JobOptions.DEFAULT, FIXED).run();

    BackfillResult again = new Backfill(ds, RENAME_EMAIL, JobOptions.DEFAULT, FIXED).run();

    assertThat(again.state()).isEqualTo(JobState.DONE);
    assertThat(again.batches()).isEqualTo(ROWS / 1000);
    assertThat(again.rowsDone()).isEqualTo(ROWS);
    assertThat(again.rowsChanged()).isZero();
    try (Connection c = pg.connect(db)) {
      assertThat(count(c, "SELECT count(*) FROM users WHERE email_address IS DISTINCT FROM email"))
          .isZero();
    }
  }

  @Test
  void backfill_concurrentDualWriter_neverOverwritesItAndVerifiesClean(PostgresServer pg)
      throws Exception {
    String db = JobFixtures.usersDatabase(pg);
    DataSource ds = JobFixtures.dataSource(pg, db);
    Backfill backfill = new Backfill(ds, SPLIT_NAME, JobOptions.DEFAULT.withBatchSize(200), FIXED);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong writes = new AtomicLong();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      // What dual-write does: the application's new name, and the split columns derived from it,
      // in the same statement.
      Future<?> writer =
          pool.submit(
              () -> {
                try (Connection c = pg.connect(db);
                    PreparedStatement ps =
                        c.prepareStatement(
                            "UPDATE users SET name = v.n, first_name = split_part(v.n, ' ', 1),"
                                + " last_name = nullif(substr(v.n, length(split_part(v.n, ' ', 1))"
                                + " + 2), '') FROM (SELECT ?::text AS n) v WHERE id = ?")) {
                  while (!stop.get()) {
                    long id = ThreadLocalRandom.current().nextLong(1, ROWS + 1);
                    ps.setString(1, "Renamed" + writes.get() + " Person " + id);
                    ps.setLong(2, id);
                    ps.executeUpdate();
                    writes.incrementAndGet();
                  }
                }
                return null;
              });
      BackfillResult result = backfill.run();
      stop.set(true);
      writer.get();
      assertThat(result.state()).isEqualTo(JobState.DONE);
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }

    VerifyResult verify = new Verify(ds, SPLIT_NAME).run();
    System.out.printf("concurrent writer made %d dual-writes during the backfill%n", writes.get());
    assertThat(verify.rowsChecked()).isEqualTo(ROWS);
    assertThat(verify.drift()).isZero();
    assertThat(verify.clean()).isTrue();
  }

  @Test
  void backfill_compositeKey_walksEveryRowInKeyOrder(PostgresServer pg) throws Exception {
    String db = pg.createDatabase("jobs");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      SchemaMigrator.migrate(c);
      s.execute(
          "CREATE TABLE accounts (tenant integer, code text, email text, email_address text,"
              + " PRIMARY KEY (tenant, code))");
      // Text codes ordering differently from numbers ('10' < '9'), and quotes in key values.
      s.execute(
          "INSERT INTO accounts (tenant, code, email) SELECT t, 'c''' || i, 'a' || t || '-' || i"
              + " FROM generate_series(1, 30) t, generate_series(1, 100) i");
    }
    Migration rename =
        new RenameColumn(
            "rename-account-email",
            "primary",
            new TableName("public", "accounts"),
            "email",
            "email_address",
            ReadPolicy.DEFAULT,
            ShadowPolicy.DEFAULT,
            UnanalysablePolicy.DEFAULT);

    BackfillResult result =
        new Backfill(
                JobFixtures.dataSource(pg, db), rename, JobOptions.DEFAULT.withBatchSize(70), FIXED)
            .run();

    assertThat(result.state()).isEqualTo(JobState.DONE);
    assertThat(result.rowsDone()).isEqualTo(3000);
    assertThat(result.batches()).isEqualTo((3000 + 69) / 70);
    assertThat(result.lastKey()).containsExactly("30", "c'99");
    try (Connection c = pg.connect(db)) {
      assertThat(
              count(c, "SELECT count(*) FROM accounts WHERE email_address IS DISTINCT FROM email"))
          .isZero();
    }
  }

  @Test
  void backfill_tableWithoutPrimaryKey_isRefusedSayingWhatToDo(PostgresServer pg) throws Exception {
    String db = pg.createDatabase("jobs");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      SchemaMigrator.migrate(c);
      s.execute("CREATE TABLE users (id bigint, email text, email_address text)");
    }
    Backfill backfill =
        new Backfill(JobFixtures.dataSource(pg, db), RENAME_EMAIL, JobOptions.DEFAULT, FIXED);

    assertThatThrownBy(backfill::run)
        .isInstanceOf(JobRefusedException.class)
        .hasMessageContaining(
            "backfill of rename-email refused: table public.users has no primary key")
        .hasMessageContaining("ADD PRIMARY KEY");
    assertThat(backfill.progress().state()).isEqualTo(JobState.FAILED);
    assertThat(backfill.progress().failure()).get().asString().contains("no primary key");
  }

  @Test
  void backfill_beforeExpand_isRefusedNamingTheMissingColumn(PostgresServer pg) throws Exception {
    String db = pg.createDatabase("jobs");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      SchemaMigrator.migrate(c);
      s.execute("CREATE TABLE users (id bigint PRIMARY KEY, email text)");
    }

    assertThatThrownBy(
            () ->
                new Backfill(
                        JobFixtures.dataSource(pg, db), RENAME_EMAIL, JobOptions.DEFAULT, FIXED)
                    .run())
        .isInstanceOf(JobRefusedException.class)
        .hasMessage(
            "backfill of rename-email refused: table public.users has no column email_address;"
                + " run expand rename-email first");
  }

  @Test
  void backfill_cancelledThenRunAgain_resumesAfterLastCommittedBatch(PostgresServer pg)
      throws Exception {
    String db = JobFixtures.usersDatabase(pg);
    DataSource ds = JobFixtures.dataSource(pg, db);
    JobOptions options = JobOptions.DEFAULT.withBatchSize(100);
    Backfill first = new Backfill(ds, SPLIT_NAME, options, FIXED);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    BackfillResult stopped;
    try {
      Future<BackfillResult> running = pool.submit(first::run);
      while (first.progress().batches() < 3 && !running.isDone()) {
        Thread.sleep(1);
      }
      first.cancel();
      stopped = running.get();
    } finally {
      pool.shutdownNow();
    }

    assertThat(stopped.state()).isEqualTo(JobState.CANCELLED);
    assertThat(stopped.batches()).isGreaterThanOrEqualTo(3).isLessThan(ROWS / 100);
    long done = stopped.rowsDone();
    assertThat(done).isEqualTo(stopped.batches() * 100);
    try (Connection c = pg.connect(db)) {
      // ids are 1..ROWS, so the checkpoint names the last row of the last committed batch.
      assertThat(checkpoint(c, "split-name", "last_key")).isEqualTo("{" + done + "}");
      assertThat(checkpoint(c, "split-name", "rows_done")).isEqualTo(Long.toString(done));
      assertThat(checkpoint(c, "split-name", "finished_at")).isNull();
      assertThat(unsplit(c)).isEqualTo(ROWS - done);
    }

    BackfillResult resumed = new Backfill(ds, SPLIT_NAME, options, FIXED).run();

    assertThat(resumed.state()).isEqualTo(JobState.DONE);
    assertThat(resumed.batches()).isEqualTo((ROWS - done) / 100); // no batch done twice
    assertThat(resumed.rowsChanged()).isEqualTo(ROWS - done);
    assertThat(resumed.rowsDone()).isEqualTo(ROWS);
    try (Connection c = pg.connect(db)) {
      assertThat(unsplit(c)).isZero();
      assertThat(checkpoint(c, "split-name", "finished_at")).isNotNull();
    }
  }

  @Test
  void backfill_connectionKilledMidRun_resumesFromTheCommittedCheckpoint(PostgresServer pg)
      throws Exception {
    String db = JobFixtures.usersDatabase(pg);
    DataSource ds = JobFixtures.dataSource(pg, db);
    JobOptions options = JobOptions.DEFAULT.withBatchSize(100);
    Backfill first = new Backfill(ds, SPLIT_NAME, options, FIXED);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Connection admin = pg.connect(db)) {
      Future<BackfillResult> running = pool.submit(first::run);
      while (first.progress().batches() < 3 && !running.isDone()) {
        Thread.sleep(1);
      }
      // What a crash looks like from the database: the session (and its advisory lock) goes away.
      try (PreparedStatement ps =
          admin.prepareStatement(
              "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                  + " AND objsubid = 1 AND classid::bigint = ? AND objid::bigint = ?")) {
        long key = JobLock.key(Backfill.JOB, "split-name");
        ps.setLong(1, key >>> 32);
        ps.setLong(2, key & 0xffffffffL);
        ps.execute();
      }
      assertThatThrownBy(running::get).hasCauseInstanceOf(SQLException.class);
    } finally {
      pool.shutdownNow();
    }
    assertThat(first.progress().state()).isEqualTo(JobState.FAILED);
    awaitLockReleased(pg, db, "split-name");
    long committed;
    try (Connection c = pg.connect(db)) {
      committed = Long.parseLong(checkpoint(c, "split-name", "rows_done"));
      assertThat(committed).isGreaterThanOrEqualTo(300).isLessThan(ROWS);
      assertThat(checkpoint(c, "split-name", "last_key")).isEqualTo("{" + committed + "}");
      assertThat(unsplit(c)).isEqualTo(ROWS - committed);
    }

    BackfillResult resumed = new Backfill(ds, SPLIT_NAME, options, FIXED).run();

    assertThat(resumed.state()).isEqualTo(JobState.DONE);
    assertThat(resumed.batches()).isEqualTo((ROWS - committed) / 100);
    assertThat(resumed.rowsDone()).isEqualTo(ROWS);
  }

  @Test
  void backfill_sameMigrationAlreadyRunning_isRefusedNamingTheHolder(PostgresServer pg)
      throws Exception {
    String db = JobFixtures.usersDatabase(pg);
    DataSource ds = JobFixtures.dataSource(pg, db);
    int holderPid;
    try (Connection other = pg.connect(db)) {
      // What another instance's running backfill holds.
      try (PreparedStatement ps =
          other.prepareStatement("SELECT pg_try_advisory_lock(?), pg_backend_pid()")) {
        ps.setLong(1, JobLock.key(Backfill.JOB, "split-name"));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertThat(rs.getBoolean(1)).isTrue();
          holderPid = rs.getInt(2);
        }
      }

      assertThatThrownBy(() -> new Backfill(ds, SPLIT_NAME, JobOptions.DEFAULT, FIXED).run())
          .isInstanceOf(JobRefusedException.class)
          .hasMessageStartingWith("backfill of split-name is already running (advisory lock ")
          .hasMessageEndingWith(" held by pid " + holderPid + ")");
      // Another migration is not blocked by it.
      assertThat(new Backfill(ds, RENAME_EMAIL, JobOptions.DEFAULT, FIXED).run().state())
          .isEqualTo(JobState.DONE);
    }

    // The holder's session ended, and with it the lock (its backend exits just after close()).
    awaitLockReleased(pg, db, "split-name");
    assertThat(new Backfill(ds, SPLIT_NAME, JobOptions.DEFAULT, FIXED).run().state())
        .isEqualTo(JobState.DONE);
  }

  @Test
  void backfill_rowLockedLongerThanRetries_failsNamingTheKeyThenResumes(PostgresServer pg)
      throws Exception {
    String db = JobFixtures.usersDatabase(pg);
    DataSource ds = JobFixtures.dataSource(pg, db);
    JobOptions impatient =
        JobOptions.DEFAULT
            .withLockTimeout(Duration.ofMillis(50))
            .withRetries(2, Duration.ofMillis(10));
    Backfill blocked = new Backfill(ds, SPLIT_NAME, impatient, FIXED);
    try (Connection holder = pg.connect(db);
        Statement s = holder.createStatement()) {
      holder.setAutoCommit(false);
      s.execute("SELECT * FROM users WHERE id = 1500 FOR UPDATE");

      assertThatThrownBy(blocked::run)
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("backfill of split-name: batch of public.users after key [1000]")
          .hasMessageContaining("still blocked after 3 attempts (lock_timeout 50 ms)");
      assertThat(blocked.progress().state()).isEqualTo(JobState.FAILED);
      holder.rollback();
    }

    BackfillResult resumed = new Backfill(ds, SPLIT_NAME, impatient, FIXED).run();
    assertThat(resumed.state()).isEqualTo(JobState.DONE);
    assertThat(resumed.batches()).isEqualTo(ROWS / 1000 - 1);
  }

  @Test
  void run_calledTwice_isRefused(PostgresServer pg) throws Exception {
    String db = JobFixtures.usersDatabase(pg);
    Backfill backfill =
        new Backfill(JobFixtures.dataSource(pg, db), RENAME_EMAIL, JobOptions.DEFAULT, FIXED);
    backfill.run();

    assertThatThrownBy(backfill::run)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already run by this instance");
  }

  /** Waits (for a condition, not a time) until no session holds the backfill's advisory lock. */
  @Test
  void backfill_noPrimaryKey_walksAUniqueNotNullKey_notANullablePartialOrExpressionOne(
      PostgresServer pg) throws Exception {
    String db = pg.createDatabase("jobs");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      SchemaMigrator.migrate(c);
      s.execute(
          "CREATE TABLE users (id bigint, code text NOT NULL, email text, email_address text)");
      s.execute("CREATE UNIQUE INDEX users_id ON users (id)"); // id may be NULL
      s.execute("CREATE UNIQUE INDEX users_lower_code ON users (lower(code))");
      s.execute("CREATE UNIQUE INDEX users_some_codes ON users (code) WHERE email IS NOT NULL");
      s.execute(
          "INSERT INTO users (id, code, email) SELECT g, 'c' || lpad(g::text, 5, '0'),"
              + " 'u' || g || '@example.org' FROM generate_series(1, 500) g");
    }
    DataSource ds = JobFixtures.dataSource(pg, db);
    assertThatThrownBy(() -> new Backfill(ds, RENAME_EMAIL).run())
        .isInstanceOf(JobRefusedException.class)
        .hasMessageContaining("has no primary key and no unique index on NOT NULL columns");

    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute("CREATE UNIQUE INDEX users_code ON users (code)");
    }
    BackfillResult r =
        new Backfill(ds, RENAME_EMAIL, JobOptions.DEFAULT.withBatchSize(100), FIXED).run();

    assertThat(r.state()).isEqualTo(JobState.DONE);
    assertThat(r.rowsDone()).isEqualTo(500);
    assertThat(r.batches()).isEqualTo(5);
    assertThat(r.lastKey()).containsExactly("c00500");
    try (Connection c = pg.connect(db)) {
      assertThat(count(c, "SELECT count(*) FROM users WHERE email_address IS DISTINCT FROM email"))
          .isZero();
    }
  }

  @Test
  void backfill_paused_waitsSayingSo_andRowsInsertedMeanwhileDoNotExtendThePass(PostgresServer pg)
      throws Exception {
    String db = JobFixtures.usersDatabase(pg);
    DataSource ds = JobFixtures.dataSource(pg, db);
    Backfill backfill = new Backfill(ds, SPLIT_NAME, JobOptions.DEFAULT, FIXED.withPaused(true));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<BackfillResult> running = pool.submit(backfill::run);
      awaitWaitingFor(backfill, "paused by an operator");
      assertThat(backfill.progress().rowsDone()).isZero();
      try (Connection c = pg.connect(db);
          Statement s = c.createStatement()) {
        // Written as dual-write writes them, after the pass started: not the pass's business.
        s.execute(
            "INSERT INTO users (id, email, name, first_name, last_name) SELECT g, 'late' || g,"
                + " 'Late Comer', 'Late', 'Comer' FROM generate_series("
                + (ROWS + 1)
                + ", "
                + (ROWS + 5000)
                + ") g");
      }
      backfill.limits(backfill.limits().withPaused(false));
      BackfillResult r = running.get();

      assertThat(r.state()).isEqualTo(JobState.DONE);
      assertThat(r.rowsDone()).isEqualTo(ROWS);
      assertThat(r.lastKey()).containsExactly(Integer.toString(ROWS));
      assertThat(backfill.progress().waitingFor()).isEmpty();
    } finally {
      pool.shutdownNow();
    }
    try (Connection c = pg.connect(db)) {
      assertThat(unsplit(c)).isZero();
    }
  }

  @Test
  void backfill_waitsForItsLimits_sayingWhich_andResumesWhenTheyChange(PostgresServer pg)
      throws Exception {
    String db = JobFixtures.usersDatabase(pg);
    DataSource ds = JobFixtures.dataSource(pg, db);
    BackfillLimits limits =
        BackfillLimits.DEFAULT
            .withMaxRowsPerSecond(2000)
            .withReplicas(List.of("standby-a"), Duration.ofSeconds(5), 1 << 20);
    Backfill backfill = new Backfill(ds, SPLIT_NAME, JobOptions.DEFAULT, limits);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (Connection admin = pg.connect(db)) {
      Future<BackfillResult> running = pool.submit(backfill::run);
      awaitWaitingFor(backfill, "replica standby-a is not streaming");
      assertThat(backfill.progress().rowsDone()).isZero();

      // Two statements running elsewhere, one allowed: it waits for them.
      backfill.limits(
          limits
              .withReplicas(List.of(), Duration.ofSeconds(5), 1 << 20)
              .withMaxActiveConnections(1));
      List<Future<?>> sleepers = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        sleepers.add(
            pool.submit(
                () -> {
                  try (Connection c = pg.connect(db);
                      Statement s = c.createStatement()) {
                    s.execute("SELECT pg_sleep(60) /* turnout-test-sleeper */");
                  } catch (SQLException cancelled) {
                    // cancelled below
                  }
                  return null;
                }));
      }
      awaitWaitingFor(backfill, "active connections on the database (limit 1)");
      try (Statement s = admin.createStatement()) {
        s.execute(
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity"
                + " WHERE query LIKE '%turnout-test-sleeper%' AND pid <> pg_backend_pid()");
      }
      for (Future<?> f : sleepers) {
        f.get();
      }
      while (backfill.progress().batches() == 0 && !running.isDone()) {
        Thread.sleep(5);
      }
      // A quarter second's worth of the rate at most per batch.
      assertThat(backfill.progress().batchSize()).isBetween(1, 500);
      backfill.limits(backfill.limits().withMaxRowsPerSecond(0));
      assertThat(running.get().state()).isEqualTo(JobState.DONE);
    } finally {
      pool.shutdownNow();
    }
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

  private static void awaitLockReleased(PostgresServer pg, String db, String migrationId)
      throws Exception {
    long key = JobLock.key(Backfill.JOB, migrationId);
    try (Connection c = pg.connect(db);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1"
                    + " AND classid::bigint = ? AND objid::bigint = ?")) {
      ps.setLong(1, key >>> 32);
      ps.setLong(2, key & 0xffffffffL);
      for (int attempt = 0; attempt < 10_000; attempt++) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) == 0) {
            return;
          }
        }
        Thread.sleep(1);
      }
      throw new AssertionError("advisory lock of " + migrationId + " still held");
    }
  }
}
