package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.turnout.admin.usage.NameUse;
import io.turnout.admin.usage.UsageTracker;
import io.turnout.config.state.Phase;
import io.turnout.proxy.routing.Routing;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rename of {@code users.email} to {@code email_address} applied on the wire to simple-protocol
 * Queries (pgJDBC with {@code preferQueryMode=simple}), against real PostgreSQL: dual-write keeps
 * both columns, reads follow the session's path, a refusal aborts the transaction on the server.
 */
class SimpleProtocolMigrationIT {
  private static final String ID = RenameOnTheWire.ID;

  @RegisterExtension static final RenameOnTheWire wire = new RenameOnTheWire();
  private static final TurnoutFixture turnout = wire.turnout();
  private static final Routing routing = wire.routing();

  private static final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private static final UsageTracker usage = new UsageTracker();

  @BeforeAll
  static void observe() {
    routing.metrics().publishTo(metrics);
    routing.recordUsageIn(usage);
  }

  @Test
  void dualWrite_insertAndUpdate_writeBothColumns() throws SQLException {
    phase(Phase.DUAL_WRITE, 0);
    try (Connection c = simple();
        Statement s = c.createStatement()) {
      long id;
      try (ResultSet rs =
          s.executeQuery(
              "insert into users (email, name) values ('a@x', 'Ann') returning id, email")) {
        assertThat(rs.next()).isTrue();
        id = rs.getLong(1);
        assertThat(rs.getString(2)).isEqualTo("a@x");
        assertThat(rs.getMetaData().getColumnCount()).isEqualTo(2);
      }
      assertThat(direct("select email_address from users where id = " + id)).isEqualTo("a@x");
      System.err.println(
          +usage.distinctKeys()
              + " overflow="
              + usage.overflow(ID, NameUse.OLD)
              + " new="
              + usage.statements(
                  ID,
                  NameUse.NEW,
                  "turnout-proxy-it",
                  turnout.postgres().superuser(),
                  "127.0.0.1"));
      // The evidence behind `turnout usage` and the contract guard: who still uses the old name.
      assertThat(
              usage.statements(
                  ID, NameUse.OLD, "turnout-proxy-it", turnout.postgres().superuser(), "127.0.0.1"))
          .isPositive();

      assertThat(s.executeUpdate("update users set email = 'b@x' where id = " + id)).isEqualTo(1);
      assertThat(direct("select email || '|' || email_address from users where id = " + id))
          .isEqualTo("b@x|b@x");
    }
  }

  @Test
  void multiStatementQuery_eachStatementDecidedAlone() throws SQLException {
    phase(Phase.DUAL_WRITE, 0);
    try (Connection c = simple();
        Statement s = c.createStatement()) {
      s.execute(
          "insert into users (email) values ('m1'); /* between */ select 1;"
              + " insert into users (email) values ('m2')");
      assertThat(s.getUpdateCount()).isEqualTo(1);
      assertThat(s.getMoreResults()).isTrue(); // select 1
      assertThat(s.getMoreResults()).isFalse();
      assertThat(s.getUpdateCount()).isEqualTo(1);
    }
    assertThat(direct("select string_agg(email_address, ',' order by email_address) from users"))
        .isEqualTo("m1,m2");
  }

  @Test
  void refusalInsideTransaction_abortsIt_soCommitRollsBack() throws SQLException {
    phase(Phase.EXPANDED, 0);
    try (Connection c = simple();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.executeUpdate("insert into users (email) values ('before')");
      assertThatThrownBy(() -> s.executeUpdate("insert into users (email_address) values ('new')"))
          .isInstanceOfSatisfying(
              SQLException.class,
              e -> {
                assertThat(e.getSQLState()).isEqualTo("0A000");
                assertThat(e.getMessage()).contains(ID);
              });
      assertThat(metrics.get("turnout.rejects").tag("sqlstate", "0A000").counter().count())
          .isPositive();
      // As after any failed statement, the server has aborted the transaction.
      assertThatThrownBy(() -> s.executeQuery("select 1"))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25P02"));
      c.commit();
      c.setAutoCommit(true);
      // The session stays usable.
      try (ResultSet rs = s.executeQuery("select count(*) from users")) {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      }
    }
    assertThat(direct("select count(*) from users")).isEqualTo("0");
  }

