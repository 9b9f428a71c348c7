package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * A backend connection that dies takes down its own session only. Through a {@link FaultyRelay} the
 * connection between Turnout and PostgreSQL is reset abruptly; pg_terminate_backend ends a session
 * the way an administrator would.
 */
class BackendFailureIT {
  @RegisterExtension
  static final TurnoutFixture turnout = TurnoutFixture.builder().faultyRelay().build();

  private static final ExecutorService runner = Executors.newCachedThreadPool();

  @AfterAll
  static void stopRunner() {
    runner.shutdownNow();
  }

  @Test
  void backendConnectionCut_duringQuery_givesThatClient08006AndOthersCarryOn() throws Exception {
    try (Connection victim = turnout.connectThroughTurnout();
        Connection bystander = turnout.connectThroughTurnout();
        Connection direct = turnout.connectDirect()) {
      assertAnswers(bystander, "before");
      int pid = Backends.pid(victim);
      int relayPort = Backends.clientPort(victim);
      try {
        Future<SQLException> running = runInBackground(victim, "select pg_sleep(30)");
        Backends.awaitActive(direct, pid, "pg_sleep(30)");
        turnout.relay().cutWhereBackendSeesClientPort(relayPort);
        SQLException error = running.get(20, TimeUnit.SECONDS);
        assertProxyError(error, "08006");
        assertThat(error.getMessage()).contains("PostgreSQL backend");
      } finally {
        Backends.terminate(direct, pid); // the orphaned pg_sleep would hold a backend for 30 s
      }
      assertAnswers(bystander, "after");
      try (Connection fresh = turnout.connectThroughTurnout()) {
        assertAnswers(fresh, "new session");
      }
    }
  }

  @Test
  void allBackendConnectionsCut_whileIdle_everySession08006AndNewSessionsWork() throws Exception {
    try (Connection first = turnout.connectThroughTurnout();
        Connection second = turnout.connectThroughTurnout()) {
      assertAnswers(first, "first");
      assertAnswers(second, "second");
      assertThat(turnout.relay().cutAll()).isGreaterThanOrEqualTo(2);
      for (Connection c : new Connection[] {first, second}) {
        SQLException error = failureOf(c, "select 1");
        assertProxyError(error, "08006");
      }
      try (Connection fresh = turnout.connectThroughTurnout()) {
        assertAnswers(fresh, "after the cut");
      }
    }
  }

  @Test
  void pgTerminateBackend_givesThatClientPostgres57P01AndOthersCarryOn() throws Exception {
    try (Connection victim = turnout.connectThroughTurnout();
        Connection bystander = turnout.connectThroughTurnout();
        Connection direct = turnout.connectDirect()) {
      assertAnswers(bystander, "before");
      int pid = Backends.pid(victim);
      Future<SQLException> running = runInBackground(victim, "select pg_sleep(30)");
      Backends.awaitActive(direct, pid, "pg_sleep(30)");
      try (PreparedStatement ps = bystander.prepareStatement("select pg_terminate_backend(?)")) {
        ps.setInt(1, pid);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getBoolean(1)).isTrue();
        }
      }
      SQLException error = running.get(20, TimeUnit.SECONDS);
      assertThat((Throwable) error).isInstanceOf(PSQLException.class);
      ServerErrorMessage server = ((PSQLException) error).getServerErrorMessage();
      assertThat(server).as("PostgreSQL's own ErrorResponse, relayed").isNotNull();
      assertThat(server.getSQLState()).isEqualTo("57P01");
      assertThat(server.getMessage())
          .isEqualTo("terminating connection due to administrator command");
      assertAnswers(bystander, "after");
      try (Connection fresh = turnout.connectThroughTurnout()) {
        assertAnswers(fresh, "new session");
      }
    }
  }

  @Test
  void backendUnreachable_newClientGets08006AndOpenSessionsCarryOn() throws Exception {
    try (TurnoutFixture own = TurnoutFixture.builder().faultyRelay().build().start();
        Connection open = own.connectThroughTurnout()) {
      assertAnswers(open, "before");
      own.relay().stopAccepting();
      SQLException refused = null;
      try {
        own.connectThroughTurnout().close();
      } catch (SQLException e) {
        refused = e;
      }
      assertProxyError(refused, "08006");
      assertThat(refused.getMessage()).contains("could not connect to the PostgreSQL backend");
      assertAnswers(open, "after");
    }
  }

  private static Future<SQLException> runInBackground(Connection c, String sql) {
    return runner.submit(() -> failureOf(c, sql));
  }

  /** Runs {@code sql} and returns the error it raised, or null. */
  private static SQLException failureOf(Connection c, String sql) {
    try (Statement st = c.createStatement()) {
      st.executeQuery(sql).close();
      return null;
    } catch (SQLException e) {
      return e;
    }
  }

  /** An ErrorResponse with {@code sqlState} (not a driver-side I/O error with the same code). */
  private static void assertProxyError(SQLException error, String sqlState) {
    assertThat((Throwable) error)
        .as("the statement should have failed")
        .isInstanceOf(PSQLException.class);
    ServerErrorMessage server = ((PSQLException) error).getServerErrorMessage();
    assertThat(server)
        .as("an ErrorResponse from Turnout, not a driver I/O error: %s", error)
        .isNotNull();
    assertThat(server.getSQLState()).isEqualTo(sqlState);
    assertThat(server.getSeverity()).isEqualTo("FATAL");
  }

  private static void assertAnswers(Connection c, String text) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select ?::text")) {
      ps.setString(1, text);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(text);
      }
    }
  }
}
