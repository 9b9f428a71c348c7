package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.turnout.config.state.Phase;
import io.turnout.proxy.routing.Routing;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same rename applied to the extended protocol (pgJDBC's default: Parse/Bind/Execute with
 * parameters), unnamed and named statements: dual-write, refusals that abort the transaction,
 * routed reads, and named statements (pgJDBC's {@code prepareThreshold}) that outlive phase
 * changes: re-prepared when the phase changes, and bound per execution to the old or new variant.
 */
class ExtendedProtocolMigrationIT {
  private static final String ID = RenameOnTheWire.ID;

  @RegisterExtension static final RenameOnTheWire wire = new RenameOnTheWire();
  private static final TurnoutFixture turnout = wire.turnout();
  private static final Routing routing = wire.routing();

  private static final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  @BeforeAll
  static void observe() {
    routing.metrics().publishTo(metrics);
  }

  @Test
  void dualWrite_parameterisedInsertAndUpdate_writeBothColumns() throws SQLException {
    phase(Phase.DUAL_WRITE, 0);
    try (Connection c = extended(5);
        PreparedStatement insert =
            c.prepareStatement("insert into users (email) values (?) returning id");
        PreparedStatement update = c.prepareStatement("update users set email = ? where id = ?")) {
      insert.setString(1, "a@x");
      long id;
      try (ResultSet rs = insert.executeQuery()) {
        rs.next();
        id = rs.getLong(1);
      }
      assertThat(direct("select email_address from users where id = " + id)).isEqualTo("a@x");
      update.setString(1, "b@x");
      update.setLong(2, id);
      assertThat(update.executeUpdate()).isEqualTo(1);
      assertThat(direct("select email || '|' || email_address from users where id = " + id))
          .isEqualTo("b@x|b@x");
    }
  }

  @Test
  void namedStatement_preparedInDualWrite_dualWritesOnEveryExecution() throws SQLException {
    phase(Phase.DUAL_WRITE, 0);
    try (Connection c = extended(1);
        PreparedStatement insert = c.prepareStatement("insert into users (email) values (?)")) {
      for (String email : new String[] {"n1", "n2", "n3"}) {
        insert.setString(1, email);
        assertThat(insert.executeUpdate()).isEqualTo(1);
      }
    }
    assertThat(direct("select string_agg(email_address, ',' order by email_address) from users"))
        .isEqualTo("n1,n2,n3");
  }

  @Test
  void refusalInsideTransaction_abortsIt_soCommitRollsBack() throws SQLException {
    phase(Phase.EXPANDED, 0);
    try (Connection c = extended(5);
        PreparedStatement ok = c.prepareStatement("insert into users (email) values (?)");
        PreparedStatement refused =
            c.prepareStatement("insert into users (email_address) values (?)")) {
      c.setAutoCommit(false);
      ok.setString(1, "before");
      ok.executeUpdate();
      refused.setString(1, "new");
      assertThatThrownBy(refused::executeUpdate)
          .isInstanceOfSatisfying(
              SQLException.class,
              e -> {
                assertThat(e.getSQLState()).isEqualTo("0A000");
                assertThat(e.getMessage()).contains(ID);
              });
      assertThatThrownBy(() -> c.createStatement().executeQuery("select 1"))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25P02"));
      c.commit();
    }
    assertThat(direct("select count(*) from users")).isEqualTo("0");
  }

  @Test
  void reads_unnamedFollowThePercentage() throws SQLException {
    long id = seededRowWithDrift();
    phase(Phase.READS, 100);
    try (Connection unnamed = extended(0);
        PreparedStatement u = unnamed.prepareStatement("select email from users where id = ?")) {
      u.setLong(1, id);
      assertThat(one(u)).isEqualTo("new-only");
      phase(Phase.VERIFIED, 0); // rollback
      assertThat(one(u)).isEqualTo("old");
    }
  }

  @Test
  void namedStatement_preparedBeforeDualWrite_isRePrepared_andDualWrites() throws SQLException {
    double reprepared = metrics.counter("turnout.statements.reprepared").count();
    try (Connection c = extended(1);
        PreparedStatement insert = c.prepareStatement("insert into users (email) values (?)")) {
      insert.setString(1, "before");
      insert.executeUpdate(); // prepared (S_1) while no migration is active
      phase(Phase.DUAL_WRITE, 0);
      insert.setString(1, "after");
      assertThat(insert.executeUpdate()).isEqualTo(1);
      phase(Phase.EXPANDED, 0); // rollback: dual-write stops again
      insert.setString(1, "rolled-back");
      assertThat(insert.executeUpdate()).isEqualTo(1);
    }
    assertThat(
            direct(
                "select string_agg(email || '=' || coalesce(email_address, 'null'), ','"
                    + " order by id) from users"))
        .isEqualTo("before=null,after=after,rolled-back=null");
    assertThat(metrics.counter("turnout.statements.reprepared").count() - reprepared)
        .as("re-prepared once for dual_write, once for the rollback")
        .isEqualTo(2);
  }

  @Test
  void namedRead_followsThePercentagePerExecution_andDropsBackOnRollback() throws SQLException {
    long id = seededRowWithDrift();
    phase(Phase.DUAL_WRITE, 0);
    try (Connection c = extended(1);
        PreparedStatement read = c.prepareStatement("select email from users where id = ?")) {
      read.setLong(1, id);
      assertThat(one(read)).isEqualTo("old"); // prepared before reads move
      phase(Phase.READS, 100);
      assertThat(one(read)).isEqualTo("new-only");
      assertThat(read.getMetaData().getColumnName(1)).isEqualTo("email");
      phase(Phase.VERIFIED, 0); // rollback
      assertThat(one(read)).isEqualTo("old");
      phase(Phase.READS, 100);
      assertThat(one(read)).isEqualTo("new-only");
      phase(Phase.READS, 0);
      assertThat(one(read)).isEqualTo("old");
    }
  }

  @Test
  void namedRead_preparedDuringTheRamp_followsThePercentage() throws SQLException {
    long id = seededRowWithDrift();
    phase(Phase.READS, 100);
    try (Connection c = extended(1);
        PreparedStatement read = c.prepareStatement("select email from users where id = ?")) {
      read.setLong(1, id);
      assertThat(one(read)).isEqualTo("new-only");
      phase(Phase.READS, 0);
      assertThat(one(read)).isEqualTo("old");
    }
  }

  private static String one(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  private static Connection extended(int prepareThreshold) throws SQLException {
    Properties p = new Properties();
    p.setProperty("prepareThreshold", String.valueOf(prepareThreshold));
    return turnout.connectThroughTurnout(p);
  }

  private static void phase(Phase phase, int readPercent) {
    wire.phase(phase, readPercent);
  }

  private static long seededRowWithDrift() throws SQLException {
    return wire.seededRowWithDrift();
  }

  private static String direct(String sql) throws SQLException {
    return wire.direct(sql);
  }
}
