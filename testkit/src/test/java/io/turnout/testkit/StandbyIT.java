package io.turnout.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Streaming standbys: they replicate, their replay pauses and resumes, they go with close. */
class StandbyIT {

  @Test
  void standby_streamsUnderItsName_replicatesWrites_pausesAndResumesReplay() throws Exception {
    try (PostgresServer primary = PostgresProvider.start(PostgresOptions.named("primary"))) {
      assumeTrue(
          primary.standbyUnsupported().isEmpty(),
          () -> primary.standbyUnsupported().orElse("") + "; no standby test here");
      String db = primary.createDatabase("replicated");
      try (Standby standby = primary.startStandby("standby-a");
          Connection p = primary.connect(db);
          Statement ps = p.createStatement()) {
        assertEquals("streaming", replicationState(primary, "standby-a"));
        try (Connection s = standby.connect(db);
            Statement ss = s.createStatement()) {
          assertTrue(bool(ss, "SELECT pg_is_in_recovery()"));

          ps.execute("CREATE TABLE t AS SELECT 1 AS v");
          awaitRows(ss, 1);

          standby.pauseReplay();
          ps.execute("INSERT INTO t SELECT 2");
          // The standby still receives, so the primary sees it behind by what it did not replay.
          awaitUnreplayedBytes(primary, "standby-a");
          assertEquals(1, count(ss, "SELECT count(*) FROM t"), "replay is paused");

          standby.resumeReplay();
          awaitRows(ss, 2);
          assertThrows(SQLException.class, () -> ss.execute("INSERT INTO t SELECT 3"));
        }
      }
    }
  }

  @Test
  void close_stopsAndRemovesTheStandby_andItsPrimaryClosesItToo() throws Exception {
    PostgresServer primary = PostgresProvider.start(PostgresOptions.named("primary"));
    try {
      assumeTrue(primary.standbyUnsupported().isEmpty(), () -> primary.standbyUnsupported().get());
      Standby closed = primary.startStandby("closed");
      Path dir = dataDir(closed);
      closed.close();
      closed.close();
      assertFalse(Files.exists(dir.getParent()), dir + " still exists");
      assertEquals(null, replicationState(primary, "closed"));

      Standby left = primary.startStandby("left");
      Path leftDir = dataDir(left);
      primary.close();
      assertFalse(Files.exists(leftDir.getParent()), "primary.close() left " + leftDir);
      assertThrows(SQLException.class, () -> left.connect().close());
    } finally {
      primary.close();
    }
  }

  @Test
  void standbyUnsupported_emptyForLocal_elseStartStandbyThrowsIt() {
    PostgresServer pg = PostgresProvider.shared();
    Optional<String> why = pg.standbyUnsupported();
    if (pg.provider().equals("local")) {
      assertEquals(Optional.empty(), why, "local has /usr/lib/postgresql/N/bin/pg_basebackup");
    } else {
      assertTrue(why.isPresent());
      UnsupportedOperationException e =
          assertThrows(UnsupportedOperationException.class, () -> pg.startStandby("x"));
      assertEquals(why.get(), e.getMessage());
    }
  }

  private static Path dataDir(Standby standby) throws SQLException {
    try (Connection c = standby.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW data_directory")) {
      rs.next();
      return Path.of(rs.getString(1));
    }
  }

  private static String replicationState(PostgresServer primary, String name) throws SQLException {
    try (Connection c = primary.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT state FROM pg_stat_replication WHERE application_name = '" + name + "'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static void awaitUnreplayedBytes(PostgresServer primary, String name) throws Exception {
    String sql =
        "SELECT coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0)"
            + " FROM pg_stat_replication WHERE application_name = '"
            + name
            + "'";
    try (Connection c = primary.connect();
        Statement st = c.createStatement()) {
      await(() -> count(st, sql) > 0, name + " never fell behind on " + primary);
    }
  }

  private static void awaitRows(Statement st, long rows) throws Exception {
    await(
        () -> count(st, "SELECT count(*) FROM t WHERE true") == rows,
        "standby never showed " + rows + " rows");
  }

  private interface Check {
    boolean ok() throws SQLException;
  }

  /** Polls, not sleeps: replication takes milliseconds here but may take seconds on a slow CI. */
  private static void await(Check check, String failure) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      try {
        if (check.ok()) {
          return;
        }
      } catch (SQLException notYet) {
        // e.g. the table not replayed yet
      }
      Thread.sleep(10);
    }
    throw new AssertionError(failure);
  }

  private static long count(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static boolean bool(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }
}
