package io.turnout.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {

  @Test
  void settings_defaults_durabilityOffReplicationRoom() {
    Map<String, String> s = ClusterConfig.settings(PostgresOptions.named("x"), "/tmp/d");
    assertEquals("127.0.0.1", s.get("listen_addresses"));
    assertEquals("/tmp/d", s.get("unix_socket_directories"));
    assertEquals("off", s.get("fsync"));
    assertEquals("off", s.get("synchronous_commit"));
    assertEquals("off", s.get("full_page_writes"));
    assertEquals("300", s.get("max_connections"));
    assertEquals("replica", s.get("wal_level"));
    assertTrue(Integer.parseInt(s.get("max_wal_senders")) >= 10);
    assertTrue(Integer.parseInt(s.get("max_replication_slots")) >= 10);
  }

  @Test
  void settings_logical_setsWalLevelLogical() {
    assertEquals(
        "logical",
        ClusterConfig.settings(PostgresOptions.named("g").withLogicalReplication(true), null)
            .get("wal_level"));
    assertEquals("logical", ClusterConfig.settings(PostgresOptions.DEFAULT, null).get("wal_level"));
  }

  @Test
  void settings_userSettingsWin() {
    Map<String, String> s =
        ClusterConfig.settings(
            PostgresOptions.named("x")
                .withSetting("max_connections", "50")
                .withSetting("work_mem", "8MB"),
            null);
    assertEquals("50", s.get("max_connections"));
    assertEquals("8MB", s.get("work_mem"));
    assertTrue(!s.containsKey("unix_socket_directories"));
  }

  @Test
  void renderConf_quotesValues() {
    assertEquals(
        "\n# Turnout testkit\nfsync = 'off'\napplication_name = 'it''s'\n",
        ClusterConfig.renderConf(linked("fsync", "off", "application_name", "it's")));
  }

  @Test
  void renderConf_rejectsOddNames() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ClusterConfig.renderConf(Map.of("fsync = on\nx", "1")));
  }

  @Test
  void renderHba_fixturesByExactNameBeforeTrust() {
    List<String> lines = ClusterConfig.renderHba(AuthUser.FIXTURES, ClusterConfig.LOOPBACK);
    assertEquals(
        List.of(
            "# Turnout testkit: auth fixtures by exact role name, trust for everyone else.",
            "local all turnout_md5 md5",
            "host all turnout_md5 127.0.0.1/32 md5",
            "host all turnout_md5 ::1/128 md5",
            "local all turnout_scram scram-sha-256",
            "host all turnout_scram 127.0.0.1/32 scram-sha-256",
            "host all turnout_scram ::1/128 scram-sha-256",
            "local all turnout_cleartext password",
            "host all turnout_cleartext 127.0.0.1/32 password",
            "host all turnout_cleartext ::1/128 password",
            "local all all trust",
            "local replication all trust",
            "host all all 127.0.0.1/32 trust",
            "host replication all 127.0.0.1/32 trust",
            "host all all ::1/128 trust",
            "host replication all ::1/128 trust"),
        lines);
  }

  @Test
  void authUser_toStringHidesPassword() {
    assertEquals("turnout_scram(scram-sha-256)", AuthUser.SCRAM.toString());
  }

  private static Map<String, String> linked(String... kv) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
