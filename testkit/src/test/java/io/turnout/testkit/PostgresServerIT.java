package io.turnout.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.turnout.testkit.junit.Postgres;
import io.turnout.testkit.junit.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Whatever provider this machine has, through the JUnit extension. */
@ExtendWith(PostgresExtension.class)
class PostgresServerIT {

  private static PostgresServer fromBeforeAll;

  @BeforeAll
  static void lifecycleParameter(PostgresServer pg) {
    fromBeforeAll = pg;
  }

  @Test
  void shared_runsSql(PostgresServer pg) throws SQLException {
    try (Connection c = pg.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_user, current_database(), 6 * 7")) {
      rs.next();
      assertEquals(pg.superuser(), rs.getString(1));
      assertEquals(pg.database(), rs.getString(2));
      assertEquals(42, rs.getInt(3));
    }
  }

  @Test
  void shared_isOnePerJvm(PostgresServer pg) {
    assertSame(fromBeforeAll, pg);
    assertSame(PostgresProvider.shared(), pg);
    assertTrue(PostgresProvider.PROVIDERS.contains(pg.provider()), pg.provider());
  }

  @Test
  void shared_closeIsIgnored(PostgresServer pg) throws SQLException {
    pg.close();
    try (Connection c = pg.connect()) {
      assertTrue(c.isValid(5));
    }
  }

  @Test
  void managed_settingsApplied(PostgresServer pg) throws SQLException {
    assumeTrue(pg.managed(), "TURNOUT_TEST_PG_URL server: its settings are not ours");
    assertEquals("logical", show(pg, "wal_level"));
    assertEquals("off", show(pg, "fsync"));
    assertEquals("off", show(pg, "synchronous_commit"));
    assertEquals("off", show(pg, "full_page_writes"));
    assertEquals("300", show(pg, "max_connections"));
    assertTrue(Integer.parseInt(show(pg, "max_replication_slots")) >= 10);
    assertTrue(Integer.parseInt(show(pg, "max_wal_senders")) >= 10);
  }

  @Test
  void green_isASeparateLogicalServer(
      PostgresServer pg, @Postgres(name = "green", logical = true) PostgresServer green)
      throws SQLException {
    assertNotEquals(pg.jdbcUrl(), green.jdbcUrl());
    assertSame(
        green, PostgresProvider.named(PostgresOptions.named("green").withLogicalReplication(true)));
    assumeTrue(green.managed(), "TURNOUT_TEST_PG_URL server: its wal_level is not ours");
    assertEquals("logical", show(green, "wal_level"));
    String db = green.createDatabase("logical");
    try (Connection c = green.connect(db);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
      st.execute("CREATE PUBLICATION turnout_pub FOR TABLE t");
      st.execute("SELECT pg_create_logical_replication_slot('turnout_slot', 'test_decoding')");
      // Decoding reads only up to the WAL flush position; with the cluster's
      // synchronous_commit=off a commit reaches it only when the WAL writer gets round to it.
      st.execute("SET synchronous_commit = on");
      st.execute("INSERT INTO t VALUES (1, 'a')");
      try (ResultSet rs =
          st.executeQuery(
              "SELECT data FROM pg_logical_slot_get_changes('turnout_slot', NULL, NULL) WHERE data LIKE 'table%'")) {
        assertTrue(rs.next(), "no change decoded");
        assertTrue(
            rs.getString(1).startsWith("table public.t: INSERT: id[integer]:1 v[text]:'a'"),
            rs.getString(1));
      }
      st.execute("SELECT pg_drop_replication_slot('turnout_slot')");
    }
  }

  @Test
  void green_sameParameterInAnotherTest_sameServer(
      @Postgres(name = "green", logical = true) PostgresServer green) {
    assertSame(
        PostgresProvider.named(PostgresOptions.named("green").withLogicalReplication(true)), green);
  }

