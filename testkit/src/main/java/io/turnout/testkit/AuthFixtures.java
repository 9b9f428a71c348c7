package io.turnout.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Creates the {@link AuthUser#FIXTURES} roles, each password stored the way its method needs (md5
 * must be stored as an MD5 hash), writes pg_hba.conf through the server itself ({@code COPY ... TO}
 * its {@code hba_file}, so the same code serves local, embedded and container servers), reloads,
 * and waits until the new rules are in force.
 */
final class AuthFixtures {

  private AuthFixtures() {}

  static void install(BaseServer server, List<String> networks) throws SQLException {
    List<AuthUser> users = AuthUser.FIXTURES;
    try (Connection c = server.connect();
        Statement st = c.createStatement()) {
      for (AuthUser u : users) {
        st.execute(
            "SET password_encryption = '"
                + ("md5".equals(u.method()) ? "md5" : "scram-sha-256")
                + "'");
        String role = u.name();
        String pw = u.password().replace("'", "''");
        st.execute(
            "DO $$ BEGIN "
                + "IF EXISTS (SELECT FROM pg_roles WHERE rolname = '"
                + role
                + "') THEN "
                + "ALTER ROLE "
                + role
                + " LOGIN PASSWORD '"
                + pw
                + "'; "
                + "ELSE CREATE ROLE "
                + role
                + " LOGIN PASSWORD '"
                + pw
                + "'; END IF; END $$");
      }
      st.execute("RESET password_encryption");
      String hbaFile;
      try (ResultSet rs = st.executeQuery("SHOW hba_file")) {
        rs.next();
        hbaFile = rs.getString(1);
      }
      List<String> rows = new ArrayList<>();
      for (String line : ClusterConfig.renderHba(users, networks)) {
        rows.add("('" + line.replace("'", "''") + "')");
      }
      st.execute(
          "COPY (VALUES " + String.join(", ", rows) + ") TO '" + hbaFile.replace("'", "''") + "'");
      try (ResultSet rs =
          st.executeQuery(
              "SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL")) {
        if (rs.next()) {
          throw new SQLException(
              "pg_hba.conf written by the testkit is invalid at line "
                  + rs.getInt(1)
                  + ": "
                  + rs.getString(2));
        }
      }
      st.execute("SELECT pg_reload_conf()");
    }
    awaitReload(server);
    server.authUsers(users);
  }

  /**
   * pg_reload_conf() only signals the postmaster. The new rules are in force once a fixture role
   * without a password is refused and the superuser without one is let in (a container starts with
   * the opposite).
   */
  private static void awaitReload(BaseServer server) throws SQLException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!(refused(server, AuthUser.SCRAM.name()) && !refused(server, server.superuser()))) {
      if (System.nanoTime() > deadline) {
        throw new SQLException("pg_hba.conf reload on " + server + " not in force after 10 s");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted waiting for pg_hba.conf reload", e);
      }
    }
  }

  private static boolean refused(BaseServer server, String user) {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("connectTimeout", "5");
    try {
      DriverManager.getConnection(server.jdbcUrl(), props).close();
      return false;
    } catch (SQLException e) {
      return true;
    }
  }
}
