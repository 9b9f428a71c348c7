package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.turnout.proxy.server.ProxyServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * {@link ProxyServer#close()}: idle sessions are told FATAL 57P01 at once, a session in a
 * transaction may finish it within the grace period, and what is still busy afterwards is ended.
 * Every test starts a proxy of its own, since closing it is the point.
 */
class GracefulShutdownIT {

  @Test
  void close_idleSessionGetsFatal57P01() throws Exception {
    TurnoutFixture fixture = TurnoutFixture.builder().build().start();
    try (Connection c =
        DriverManager.getConnection(fixture.turnoutUrl(fixture.database()), fixture.superuser())) {
      assertServes(c);
      fixture.close();
      ServerErrorMessage error = serverErrorOf(c, "select 1");
      assertThat(error.getSQLState()).isEqualTo("57P01");
      assertThat(error.getSeverity()).isEqualTo("FATAL");
    } finally {
      fixture.close();
    }
  }

  @Test
  void close_sessionInTransaction_canCommitWithinGrace() throws Exception {
    TurnoutFixture fixture =
        TurnoutFixture.builder().shutdownGrace(Duration.ofSeconds(30)).build().start();
    ProxyServer proxy = fixture.proxy();
    String table = "drain_" + System.nanoTime();
    Thread closer = new Thread(fixture::close, "turnout-it-close");
    String url = fixture.turnoutUrl(fixture.database()); // before close() holds the fixture
    try (Connection c = DriverManager.getConnection(url, fixture.superuser())) {
      try (Statement st = c.createStatement()) {
        st.execute("create table " + table + " (id int)");
      }
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.executeUpdate("insert into " + table + " values (1)");
        closer.start();
        awaitDraining(proxy);
        assertThatThrownBy(() -> DriverManager.getConnection(url, fixture.superuser()).close())
            .as("new connections while draining")
            .isInstanceOf(SQLException.class);
        st.executeUpdate("insert into " + table + " values (2)"); // the transaction goes on
        c.commit();
      }
      c.setAutoCommit(true);
      ServerErrorMessage error = serverErrorOf(c, "select 1");
      assertThat(error.getSQLState()).isEqualTo("57P01");
      assertThat(error.getDetail())
          .as("closed when its transaction ended, not when the grace ran out")
          .isNull();
    } finally {
      closer.join(60_000);
      fixture.close();
    }
    assertThat(closer.isAlive()).isFalse();
    try (Connection direct = fixture.connectDirect();
        Statement st = direct.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from " + table)) {
      rs.next();
      assertThat(rs.getLong(1)).as("rows committed during the drain").isEqualTo(2);
    }
  }

  /**
   * An autocommit statement still running when the drain starts finishes within the grace and the
   * session closes after its result. (Judging "idle" from the last ReadyForQuery killed it at
   * once.)
   */
  @Test
  void close_runningAutocommitStatement_finishesWithinGrace() throws Exception {
    TurnoutFixture fixture =
        TurnoutFixture.builder().shutdownGrace(Duration.ofSeconds(30)).build().start();
    ProxyServer proxy = fixture.proxy();
    Thread closer = new Thread(fixture::close, "turnout-it-close");
    try (Connection c =
            DriverManager.getConnection(
                fixture.turnoutUrl(fixture.database()), fixture.superuser());
        Connection direct = fixture.connectDirect();
        Statement st = c.createStatement();
        SleepingQuery sleeping = SleepingQuery.start(st, 2, direct, Backends.pid(c))) {
      closer.start();
      awaitDraining(proxy);
      SQLException failure = sleeping.outcome().error();
      assertThat(failure == null ? "completed" : failure.toString())
          .as("the running statement's outcome")
          .isEqualTo("completed");
      ServerErrorMessage error = serverErrorOf(c, "select 1");
      assertThat(error.getSQLState()).isEqualTo("57P01");
      assertThat(error.getDetail()).as("closed once idle, not at the grace's end").isNull();
    } finally {
      closer.join(60_000);
      fixture.close();
    }
  }

  @Test
  void close_transactionStillOpenAfterGrace_isTerminatedWith57P01AndRolledBack() throws Exception {
    TurnoutFixture fixture =
        TurnoutFixture.builder().shutdownGrace(Duration.ofMillis(500)).build().start();
    String table = "overdue_" + System.nanoTime();
    try (Connection c =
        DriverManager.getConnection(fixture.turnoutUrl(fixture.database()), fixture.superuser())) {
      try (Statement st = c.createStatement()) {
        st.execute("create table " + table + " (id int)");
      }
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.executeUpdate("insert into " + table + " values (1)");
      }
      fixture.close(); // returns once the grace is over and the session was ended
      ServerErrorMessage error = serverErrorOf(c, "select 1");
      assertThat(error.getSQLState()).isEqualTo("57P01");
      assertThat(error.getDetail()).contains("grace period");
    } finally {
      fixture.close();
    }
    try (Connection direct = fixture.connectDirect();
        Statement st = direct.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from " + table)) {
      rs.next();
      assertThat(rs.getLong(1)).as("rows of the transaction that never committed").isZero();
    }
  }

  private static void awaitDraining(ProxyServer proxy) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!proxy.sessions().draining() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(proxy.sessions().draining()).as("proxy draining after close() started").isTrue();
  }

  private static ServerErrorMessage serverErrorOf(Connection c, String sql) {
    try (Statement st = c.createStatement()) {
      st.executeQuery(sql).close();
    } catch (PSQLException e) {
      assertThat(e.getServerErrorMessage())
          .as("an ErrorResponse, not a driver-side error: %s", e)
          .isNotNull();
      return e.getServerErrorMessage();
    } catch (SQLException e) {
      throw new AssertionError("expected an ErrorResponse, got " + e, e);
    }
    throw new AssertionError("'" + sql + "' succeeded on a session the proxy should have closed");
  }

  private static void assertServes(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select 1")) {
      assertThat(rs.next()).isTrue();
    }
  }
}
