package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.admin.flags.BuiltinFlags;
import io.turnout.config.plan.ContractPolicy;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.config.state.MigrationState;
import io.turnout.config.state.Phase;
import io.turnout.config.state.StateSnapshot;
import io.turnout.proxy.routing.Routing;
import io.turnout.router.catalog.CatalogLoader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turnout applying one migration on the wire, for the protocol ITs: the rename of {@code
 * users.email} to {@code email_address} in a table of the fixture's own, a {@link Routing} whose
 * state the test sets directly ({@link #phase}), and PostgreSQL behind it to look at directly. Each
 * test starts in {@code planned} with an empty table. A class-level extension.
 */
final class RenameOnTheWire implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
  static final String ID = "rename-email";

  private final Routing routing;
  private final TurnoutFixture turnout;
  private long version;

  /** Reads sticky per session. */
  RenameOnTheWire() {
    this(ReadPolicy.DEFAULT);
  }

  RenameOnTheWire(ReadPolicy reads) {
    RenameColumn rename =
        new RenameColumn(
            ID,
            "primary",
            new TableName("public", "users"),
            "email",
            "email_address",
            reads,
            new ShadowPolicy(0.1, 0.001),
            UnanalysablePolicy.DEFAULT,
            ContractPolicy.DEFAULT);
    this.routing = new Routing(List.of(rename), BuiltinFlags.INSTANCE, 2, 64);
    this.turnout = TurnoutFixture.builder().routing(routing).build();
  }

  TurnoutFixture turnout() {
    return turnout;
  }

  Routing routing() {
    return routing;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    turnout.start();
    try (Connection c = turnout.connectDirect();
        Statement s = c.createStatement()) {
      s.execute(
          "create table users (id bigserial primary key, email text, email_address text, name text)");
      routing.catalog(CatalogLoader.load(c));
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) throws SQLException {
    phase(Phase.PLANNED, 0);
    try (Connection c = turnout.connectDirect();
        Statement s = c.createStatement()) {
      s.execute("truncate users");
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    turnout.close();
    routing.close();
  }

  /**
   * Publishes the migration in {@code phase} at {@code readPercent}, as the control plane would.
   */
  synchronized void phase(Phase phase, int readPercent) {
    routing.apply(
        new StateSnapshot(++version, Map.of(ID, new MigrationState(ID, phase, readPercent, 0))));
  }

  /** A row whose new column differs from its old one, written directly, so reads show the path. */
  long seededRowWithDrift() throws SQLException {
    return Long.parseLong(
        direct("insert into users (email, email_address) values ('old', 'new-only') returning id"));
  }

  /** The first column of the first row of {@code sql}, run on PostgreSQL directly. */
  String direct(String sql) throws SQLException {
    try (Connection c = turnout.connectDirect();
        Statement s = c.createStatement()) {
      return one(s, sql);
    }
  }

  static String one(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getString(1);
    }
  }
}
