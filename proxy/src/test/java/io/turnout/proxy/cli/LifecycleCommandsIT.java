package io.turnout.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.admin.ControlPlane;
import io.turnout.config.AdminSettings;
import io.turnout.config.BackendUrl;
import io.turnout.config.HostPort;
import io.turnout.config.TurnoutConfig;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The lifecycle commands as an operator runs them: {@code turnout status/dual-write/reads/rollback/
 * audit} against a real control plane (state store on PostgreSQL, admin API on a free port).
 */
@ExtendWith(PostgresExtension.class)
class LifecycleCommandsIT {
  private static final String TOKEN = "cli-token";

  private static AdminCli.Result turnout(String admin, String... args) {
    return AdminCli.run(admin, TOKEN, args);
  }

  @Test
  void journey_statusDualWriteReadsRollbackAudit_exitCodesAndReasons(PostgresServer pg)
      throws Exception {
    String db = pg.createDatabase("cli");
    String url = pg.url(db);
    RenameColumn plan =
        new RenameColumn(
            "rename-email",
            TurnoutConfig.PRIMARY,
            new TableName("public", "users"),
            "email",
            "email_address",
            ReadPolicy.DEFAULT,
            ShadowPolicy.DEFAULT,
            UnanalysablePolicy.DEFAULT);
    TurnoutConfig config =
        new TurnoutConfig(
            TurnoutConfig.DEFAULT_LISTEN,
            new AdminSettings(
                true, new HostPort("127.0.0.1", 0), Optional.of(TOKEN), false, Optional.empty()),
            Map.of(TurnoutConfig.PRIMARY, BackendUrl.parse(url)),
            TurnoutConfig.PRIMARY,
            io.turnout.config.ProxyLimits.DEFAULTS,
            Optional.empty(),
            List.of(plan));
    try (ControlPlane control = ControlPlane.start(config, "cli-test", s -> {})) {
      String admin = "http://127.0.0.1:" + control.adminAddress().orElseThrow().getPort();

      AdminCli.Result status = turnout(admin, "status");
      assertThat(status.exit()).as(status.err()).isZero();
      assertThat(status.out()).contains("rename-email").contains("planned");

      AdminCli.Result refused = turnout(admin, "dual-write", "rename-email", "on");
      assertThat(refused.exit()).isEqualTo(1);
      assertThat(refused.err().strip())
          .isEqualTo(
              "turnout: rename-email: dual-write-on is not possible in phase planned: run expand"
                  + " first");

      // Put the migration in expanded as the expand job does before its DDL.
      try (Connection c = pg.connect(db);
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE users (id bigserial PRIMARY KEY, email text)");
        s.execute(
            "INSERT INTO turnout.migration_state (migration_id, phase, read_percent,"
                + " shadow_percent, version, phase_since, updated_at)"
                + " VALUES ('rename-email', 'expanded', 0, 0, 0, now(), now())");
      }
      AdminCli.Result early = turnout(admin, "dual-write", "rename-email", "on");
      assertThat(early.exit()).isEqualTo(1);
      assertThat(early.err().strip())
          .isEqualTo(
              "turnout: rename-email: expand has not finished: the table has no column"
                  + " email_address yet (writes would be refused); run turnout expand rename-email"
                  + " again");
      try (Connection c = pg.connect(db);
          Statement s = c.createStatement()) {
        s.execute("ALTER TABLE users ADD COLUMN email_address text"); // the expand DDL
      }
      AdminCli.Result on = turnout(admin, "dual-write", "rename-email", "on");
      assertThat(on.exit()).as(on.err()).isZero();
      assertThat(on.out()).contains("phase dual_write");

      AdminCli.Result badPercent = turnout(admin, "reads", "rename-email", "150%");
      assertThat(badPercent.exit()).isEqualTo(2);
      assertThat(badPercent.err()).contains("percent must be 0..100");

      AdminCli.Result guarded = turnout(admin, "reads", "rename-email", "5");
      assertThat(guarded.exit()).isEqualTo(1);
      assertThat(guarded.err()).contains("reads on the new path need a clean verify");

      AdminCli.Result json = turnout(admin, "rollback", "rename-email", "--json");
      assertThat(json.exit()).isZero();
      assertThat(json.out()).contains("\"phase\" : \"expanded\"");

      assertThat(control.follower().awaitVersion(2, Duration.ofSeconds(10))).isTrue();
      AdminCli.Result audit = turnout(admin, "audit", "rename-email");
      assertThat(audit.exit()).isZero();
      assertThat(audit.out().lines()).hasSize(2);
      assertThat(audit.out()).contains("rollback").contains("dual_write_on");

      AdminCli.Result unknown = turnout(admin, "status", "nope");
      assertThat(unknown.exit()).isEqualTo(1);
      assertThat(unknown.err()).contains("no migration 'nope' in the plan");
    }
    AdminCli.Result down = turnout("http://127.0.0.1:1", "status");
    assertThat(down.exit()).isEqualTo(1);
    assertThat(down.err()).contains("cannot reach the admin API at http://127.0.0.1:1");
  }
}
