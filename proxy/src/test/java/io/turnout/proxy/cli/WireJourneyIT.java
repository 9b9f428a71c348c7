package io.turnout.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.ServePlan;
import io.turnout.testkit.TurnoutProcess;
import io.turnout.testkit.junit.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The product end to end: a real {@code turnout serve} process (the shaded jar) in front of
 * PostgreSQL, driven by the operator's CLI through its admin API, while an application that knows
 * only the old schema talks to it with simple-protocol queries. Its writes reach the new column
 * from {@code dual_write} on, so verify finds no drift; its reads move to the new column at 100%
 * and back on rollback.
 */
@ExtendWith(PostgresExtension.class)
class WireJourneyIT {
  private static final String TOKEN = "wire-token";
  private static final String ID = "rename-email";
  private static final Path JAR = Path.of("target", "turnout.jar");
  private static final Path LOGS = Path.of("target", "wire-journey");

  @Test
  void applicationOnTheOldSchema_dualWritesVerifiesAndReadsNewUntilRollback(PostgresServer pg)
      throws Exception {
    String db = pg.createDatabase("wire");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL)");
      s.execute("INSERT INTO users (email) SELECT 'u' || g || '@x' FROM generate_series(1, 500) g");
    }
    Path plan = Files.createDirectories(LOGS).resolve("plan.yaml");
    Files.writeString(plan, plan(pg, db), StandardCharsets.UTF_8);
    try (TurnoutProcess turnout =
        TurnoutProcess.start(JAR, plan, LOGS, "serve", List.of("-Xmx256m", "-XX:+UseSerialGC"))) {
      turnout.awaitListening(true, Duration.ofSeconds(60));
      String admin = turnout.adminUri().toString();
      try (Connection app = app(pg, turnout, db);
          Statement s = app.createStatement()) {
        cli(admin, "expand", ID);
        cli(admin, "dual-write", ID, "on");

        // The application's own writes, naming only the old column.
        long id;
        try (ResultSet rs =
            s.executeQuery("INSERT INTO users (email) VALUES ('new@x') RETURNING id")) {
          rs.next();
          id = rs.getLong(1);
        }
        assertThat(s.executeUpdate("UPDATE users SET email = 'changed@x' WHERE id = 5"))
            .isEqualTo(1);
        assertThat(direct(pg, db, "SELECT email_address FROM users WHERE id = " + id))
            .isEqualTo("new@x");
        assertThat(direct(pg, db, "SELECT email_address FROM users WHERE id = 5"))
            .isEqualTo("changed@x");

        cli(admin, "backfill", ID);
        // Drift 0: every write since dual_write began kept both columns equal.
        assertThat(cli(admin, "verify", ID)).contains("phase verified");
        cli(admin, "reads", ID, "100");

        // A value only the new column holds (written around Turnout) shows which path a read took.
        direct(pg, db, "UPDATE users SET email_address = 'only-new@x' WHERE id = 7 RETURNING id");
        String read = "SELECT email FROM users WHERE id = 7";
        awaitRead(s, read, "only-new@x");

        TurnoutProcess.Response scrape = turnout.get("/metrics", TOKEN);
        assertThat(scrape.body())
            .containsPattern("turnout_statements_total\\{decision=\"rewrite\"\\} [1-9]")
            // At 100% the phase is reads_new: reads are rewritten, not split by percentage.
            .contains("turnout_reads_total{migration=\"rename-email\",path=\"new\"}");

        // Flushed by the instance every 10 s into turnout.usage, which `turnout usage` reads.
        awaitUsage(admin, "old-app");

        cli(admin, "rollback", ID);
        // The API answers once this instance applied the change: the next read is old again.
        assertThat(one(s, read)).isEqualTo("u7@x");
      }
    }
  }

  private static void awaitRead(Statement s, String sql, String expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    String got;
    while (!(got = one(s, sql)).equals(expected)) {
      if (System.nanoTime() > deadline) {
        fail("%s read %s, not %s", sql, got, expected);
      }
      Thread.sleep(20);
    }
  }

  private static void awaitUsage(String admin, String application) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String out;
    while (!(out = cli(admin, "usage", ID)).contains(application)) {
      if (System.nanoTime() > deadline) {
        fail("turnout usage does not show %s after 30 s:%n%s", application, out);
      }
      Thread.sleep(500);
    }
  }

  private static String cli(String admin, String... args) {
    AdminCli.Result r = AdminCli.run(admin, TOKEN, args);
    assertThat(r.exit()).as(String.join(" ", args) + ": " + r.out() + r.err()).isZero();
    return r.out();
  }

  private static Connection app(PostgresServer pg, TurnoutProcess turnout, String db)
      throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", pg.superuser());
    if (pg.superuserPassword() != null) {
      p.setProperty("password", pg.superuserPassword());
    }
    p.setProperty("preferQueryMode", "simple");
    p.setProperty("ApplicationName", "old-app");
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + turnout.proxyPort() + "/" + db, p);
  }

  private static String one(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getString(1);
    }
  }

  private static String direct(PostgresServer pg, String db, String sql) throws SQLException {
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      return one(s, sql);
    }
  }

  private static String plan(PostgresServer pg, String db) {
    return ServePlan.of(
        "WireJourneyIT",
        TOKEN,
        pg.url(db),
        1,
        ServePlan.renameColumn(ID, "public.users", "email", "email_address"));
  }
}