  @Test
  void named_sameNameOtherOptions_isAnError(
      @Postgres(name = "green", logical = true) PostgresServer green) {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> PostgresProvider.named(PostgresOptions.named("green")));
    assertTrue(
        e.getMessage().startsWith("server 'green' was already requested with"), e.getMessage());
  }

  @Test
  void createDatabase_freshAndReachableByEveryAuthUser(PostgresServer pg) throws SQLException {
    String a = pg.createDatabase("Create Test");
    String b = pg.createDatabase("Create Test");
    assertNotEquals(a, b);
    assertTrue(a.startsWith("create_test_"), a);
    try (Connection c = pg.connect(a);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")) {
      rs.next();
      assertEquals(0, rs.getInt(1));
    }
    for (AuthUser u : pg.authUsers()) {
      try (Connection c = connectAs(pg, a, u.name(), u.password())) {
        assertEquals(u.name(), currentUser(c));
      }
    }
  }

  @Test
  void authUsers_threeMethodsOnManagedServers(PostgresServer pg) {
    if (!pg.managed()) {
      assertEquals(List.of(), pg.authUsers());
      return;
    }
    assertEquals(AuthUser.FIXTURES, pg.authUsers());
    assertEquals(AuthUser.MD5, pg.authUser("md5"));
  }

  @Test
  void authUsers_rightPasswordConnects_wrongPasswordRefused(PostgresServer pg) throws SQLException {
    assumeTrue(pg.managed(), "TURNOUT_TEST_PG_URL server has no auth fixtures");
    for (AuthUser u : pg.authUsers()) {
      try (Connection c = connectAs(pg, pg.database(), u.name(), u.password())) {
        assertEquals(u.name(), currentUser(c));
      }
      SQLException wrong =
          assertThrows(
              SQLException.class,
              () -> connectAs(pg, pg.database(), u.name(), u.password() + "-wrong").close());
      assertEquals("28P01", wrong.getSQLState(), u + ": " + wrong.getMessage());
      SQLException none =
          assertThrows(
              SQLException.class, () -> connectAs(pg, pg.database(), u.name(), null).close());
      assertTrue(none.getMessage().contains("password"), u + ": " + none.getMessage());
    }
  }

  @Test
  void authUsers_storedAndRequiredAsTheirMethodSays(PostgresServer pg) throws SQLException {
    assumeTrue(pg.managed(), "TURNOUT_TEST_PG_URL server has no auth fixtures");
    try (Connection c = pg.connect();
        Statement st = c.createStatement()) {
      Map<String, String> stored =
          Map.of(
              "turnout_md5",
              "md5",
              "turnout_scram",
              "SCRAM-SHA-256$",
              "turnout_cleartext",
              "SCRAM-SHA-256$");
      for (Map.Entry<String, String> e : stored.entrySet()) {
        try (ResultSet rs =
            st.executeQuery(
                "SELECT rolpassword FROM pg_authid WHERE rolname = '" + e.getKey() + "'")) {
          assertTrue(rs.next(), e.getKey());
          assertTrue(
              rs.getString(1).startsWith(e.getValue()),
              e.getKey() + " stored as " + rs.getString(1));
        }
      }
      for (AuthUser u : pg.authUsers()) {
        try (ResultSet rs =
            st.executeQuery(
                "SELECT DISTINCT auth_method FROM pg_hba_file_rules WHERE user_name = '{"
                    + u.name()
                    + "}'")) {
          assertTrue(rs.next(), u.toString());
          assertEquals(u.method(), rs.getString(1));
          assertTrue(!rs.next(), u + " has one method");
        }
      }
    }
  }

  @Test
  void psql_connectsWithPasswordFromEnvironment(PostgresServer pg) throws Exception {
    assumeTrue(pg.managed() && pg.binDir().isPresent(), "needs auth fixtures and psql");
    String psql = pg.binDir().get().resolve("psql").toString();
    AuthUser u = pg.authUser("scram-sha-256");
    List<String> cmd =
        List.of(
            psql,
            "-h",
            pg.host(),
            "-p",
            Integer.toString(pg.port()),
            "-U",
            u.name(),
            "-d",
            pg.database(),
            "-w",
            "-tA",
            "-c",
            "SELECT current_user");
    assertEquals(u.name() + "\n", run(cmd, u.password()));
    assertThrows(AssertionError.class, () -> run(cmd, "nope"));
  }

  private static String run(List<String> cmd, String password) throws Exception {
    ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
    b.environment().put("PGPASSWORD", password);
    Process p = b.start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  static Connection connectAs(PostgresServer pg, String db, String user, String password)
      throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null) {
      p.setProperty("password", password);
    }
    return DriverManager.getConnection(pg.jdbcUrl(db), p);
  }

  static String currentUser(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_user")) {
      rs.next();
      return rs.getString(1);
    }
  }

  static String show(PostgresServer pg, String setting) throws SQLException {
    try (Connection c = pg.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