  @Test
  void reads_followThePercentage_andRollbackServesTheOldColumnAgain() throws SQLException {
    long id = seededRowWithDrift();
    String read = "select email from users where id = " + id;
    try (Connection c = simple();
        Statement s = c.createStatement()) {
      phase(Phase.READS, 100);
      double newBefore = reads("new");
      assertThat(one(s, read)).isEqualTo("new-only");
      assertThat(reads("new")).isEqualTo(newBefore + 1);
      phase(Phase.VERIFIED, 0); // rollback
      assertThat(one(s, read)).isEqualTo("old");
      phase(Phase.READS, 0);
      assertThat(one(s, read)).isEqualTo("old");
    }
  }

  @Test
  void transaction_keepsItsReadPath_whenThePercentageMovesUnderIt() throws SQLException {
    long id = seededRowWithDrift();
    String read = "select email from users where id = " + id;
    try (Connection c = simple();
        Statement s = c.createStatement()) {
      phase(Phase.READS, 100);
      c.setAutoCommit(false);
      assertThat(one(s, read)).isEqualTo("new-only");
      phase(Phase.READS, 0);
      assertThat(one(s, read)).isEqualTo("new-only");
      c.commit();
      assertThat(one(s, read)).isEqualTo("old");
    }
  }

  @Test
  void noActiveMigration_passesStatementsThrough() throws SQLException {
    try (Connection c = simple();
        Statement s = c.createStatement()) {
      s.executeUpdate("insert into users (email) values ('plain')");
    }
    assertThat(direct("select coalesce(email_address, 'null') from users")).isEqualTo("null");
  }

  @Test
  void pipelinedQueries_keepTheirOrder_whileOneIsPlanned() throws Exception {
    phase(Phase.DUAL_WRITE, 0);
    try (RawPgConnection raw = RawPgConnection.open(turnout.address())) {
      raw.startup(
          turnout.postgres().superuser(),
          turnout.database(),
          turnout.postgres().superuserPassword());
      // One write: a routed insert, a routed read of what it wrote, an unmanaged query.
      ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
      for (String sql :
          List.of(
              "insert into users (email) values ('p1')",
              "select email_address from users where email = 'p1'",
              "select 'unmanaged'")) {
        byte[] text = (sql + "\0").getBytes(StandardCharsets.UTF_8);
        pipeline.write('Q');
        pipeline.writeBytes(ByteBuffer.allocate(4).putInt(text.length + 4).array());
        pipeline.writeBytes(text);
      }
      raw.send(pipeline.toByteArray());
      List<String> seen = new ArrayList<>();
      for (int ready = 0; ready < 3; ) {
        RawPgConnection.Message m = raw.read();
        switch (m.type()) {
          case 'C' -> seen.add(m.tag());
          case 'D' -> seen.add(firstValue(m.body()));
          case 'E' -> throw new AssertionError("error: " + m);
          case 'Z' -> ready++;
          default -> {}
        }
      }
      assertThat(seen).containsExactly("INSERT 0 1", "p1", "SELECT 1", "unmanaged", "SELECT 1");
    }
  }

  private static String firstValue(byte[] dataRow) {
    ByteBuffer b = ByteBuffer.wrap(dataRow);
    b.getShort();
    int length = b.getInt();
    return new String(dataRow, b.position(), length, StandardCharsets.UTF_8);
  }

  private static double reads(String path) {
    return metrics.get("turnout.reads").tag("migration", ID).tag("path", path).counter().count();
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

  private static String one(Statement s, String sql) throws SQLException {
    return RenameOnTheWire.one(s, sql);
  }

  private static Connection simple() throws SQLException {
    Properties p = new Properties();
    p.setProperty("preferQueryMode", "simple");
    return turnout.connectThroughTurnout(p);
  }
}
