package io.turnout.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * postgresql.conf settings and pg_hba.conf rules for servers we start. Pure: rendering only, so it
 * is unit-tested without a server.
 */
final class ClusterConfig {

  /** The loopback networks our clusters listen on. */
  static final List<String> LOOPBACK = List.of("127.0.0.1/32", "::1/128");

  private ClusterConfig() {}

  /**
   * Settings for a test cluster: durability off (a test cluster is thrown away), room for many
   * connections and replication, then {@code options.settings()} on top.
   *
   * @param socketDir unix socket directory, or null to leave the default
   */
  static Map<String, String> settings(PostgresOptions options, String socketDir) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("listen_addresses", "127.0.0.1");
    if (socketDir != null) {
      s.put("unix_socket_directories", socketDir);
    }
    s.put("fsync", "off");
    s.put("synchronous_commit", "off");
    s.put("full_page_writes", "off");
    s.put("max_connections", "300");
    s.put("wal_level", options.logicalReplication() ? "logical" : "replica");
    s.put("max_wal_senders", "16");
    s.put("max_replication_slots", "16");
    s.put("timezone", "UTC");
    s.putAll(options.settings());
    return s;
  }

  /** Lines to append to postgresql.conf; later lines win, so these override initdb's. */
  static String renderConf(Map<String, String> settings) {
    StringBuilder sb = new StringBuilder("\n# Turnout testkit\n");
    settings.forEach(
        (k, v) -> {
          if (!k.matches("[A-Za-z0-9_.]+")) {
            throw new IllegalArgumentException("not a PostgreSQL setting name: '" + k + "'");
          }
          sb.append(k)
              .append(" = '")
              .append(v.replace("\\", "\\\\").replace("'", "''"))
              .append("'\n");
        });
    return sb.toString();
  }

  /**
   * pg_hba.conf: the first matching line wins, so each auth fixture gets exact-name lines for every
   * way in (socket and each network) before the catch-all trust lines.
   *
   * @param networks the CIDRs clients come from (loopback; a container adds its bridge)
   * @see <a href="https://www.postgresql.org/docs/current/auth-pg-hba-conf.html">The pg_hba.conf
   *     File</a>
   */
  static List<String> renderHba(List<AuthUser> users, List<String> networks) {
    List<String> lines = new ArrayList<>();
    lines.add("# Turnout testkit: auth fixtures by exact role name, trust for everyone else.");
    for (AuthUser u : users) {
      if (!u.name().matches("[a-z_][a-z0-9_]*")) {
        throw new IllegalArgumentException(
            "auth fixture role must be a plain lower-case name: " + u.name());
      }
      lines.add(String.join(" ", "local", "all", u.name(), u.method()));
      for (String net : networks) {
        lines.add(String.join(" ", "host", "all", u.name(), net, u.method()));
      }
    }
    lines.add("local all all trust");
    lines.add("local replication all trust");
    for (String net : networks) {
      lines.add("host all all " + net + " trust");
      lines.add("host replication all " + net + " trust");
    }
    return lines;
  }
}
