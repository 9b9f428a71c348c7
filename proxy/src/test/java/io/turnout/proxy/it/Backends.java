package io.turnout.proxy.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** What tests ask PostgreSQL about its sessions (over a direct superuser connection). */
final class Backends {
  private Backends() {}

  /** The backend PID serving {@code c} (through the proxy this is the real PostgreSQL PID). */
  static int pid(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** The client port PostgreSQL sees for {@code c}'s session: through a relay, the relay's port. */
  static int clientPort(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select inet_client_port()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * Waits until backend {@code pid} is running a statement that contains {@code queryFragment},
   * polling pg_stat_activity; fails after 10 s.
   */
  static void awaitActive(Connection direct, int pid, String queryFragment)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    try (PreparedStatement ps =
        direct.prepareStatement(
            "select 1 from pg_stat_activity where pid = ? and state = 'active' and position(? in query) > 0")) {
      ps.setInt(1, pid);
      ps.setString(2, queryFragment);
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return;
          }
        }
        Thread.sleep(10);
      }
    }
    throw new AssertionError(
        "backend " + pid + " did not start running '" + queryFragment + "' within 10 s");
  }

  /** Terminates a backend left behind by a test (e.g. a pg_sleep whose client was cut off). */
  static void terminate(Connection direct, int pid) throws SQLException {
    try (PreparedStatement ps = direct.prepareStatement("select pg_terminate_backend(?)")) {
      ps.setInt(1, pid);
      ps.executeQuery().close();
    }
  }
}
