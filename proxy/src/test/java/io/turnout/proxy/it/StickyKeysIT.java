package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.ReadPolicy.Stickiness;
import io.turnout.config.state.Phase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reads at 50% hashed by the plan's {@code reads.sticky}: connections that share an
 * application_name, or a {@code turnout.sticky_key}, read one way, whichever connection they come
 * through; the key moves with {@code SET application_name} and {@code SET turnout.sticky_key}.
 */
class StickyKeysIT {
  private static final String READ = "select email from users where id = ";

  @RegisterExtension
  static final RenameOnTheWire byApplication =
      new RenameOnTheWire(new ReadPolicy(Stickiness.APPLICATION_NAME, Optional.empty()));

  @RegisterExtension
  static final RenameOnTheWire byStickyKey =
      new RenameOnTheWire(new ReadPolicy(Stickiness.STICKY_KEY, Optional.empty()));

  @Test
  void connectionsOfOneApplication_readOneWay_andTheNamesSplit() throws Exception {
    long id = byApplication.seededRowWithDrift();
    byApplication.phase(Phase.READS, 50);
    Map<String, Set<String>> pathsByApp = new HashMap<>();
    List<Connection> open = new ArrayList<>();
    try {
      for (int i = 0; i < 24; i++) {
        String app = "app-" + (i % 8);
        Properties p = new Properties();
        p.setProperty("ApplicationName", app);
        p.setProperty("preferQueryMode", i % 2 == 0 ? "simple" : "extended");
        Connection c = byApplication.turnout().connectThroughTurnout(p);
        open.add(c);
        pathsByApp.computeIfAbsent(app, k -> new HashSet<>()).add(read(c, id));
      }
      assertThat(pathsByApp.values()).allSatisfy(paths -> assertThat(paths).hasSize(1));
      assertThat(pathsByApp.values().stream().flatMap(Set::stream).distinct())
          .as("at 50%, eight names do not all hash one way")
          .containsExactlyInAnyOrder("old", "new-only");

      // One connection takes each application's name in turn: its reads follow the name.
      Connection mover = open.get(0);
      for (Map.Entry<String, Set<String>> e : pathsByApp.entrySet()) {
        try (Statement s = mover.createStatement()) {
          s.execute("SET application_name = '" + e.getKey() + "'");
        }
        assertThat(read(mover, id)).as(e.getKey()).isEqualTo(e.getValue().iterator().next());
      }
    } finally {
      for (Connection c : open) {
        c.close();
      }
    }
  }

  @Test
  void sessionsSettingOneKey_readOneWay_whicheverConnection() throws Exception {
    long id = byStickyKey.seededRowWithDrift();
    byStickyKey.phase(Phase.READS, 50);
    Map<String, String> pathByKey = new HashMap<>();
    try (Connection simple = connect("simple");
        Connection extended = connect("extended")) {
      for (int user = 0; user < 8; user++) {
        String key = "user-" + user;
        set(simple, "SET turnout.sticky_key = '" + key + "'");
        set(extended, "select set_config('turnout.sticky_key', '" + key + "', false)");
        String path = read(simple, id);
        assertThat(read(extended, id)).as(key).isEqualTo(path);
        pathByKey.put(key, path);
      }
      assertThat(pathByKey.values()).containsOnly("old", "new-only").hasSize(8);
      assertThat(new HashSet<>(pathByKey.values())).hasSize(2);

      // SET LOCAL lasts for its transaction; RESET returns to the session's own key.
      String first = pathByKey.get("user-0");
      String other =
          pathByKey.entrySet().stream()
              .filter(e -> !e.getValue().equals(first))
              .findFirst()
              .orElseThrow()
              .getKey();
      set(extended, "SET turnout.sticky_key = 'user-0'");
      extended.setAutoCommit(false);
      set(extended, "SET LOCAL turnout.sticky_key = '" + other + "'");
      assertThat(read(extended, id)).isNotEqualTo(first);
      extended.commit();
      extended.setAutoCommit(true);
      assertThat(read(extended, id)).isEqualTo(first);
    }
  }

  private static Connection connect(String mode) throws SQLException {
    Properties p = new Properties();
    p.setProperty("preferQueryMode", mode);
    return byStickyKey.turnout().connectThroughTurnout(p);
  }

  private static void set(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String read(Connection c, long id) throws SQLException {
    try (Statement s = c.createStatement()) {
      return RenameOnTheWire.one(s, READ + id);
    }
  }
}
