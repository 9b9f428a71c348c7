package io.turnout.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.turnout.config.HostPort;
import io.turnout.testkit.PostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The README's guided tour, step by step, as a user runs it: the demo's {@code split-name}
 * migration taken through dual-write, verify, reads 100% and rollback with the CLI, while a client
 * that knows only {@code users.name} (simple protocol, as psql speaks) writes and reads through
 * Turnout.
 */
class DemoTourIT {
  private static final String ID = "split-name";

  @Test
  void tour_splitName_dualWriteVerifyReadsRollback() throws Exception {
    try (PostgresServer pg = DemoCommand.startPostgres();
        DemoCommand.Running demo =
            DemoCommand.start(HostPort.parse("127.0.0.1:0"), DemoCommand.AdminPort.exactly(0), pg);
        Connection app = app(pg, demo.server().address());
        Statement s = app.createStatement()) {
      String admin = demo.adminUrl();
      String token = demo.adminToken();
      cli(admin, token, "expand", ID);
      cli(admin, token, "dual-write", ID, "on");

      s.executeUpdate(
          "insert into users (email, name) values ('kj@example.com', 'Katherine Johnson')");
      assertThat(s.executeUpdate("update users set name = 'Ada King' where id = 1")).isEqualTo(1);
      assertThat(
              direct(
                  pg,
                  "select first_name || '/' || last_name from users where email = 'kj@example.com'"))
          .isEqualTo("Katherine/Johnson");
      assertThat(direct(pg, "select first_name || '/' || last_name from users where id = 1"))
          .isEqualTo("Ada/King");

      // A write that cannot be kept in sync aborts its transaction; COMMIT then rolls back.
      app.setAutoCommit(false);
      s.executeUpdate("insert into users (email, name) values ('t@example.com', 'Tx Row')");
      assertThatThrownBy(
              () ->
                  s.executeUpdate(
                      "insert into users (email, name, first_name)"
                          + " values ('both@example.com', 'A B', 'C')"))
          .isInstanceOfSatisfying(
              SQLException.class,
              e -> {
                assertThat(e.getSQLState()).isEqualTo("0A000");
                assertThat(e.getMessage())
                    .contains("migration \"split-name\" (transform_column, phase dual_write)")
                    .contains(
                        "writes old column(s) [name] and new column(s) [first_name] together");
              });
      app.commit();
      app.setAutoCommit(true);
      assertThat(direct(pg, "select count(*) from users where email = 't@example.com'"))
          .isEqualTo("0");

      cli(admin, token, "backfill", ID);
      assertThat(cli(admin, token, "verify", ID)).contains("phase verified");
      cli(admin, token, "reads", ID, "100");
      // Only the new columns hold this (changed around Turnout): the read shows its path.
      direct(
          pg,
          "update users set first_name = 'Grace', last_name = 'Brewster' where id = 2 returning id");
      String read = "select name from users where id = 2";
      assertThat(one(s, read)).isEqualTo("Grace Brewster");

      cli(admin, token, "rollback", ID);
      assertThat(one(s, read)).isNotEqualTo("Grace Brewster");
    }
  }

  private static String cli(String admin, String token, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = DemoMain.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--admin";
    all[args.length + 1] = admin;
    all[args.length + 2] = "--token";
    all[args.length + 3] = token;
    int exit = cl.execute(all);
    assertThat(exit).as(String.join(" ", args) + ": " + out + err).isZero();
    return out.toString();
  }

  private static Connection app(PostgresServer pg, InetSocketAddress at) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", pg.superuser());
    if (pg.superuserPassword() != null) {
      p.setProperty("password", pg.superuserPassword());
    }
    p.setProperty("preferQueryMode", "simple");
    return DriverManager.getConnection(
        "jdbc:postgresql://" + at.getHostString() + ":" + at.getPort() + "/demo", p);
  }

  private static String one(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getString(1);
    }
  }

  private static String direct(PostgresServer pg, String sql) throws SQLException {
    try (Connection c = pg.connect("demo");
        Statement s = c.createStatement()) {
      return one(s, sql);
    }
  }
}
