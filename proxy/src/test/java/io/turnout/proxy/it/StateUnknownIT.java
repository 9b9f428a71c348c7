package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.turnout.admin.flags.BuiltinFlags;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.RenameColumn;
import io.turnout.config.plan.ShadowPolicy;
import io.turnout.config.plan.TableName;
import io.turnout.config.plan.UnanalysablePolicy;
import io.turnout.config.state.StateSnapshot;
import io.turnout.proxy.routing.Routing;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Before the control plane has delivered the migration state, the stored phase may already be
 * {@code dual_write}: a write let through unchanged could skip its dual-write. Statements naming a
 * managed table are refused (57P03) until the state arrives; everything else is served.
 */
class StateUnknownIT {
  private static final RenameColumn RENAME =
      new RenameColumn(
          "rename-email",
          "primary",
          new TableName("public", "users"),
          "email",
          "email_address",
          ReadPolicy.DEFAULT,
          ShadowPolicy.DEFAULT,
          UnanalysablePolicy.DEFAULT);

  private static final Routing routing = new Routing(List.of(RENAME), BuiltinFlags.INSTANCE, 1, 8);

  @RegisterExtension
  static final TurnoutFixture turnout = TurnoutFixture.builder().routing(routing).build();

  @BeforeAll
  static void schema() throws SQLException {
    try (Connection c = turnout.connectDirect();
        Statement s = c.createStatement()) {
      s.execute("create table users (id bigserial primary key, email text)");
    }
  }

  @AfterAll
  static void closeRouting() {
    routing.close();
  }

  @Test
  void managedTable_refusedUntilTheStateArrives_othersServed() throws SQLException {
    Properties simple = new Properties();
    simple.setProperty("preferQueryMode", "simple");
    try (Connection c = turnout.connectThroughTurnout(simple);
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.executeUpdate("insert into users (email) values ('x')"))
          .isInstanceOfSatisfying(
              SQLException.class,
              e -> {
                assertThat(e.getSQLState()).isEqualTo("57P03");
                assertThat(e.getMessage()).contains("not loaded the migration state");
              });
      assertThat(s.execute("select 1")).isTrue();

      routing.apply(StateSnapshot.initial(List.of(RENAME)));
      assertThat(s.executeUpdate("insert into users (email) values ('x')")).isEqualTo(1);
    }
  }
}
