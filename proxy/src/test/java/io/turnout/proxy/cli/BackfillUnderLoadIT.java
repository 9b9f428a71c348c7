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
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A backfill of a million rows through a real {@code turnout serve} while an application that knows
 * only the old column keeps updating and inserting through it: no client error, and verify finds
 * drift 0 afterwards (no application write was overwritten by a batch, no row was missed).
 */
@ExtendWith(PostgresExtension.class)
class BackfillUnderLoadIT {
  private static final String TOKEN = "load-token";
  private static final String ID = "rename-email";
  private static final int ROWS = 1_000_000;
  private static final int WRITERS = 3;
  private static final Path JAR = Path.of("target", "turnout.jar");
  private static final Path LOGS = Path.of("target", "backfill-under-load");

  @Test
  void millionRowBackfill_withConcurrentWritesThroughTurnout_endsWithDriftZero(PostgresServer pg)
      throws Exception {
    String db = pg.createDatabase("load");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL)");
      s.execute(
          "INSERT INTO users (email) SELECT 'u' || g || '@x' FROM generate_series(1, "
              + ROWS
              + ") g");
      s.execute("VACUUM ANALYZE users");
    }
    Path plan = Files.createDirectories(LOGS).resolve("plan.yaml");
    Files.writeString(
        plan,
        ServePlan.of(
            "BackfillUnderLoadIT",
            TOKEN,
            pg.url(db),
            1,
            ServePlan.renameColumn(ID, "public.users", "email", "email_address")),
        StandardCharsets.UTF_8);
    try (TurnoutProcess turnout =
        TurnoutProcess.start(JAR, plan, LOGS, "serve", List.of("-Xmx256m", "-XX:+UseSerialGC"))) {
      turnout.awaitListening(true, Duration.ofSeconds(60));
      String admin = turnout.adminUri().toString();
      cli(admin, "expand", ID);
      cli(admin, "dual-write", ID, "on");

      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong writes = new AtomicLong();
      ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        writers.add(
            pool.submit(
                () -> {
                  write(pg, turnout, db, writer, stop, writes, errors);
                  return null;
                }));
      }
      String out;
      try {
        while (writes.get() < 100 && errors.isEmpty()) {
          Thread.sleep(10); // the application is writing before the backfill starts
        }
        out = cli(admin, "backfill", ID);
        Thread.sleep(200); // and goes on writing after it
      } finally {
        stop.set(true);
        for (Future<?> f : writers) {
          f.get();
        }
        pool.shutdownNow();
      }
      System.out.printf(
          "[measure] backfill of %d rows under %d writers through Turnout: %s; %d application"
              + " writes%n",
          ROWS, WRITERS, out.strip(), writes.get());
      assertThat(errors).as("client errors").isEmpty();
      assertThat(writes.get()).isGreaterThan(100);
      assertThat(out).contains("backfill pass complete").contains("phase backfilled");
      assertThat(cli(admin, "verify", ID)).contains("drift 0").contains("phase verified");
    }
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM users WHERE email_address IS DISTINCT FROM email")) {
      rs.next();
      assertThat(rs.getLong(1)).isZero();
    }
  }

  /** One application connection: updates of random rows and inserts, old column only. */
  private static void write(
      PostgresServer pg,
      TurnoutProcess turnout,
      String db,
      int writer,
      AtomicBoolean stop,
      AtomicLong writes,
      ConcurrentLinkedQueue<String> errors) {
    Properties p = new Properties();
    p.setProperty("user", pg.superuser());
    if (pg.superuserPassword() != null) {
      p.setProperty("password", pg.superuserPassword());
    }
    p.setProperty("ApplicationName", "old-app-" + writer);
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + turnout.proxyPort() + "/" + db, p);
        PreparedStatement update = c.prepareStatement("UPDATE users SET email = ? WHERE id = ?");
        PreparedStatement insert = c.prepareStatement("INSERT INTO users (email) VALUES (?)")) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (!stop.get()) {
        long n = writes.incrementAndGet();
        if (n % 10 == 0) {
          insert.setString(1, "new" + n + "@x");
          insert.executeUpdate();
        } else {
          update.setString(1, "w" + writer + "-" + n + "@x");
          update.setLong(2, random.nextLong(1, ROWS + 1));
          update.executeUpdate();
        }
      }
    } catch (SQLException e) {
      errors.add(e.getSQLState() + " " + e.getMessage());
    }
  }

  private static String cli(String admin, String... args) {
    AdminCli.Result r = AdminCli.run(admin, TOKEN, args);
    assertThat(r.exit()).as(String.join(" ", args) + ": " + r.out() + r.err()).isZero();
    return r.out();
  }
}
