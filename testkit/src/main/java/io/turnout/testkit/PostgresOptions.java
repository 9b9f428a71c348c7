package io.turnout.testkit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a server is for: a {@code name} (one server per name and JVM through {@link
 * PostgresProvider#named(PostgresOptions)}), whether it must serve logical replication ({@code
 * wal_level=logical}) and extra postgresql.conf {@code settings}, which win over ours. Settings
 * apply to servers we start; an external server ({@code TURNOUT_TEST_PG_URL}) ignores them.
 */
public record PostgresOptions(
    String name, boolean logicalReplication, Map<String, String> settings) {

  /**
   * The shared server: logical replication on, because on a test cluster it costs next to nothing
   * and spares a second server for tests that only need a slot or a publication.
   */
  public static final PostgresOptions DEFAULT = new PostgresOptions("shared", true, Map.of());

  public PostgresOptions {
    Objects.requireNonNull(name, "name");
    if (!name.matches("[A-Za-z0-9_-]{1,40}")) {
      throw new IllegalArgumentException(
          "server name must be 1-40 of [A-Za-z0-9_-], was '" + name + "'");
    }
    settings =
        Collections.unmodifiableMap(
            new LinkedHashMap<>(Objects.requireNonNull(settings, "settings")));
  }

  public static PostgresOptions named(String name) {
    return new PostgresOptions(name, false, Map.of());
  }

  public PostgresOptions withLogicalReplication(boolean logical) {
    return new PostgresOptions(name, logical, settings);
  }

  public PostgresOptions withSetting(String key, String value) {
    Map<String, String> s = new LinkedHashMap<>(settings);
    s.put(key, value);
    return new PostgresOptions(name, logicalReplication, s);
  }
}
