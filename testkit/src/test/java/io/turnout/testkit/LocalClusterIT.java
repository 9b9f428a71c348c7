package io.turnout.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.Reader;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The local-binaries provider specifically: lifecycle, cleanup, stale-cluster sweep. */
class LocalClusterIT {

  @Test
  void close_stopsServerAndRemovesDirectory() throws Exception {
    LocalCluster pg =
        (LocalCluster) PostgresProvider.start("local", PostgresOptions.named("closing"));
    Path dir = pg.directory();
    assertTrue(Files.isDirectory(dir.resolve("data")));
    assertTrue(
        Files.exists(dir.resolve(".s.PGSQL." + pg.port())), "unix socket in the cluster dir");
    assertEquals(Optional.of(PgBinaries.server(System.getenv()).dir()), pg.binDir());
    try (Connection c = pg.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1")) {
      assertTrue(rs.next());
    }
    pg.close();
    assertFalse(Files.exists(dir), dir + " still exists");
    assertThrows(java.io.IOException.class, () -> new Socket(pg.host(), pg.port()).close());
    pg.close();
  }

  @Test
  void killAndStartAgain_samePortAndData_connectionsBreakThenWorkAgain() throws Exception {
    // Test clusters run with synchronous_commit=off, whose last commits a kill may lose.
    try (PostgresServer pg =
        PostgresProvider.start(
            "local", PostgresOptions.named("restart").withSetting("synchronous_commit", "on"))) {
      assertEquals(Optional.empty(), pg.restartUnsupported());
      String db = pg.createDatabase("kept");
      try (Connection c = pg.connect(db);
          Statement st = c.createStatement()) {
        st.execute("CREATE TABLE kept AS SELECT 42 AS answer");
      }
      Connection before = pg.connect(db);
      ProcessHandle postmaster =
          ClusterDir.postmaster(((LocalCluster) pg).directory().resolve("data")).orElseThrow();

      pg.kill();
      // pg_ctl waits for the pid file to go; the process itself ends a moment later.
      postmaster.onExit().get(10, TimeUnit.SECONDS);
      assertFalse(postmaster.isAlive(), "postmaster still running after kill");
      assertThrows(SQLException.class, () -> before.createStatement().execute("SELECT 1"));
      assertThrows(SQLException.class, () -> pg.connect().close());
      pg.kill(); // already down: nothing to do

      pg.startAgain();
      pg.startAgain(); // already up: nothing to do
      try (Connection c = pg.connect(db);
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT answer FROM kept")) {
        assertTrue(rs.next());
        assertEquals(42, rs.getInt(1), "committed data survives the kill");
      }
      before.close();
    }
  }

  @Test
  void restartUnsupported_sharedServer_saysWhy() {
    PostgresServer pg = PostgresProvider.shared();
    assertTrue(
        pg.restartUnsupported().orElseThrow().contains("shared"), pg.restartUnsupported()::get);
    assertThrows(UnsupportedOperationException.class, pg::kill);
  }

  @Test
  void start_settingsFromOptionsApplied() throws Exception {
    try (PostgresServer pg =
        PostgresProvider.start(
            "local",
            PostgresOptions.named("settings")
                .withSetting("work_mem", "7MB")
                .withSetting("application_name", "it's"))) {
      assertEquals("7MB", PostgresServerIT.show(pg, "work_mem"));
      assertEquals("replica", PostgresServerIT.show(pg, "wal_level"));
      // pgJDBC sends the JVM's zone at startup, so look at the file, not the session.
      try (Connection c = pg.connect();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT setting FROM pg_file_settings WHERE name = 'timezone' AND applied")) {
        assertTrue(rs.next());
        assertEquals("UTC", rs.getString(1));
      }
    }
  }

  @Test
  void start_badSetting_failsWithEveryProviderReason() {
    PostgresUnavailableException e =
        assertThrows(
            PostgresUnavailableException.class,
            () ->
                PostgresProvider.start(
                    "local", new PostgresOptions("broken", false, Map.of("no_such_setting", "1"))));
    assertEquals(PostgresProvider.PROVIDERS, java.util.List.copyOf(e.reasons().keySet()));
    assertTrue(
        e.reasons()
            .get("local")
            .contains("unrecognized configuration parameter \"no_such_setting\""),
        e.reasons().get("local"));
    assertTrue(e.getMessage().contains("\n  url: not asked for\n"), e.getMessage());
  }

  @Test
  void sweep_clusterOfDeadJvm_stoppedAndRemoved() throws Exception {
    LocalCluster pg =
        (LocalCluster) PostgresProvider.start("local", PostgresOptions.named("orphan"));
    Path dir = pg.directory();
    ProcessHandle postmaster = ClusterDir.postmaster(dir.resolve("data")).orElseThrow();
    assertEquals(0, ClusterDir.sweepStale(dir.getParent().resolve("nothing-here")));
    // Pretend its JVM died: the owner file now names a process that has exited.
    Process dead = new ProcessBuilder("true").start();
    dead.waitFor(10, TimeUnit.SECONDS);
    Path owner = dir.resolve(ClusterDir.OWNER_FILE);
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(owner, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    p.setProperty("pid", Long.toString(dead.pid()));
    try (Writer w = Files.newBufferedWriter(owner, StandardCharsets.UTF_8)) {
      p.store(w, null);
    }
    assertTrue(ClusterDir.sweepStale(dir.getParent()) >= 1);
    assertFalse(Files.exists(dir), dir + " still exists");
    postmaster.onExit().get(10, TimeUnit.SECONDS);
    assertFalse(postmaster.isAlive());
    pg.close();
  }

  @Test
  void sweep_liveJvmsClusters_untouched() throws Exception {
    try (LocalCluster pg =
        (LocalCluster) PostgresProvider.start("local", PostgresOptions.named("alive"))) {
      ClusterDir.sweepStale(pg.directory().getParent());
      assertTrue(Files.isDirectory(pg.directory()));
      try (Connection c = pg.connect()) {
        assertTrue(c.isValid(5));
      }
    }
  }

  @Test
  void userNamespace_asRootWithoutPostgresAccount_works() throws Exception {
    assumeTrue(
        RunAs.isRoot() && RunAs.userNamespacesWork(), "only for a root JVM with user namespaces");
    Path bin = PgBinaries.server(System.getenv()).dir();
    LocalCluster pg =
        LocalCluster.start(PostgresOptions.named("userns"), bin, RunAs.USER_NAMESPACE);
    try {
      try (Connection c = pg.connect();
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT current_user")) {
        rs.next();
        assertEquals("postgres", rs.getString(1));
      }
      AuthUser u = pg.authUser("md5");
      try (Connection c = PostgresServerIT.connectAs(pg, "postgres", u.name(), u.password())) {
        assertEquals(u.name(), PostgresServerIT.currentUser(c));
      }
    } finally {
      pg.close();
    }
    assertFalse(Files.exists(pg.directory()));
  }

  @Test
  void authUsers_cleartext_wrongPasswordRefused() throws SQLException {
    PostgresServer pg = PostgresProvider.shared();
    assumeTrue("local".equals(pg.provider()), "shared server is " + pg.provider());
    AuthUser u = pg.authUser("password");
    SQLException e =
        assertThrows(
            SQLException.class,
            () -> PostgresServerIT.connectAs(pg, "postgres", u.name(), "clear-secreT").close());
    assertTrue(
        e.getMessage().contains("password authentication failed for user \"turnout_cleartext\""),
        e.getMessage());
  }
}
