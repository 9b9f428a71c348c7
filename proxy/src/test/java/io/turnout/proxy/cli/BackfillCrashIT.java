package io.turnout.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.ServePlan;
import io.turnout.testkit.TurnoutProcess;
import io.turnout.testkit.junit.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real {@code turnout serve} killed with SIGKILL in the middle of a backfill: what it had
 * committed is exactly what its checkpoint says, its advisory lock goes with its connection, and a
 * restarted instance resumes after the checkpoint, writing every remaining row once and no row the
 * first run had done. And two instances never run one migration's backfill at once.
 */
@ExtendWith(PostgresExtension.class)
class BackfillCrashIT {
  private static final String TOKEN = "crash-token";
  private static final String ID = "rename-email";
  private static final int ROWS = 100_000;
  private static final Path JAR = Path.of("target", "turnout.jar");
  private static final Path LOGS = Path.of("target", "backfill-crash");
  private static final Pattern WRITTEN =
      Pattern.compile("backfill pass complete: (\\d+) rows, (\\d+) written");

  @Test
  void killedMidBackfill_restartResumesFromItsCheckpoint_andRewritesNothing(PostgresServer pg)
      throws Exception {
    String db = pg.createDatabase("crash");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL)");
      s.execute(
          "INSERT INTO users (email) SELECT 'u' || g || '@x' FROM generate_series(1, "
              + ROWS
              + ") g");
    }
    Path plan = Files.createDirectories(LOGS).resolve("plan.yaml");
    Files.writeString(
        plan,
        ServePlan.of(
            "BackfillCrashIT",
            TOKEN,
            pg.url(db),
            1,
            ServePlan.renameColumn(ID, "public.users", "email", "email_address")),
        StandardCharsets.UTF_8);

    long committed;
    try (TurnoutProcess first = start(plan, "first")) {
      String admin = first.adminUri().toString();
      cli(admin, "expand", ID);
      cli(admin, "dual-write", ID, "on");
      // Slow enough to be caught in the middle: 20,000 rows/s, batches of 5,000 at most.
      cli(admin, "backfill", ID, "--max-rows-per-second", "20000", "--detach");
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (rowsDone(pg, db) < 20_000) {
        assertThat(System.nanoTime()).as("the backfill advances").isLessThan(deadline);
        Thread.sleep(20);
      }
      ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly(); // SIGKILL
      await(() -> !first.isAlive(), "the killed instance is gone");
    }
    // PostgreSQL ends the dead instance's sessions, and with them the backfill's advisory lock.
    String locks =
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
            + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
    await(() -> scalar(pg, db, locks).equals("0"), "the backfill's advisory lock is released");

    committed = rowsDone(pg, db);
    long lastKey = Long.parseLong(scalar(pg, db, "SELECT last_key[1] FROM turnout.checkpoint"));
    assertThat(committed).isBetween(20_000L, ROWS - 1L);
    // The checkpoint commits with its batch: rows up to it are written, none after it.
    assertThat(count(pg, db, "email_address IS NULL AND id <= " + lastKey)).isZero();
    assertThat(count(pg, db, "email_address IS NOT NULL AND id > " + lastKey)).isZero();
    assertThat(lastKey).isEqualTo(committed);

    try (TurnoutProcess second = start(plan, "second")) {
      String out = cli(second.adminUri().toString(), "backfill", ID);
      Matcher m = WRITTEN.matcher(out);
      assertThat(m.find()).as(out).isTrue();
      assertThat(Long.parseLong(m.group(1))).isEqualTo(ROWS);
      // Only what the first run had not committed, each row once: nothing re-processed.
      assertThat(Long.parseLong(m.group(2))).isEqualTo(ROWS - committed);
      assertThat(out).contains("phase backfilled");
    }
    assertThat(count(pg, db, "email_address IS DISTINCT FROM email")).isZero();
  }

  @Test
  void twoInstances_neverRunOneMigrationsBackfillAtOnce(PostgresServer pg) throws Exception {
    String db = pg.createDatabase("twice");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL)");
      s.execute(
          "INSERT INTO users (email) SELECT 'u' || g || '@x' FROM generate_series(1, 1000) g");
    }
    Path plan = Files.createDirectories(LOGS).resolve("plan-twice.yaml");
    Files.writeString(
        plan,
        ServePlan.of(
            "BackfillCrashIT, two instances",
            TOKEN,
            pg.url(db),
            1,
            ServePlan.renameColumn(ID, "public.users", "email", "email_address")),
        StandardCharsets.UTF_8);
    try (TurnoutProcess a = start(plan, "a");
        TurnoutProcess b = start(plan, "b")) {
      String adminA = a.adminUri().toString();
      String adminB = b.adminUri().toString();
      cli(adminA, "expand", ID);
      cli(adminA, "dual-write", ID, "on");
      cli(adminA, "backfill", ID, "--paused", "--detach"); // holds the lock while it waits

      AdminCli.Result second = AdminCli.run(adminB, TOKEN, "backfill", ID);
      assertThat(second.exit()).isEqualTo(1);
      assertThat(second.err() + second.out())
          .contains("backfill of rename-email is already running (advisory lock")
          .contains("held by pid");
      assertThat(count(pg, db, "email_address IS NOT NULL")).isZero();

      String job =
          AdminCli.run(adminA, TOKEN, "job")
              .out()
              .replaceAll("(?s).*?(job-[0-9a-f]+) backfill.*", "$1");
      cli(adminA, "job", job, "--resume");
      assertThat(cli(adminA, "job", job))
          .contains("backfill pass complete: 1000 rows, 1000 written");
    }
  }

  private static TurnoutProcess start(Path plan, String name) throws Exception {
    return TurnoutProcess.start(JAR, plan, LOGS, name, List.of("-Xmx256m", "-XX:+UseSerialGC"))
        .awaitListening(true, Duration.ofSeconds(60));
  }

  private static long rowsDone(PostgresServer pg, String db) throws Exception {
    String v =
        scalar(
            pg,
            db,
            "SELECT coalesce(max(rows_done), 0) FROM turnout.checkpoint WHERE job = 'backfill'");
    return Long.parseLong(v);
  }

  private static long count(PostgresServer pg, String db, String where) throws Exception {
    return Long.parseLong(scalar(pg, db, "SELECT count(*) FROM users WHERE " + where));
  }

  interface Condition {
    boolean holds() throws Exception;
  }

  private static void await(Condition c, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!c.holds()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static String scalar(PostgresServer pg, String db, String sql) throws Exception {
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String cli(String admin, String... args) {
    AdminCli.Result r = AdminCli.run(admin, TOKEN, args);
    assertThat(r.exit()).as(String.join(" ", args) + ": " + r.out() + r.err()).isZero();
    return r.out();
  }
}
