package io.turnout.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.admin.ControlPlane;
import io.turnout.config.AdminSettings;
import io.turnout.config.BackendUrl;
import io.turnout.config.HostPort;
import io.turnout.config.ProxyLimits;
import io.turnout.config.TurnoutConfig;
import io.turnout.config.plan.ContractPolicy;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The journey's jobs as an operator runs them from the CLI against a real control plane: {@code
 * expand --dry-run}, {@code expand}, {@code dual-write on}, {@code backfill}, {@code verify} (drift
 * found, then repaired), {@code reads 100}, {@code contract} (refused without confirmation, then
 * done): each job's DDL and batches really happen on PostgreSQL, and each ends in its transition.
 */
@ExtendWith(PostgresExtension.class)
class JobCommandsIT {
  private static final String TOKEN = "jobs-token";
  private static final String ID = "rename-email";

  private static AdminCli.Result turnout(String admin, String... args) {
    return AdminCli.run(admin, TOKEN, args);
  }

  @Test
  void journey_expandBackfillVerifyContract_jobsChangeTheSchemaAndTheState(PostgresServer pg)
      throws Exception {
    String db = pg.createDatabase("jobs");
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL)");
      s.execute("CREATE INDEX users_email_idx ON users (email)");
      s.execute(
          "INSERT INTO users (email) SELECT 'u' || g || '@x' FROM generate_series(1, 5000) g");
    }
    String url = pg.url(db);
    RenameColumn plan =
        new RenameColumn(
            ID,
            TurnoutConfig.PRIMARY,
            new TableName("public", "users"),
            "email",
            "email_address",
            ReadPolicy.DEFAULT,
            ShadowPolicy.DEFAULT,
            UnanalysablePolicy.DEFAULT,
            new ContractPolicy(Duration.ZERO));
    TurnoutConfig config =
        new TurnoutConfig(
            TurnoutConfig.DEFAULT_LISTEN,
            new AdminSettings(
                true, new HostPort("127.0.0.1", 0), Optional.of(TOKEN), false, Optional.empty()),
            Map.of(TurnoutConfig.PRIMARY, BackendUrl.parse(url)),
            TurnoutConfig.PRIMARY,
            ProxyLimits.DEFAULTS,
            Optional.empty(),
            List.of(plan));
    try (ControlPlane control = ControlPlane.start(config, "jobs-test", s -> {})) {
      String admin = "http://127.0.0.1:" + control.adminAddress().orElseThrow().getPort();

      AdminCli.Result dry = turnout(admin, "expand", ID, "--dry-run");
      assertThat(dry.exit()).as(dry.err()).isZero();
      assertThat(dry.out())
          .contains("ADD COLUMN IF NOT EXISTS email_address text")
          .contains("CREATE INDEX CONCURRENTLY IF NOT EXISTS")
          .contains("-- after the backfill")
          .contains("NOT VALID");
      assertThat(columns(pg, db)).containsExactly("id", "email");

      AdminCli.Result early = turnout(admin, "backfill", ID);
      assertThat(early.exit()).isEqualTo(1);
      assertThat(early.err()).contains("backfill is not possible in phase planned");

      AdminCli.Result expand = turnout(admin, "expand", ID);
      assertThat(expand.exit()).as(expand.err()).isZero();
      assertThat(expand.out()).contains("succeeded").contains("phase expanded");
      assertThat(columns(pg, db)).containsExactly("id", "email", "email_address");

      assertThat(turnout(admin, "dual-write", ID, "on").exit()).isZero();

      // Started paused, its limits changed while it waits, then resumed and followed.
      AdminCli.Result paused =
          turnout(admin, "backfill", ID, "--batch-size", "700", "--paused", "--detach");
      assertThat(paused.exit()).as(paused.err()).isZero();
      String job = paused.out().replaceAll("(?s).*started (job-[0-9a-f]+).*", "$1");
      AdminCli.Result both = turnout(admin, "job", job, "--pause", "--resume");
      assertThat(both.exit()).isEqualTo(2);
      assertThat(both.err()).contains("choose one");
      AdminCli.Result rated = turnout(admin, "job", job, "--max-rows-per-second", "100000");
      assertThat(rated.exit()).as(rated.err()).isZero();
      assertThat(rated.out())
          .contains("\"paused\":true")
          .contains("\"max_rows_per_second\":100000");
      AdminCli.Result resumed = turnout(admin, "job", job, "--resume");
      assertThat(resumed.exit()).as(resumed.err()).isZero();
      AdminCli.Result backfill = turnout(admin, "job", job);
      assertThat(backfill.exit()).as(backfill.err()).isZero();
      assertThat(backfill.out())
          .contains("backfill pass complete: 5000 rows, 5000 written")
          .contains("phase backfilled");
      assertThat(scalar(pg, db, "SELECT count(*) FROM users WHERE email_address IS NULL"))
          .isEqualTo(0);
      assertThat(
              scalar(
                  pg,
                  db,
                  "SELECT count(*) FROM pg_constraint WHERE conrelid = 'users'::regclass"
                      + " AND contype = 'c' AND convalidated"))
          .isEqualTo(1);

      // A write that bypassed Turnout: verify finds it, and the phase stays backfilled.
      try (Connection c = pg.connect(db);
          Statement s = c.createStatement()) {
        s.execute("UPDATE users SET email = 'changed@x' WHERE id = 42");
      }
      AdminCli.Result drift = turnout(admin, "verify", ID);
      assertThat(drift.exit()).isEqualTo(1);
      assertThat(drift.err()).contains("drift 1").contains("[[42]]").contains("run backfill");
      assertThat(turnout(admin, "reads", ID, "100").exit()).isEqualTo(1);

      AdminCli.Result verify = turnout(admin, "verify", ID, "--repair", "--json");
      assertThat(verify.exit()).as(verify.err()).isZero();
      assertThat(verify.out())
          .contains("\"drift\" : 0")
          .contains("\"repaired\" : 1")
          .contains("after repairing 1 of 1 drifting")
          .contains("phase verified");
      assertThat(scalar(pg, db, "SELECT count(*) FROM users WHERE email_address = 'changed@x'"))
          .isEqualTo(1);

      assertThat(turnout(admin, "reads", ID, "100").exit()).isZero();

      AdminCli.Result unconfirmed = turnout(admin, "contract", ID);
      assertThat(unconfirmed.exit()).isEqualTo(1);
      assertThat(unconfirmed.err()).contains("confirm with --confirm " + ID);
      assertThat(columns(pg, db)).contains("email");

      AdminCli.Result contract = turnout(admin, "contract", ID, "--confirm", ID);
      assertThat(contract.exit()).as(contract.err()).isZero();
      assertThat(contract.out()).contains("old columns dropped");
      assertThat(columns(pg, db)).containsExactly("id", "email_address");

      AdminCli.Result jobs = turnout(admin, "job");
      assertThat(jobs.exit()).isZero();
      assertThat(jobs.out().lines()).hasSize(5); // refusals never became jobs

      AdminCli.Result usage = turnout(admin, "usage", ID);
      assertThat(usage.exit()).as(usage.err()).isZero();
      assertThat(usage.out()).contains("0 statements with the old names (last never)");
    }
  }

  private static List<String> columns(PostgresServer pg, String db) throws Exception {
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'users'::regclass"
                    + " AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
      List<String> names = new ArrayList<>();
      while (rs.next()) {
        names.add(rs.getString(1));
      }
      return names;
    }
  }

  private static long scalar(PostgresServer pg, String db, String sql) throws Exception {
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
