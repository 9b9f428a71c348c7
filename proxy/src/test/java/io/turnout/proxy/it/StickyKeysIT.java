package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.turnout.admin.flags.StickyBucket;
import io.turnout.config.plan.ReadPolicy;
import io.turnout.config.plan.ReadPolicy.Stickiness;
import io.turnout.config.state.Phase;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
 * through; the key moves with {@code SET application_name} and {@code SET turnout.sticky_key}. By a
 * key column, each read of one key takes one path, whatever session, protocol or parameter format
 * carries the key.
 */
class StickyKeysIT {
  private static final String READ = "select email from users where id = ";

  @RegisterExtension
  static final RenameOnTheWire byApplication =
      new RenameOnTheWire(new ReadPolicy(Stickiness.APPLICATION_NAME, Optional.empty()));

  @RegisterExtension
  static final RenameOnTheWire byStickyKey =
      new RenameOnTheWire(new ReadPolicy(Stickiness.STICKY_KEY, Optional.empty()));

  @RegisterExtension
  static final RenameOnTheWire byKeyColumn =
      new RenameOnTheWire(new ReadPolicy(Stickiness.KEY_COLUMN, Optional.of("id")));

  private static final String READ_BY_KEY = "select email from users where id = ";
  private static final String READ_BY_PARAMETER = "select email from users where id = ?";

  @Test
  void readsOfOneKey_takeOnePath_whateverSessionProtocolOrFormatCarriesIt() throws Exception {
    Map<Long, String> expected = keyedRows(16);
    try (Connection simple = keyed("preferQueryMode", "simple");
        Connection unnamed = keyed("prepareThreshold", "0");
        Connection named = keyed("prepareThreshold", "1");
        Connection asText = keyed("stringtype", "unspecified")) {
      for (Map.Entry<Long, String> row : expected.entrySet()) {
        long id = row.getKey();
        String path = row.getValue();
        try (Statement s = simple.createStatement()) {
          assertThat(RenameOnTheWire.one(s, READ_BY_KEY + id)).as("simple %d", id).isEqualTo(path);
        }
        for (Connection c : List.of(unnamed, named, named)) {
          try (PreparedStatement ps = c.prepareStatement(READ_BY_PARAMETER)) {
            ps.setLong(1, id);
            assertThat(first(ps)).as("bound %d", id).isEqualTo(path);
          }
        }
        try (PreparedStatement ps = asText.prepareStatement(READ_BY_PARAMETER)) {
          ps.setString(1, Long.toString(id)); // sent as text, type left to the server
          assertThat(first(ps)).as("bound as text %d", id).isEqualTo(path);
        }
      }
    }
  }

  @Test
  void byKeyColumn_aTransactionKeepsThePathOfItsFirstRead() throws Exception {
    Map<Long, String> expected = keyedRows(16);
    long oldKey = keyOn(expected, "old");
    long newKey = keyOn(expected, "new-only");
    try (Connection c = keyed("prepareThreshold", "1")) {
      c.setAutoCommit(false);
      assertThat(readByKey(c, newKey)).isEqualTo("new-only");
      assertThat(readByKey(c, oldKey)).as("a transaction never mixes paths").isEqualTo("new-only");
      c.commit();
      assertThat(readByKey(c, oldKey)).isEqualTo("old");
    }
  }

  @Test
  void byKeyColumn_aBinaryKey_andAnUnnamedStatementDescribedBeforeItsBind() throws Exception {
    Map<Long, String> expected = keyedRows(16);
    long oldKey = keyOn(expected, "old");
    long newKey = keyOn(expected, "new-only");
    String read = "select email from users where id = $1";
    try (RawPgConnection raw = byKeyColumn.turnout().rawThroughTurnout()) {
      raw.send(Frames.concat(Frames.parse("", read), bindInt8(newKey), execute(), Frames.sync()));
      assertThat(Frames.untilReady(raw, 1))
          .containsExactly("1", "2", "D:new-only", "C:SELECT 1", "Z");
      // Parsed and described first: the old variant is parsed then, the new one at the Bind.
      raw.send(Frames.concat(Frames.parse("", read), Frames.describe('S', ""), Frames.sync()));
      assertThat(Frames.untilReady(raw, 1)).containsExactly("1", "t", "T:email", "Z");
      for (long key : List.of(newKey, oldKey, newKey)) {
        raw.send(Frames.concat(bindInt8(key), execute(), Frames.sync()));
        assertThat(Frames.untilReady(raw, 1))
            .containsExactly("2", "D:" + expected.get(key), "C:SELECT 1", "Z");
      }
    }
  }

  /** {@code count} rows whose old and new columns differ, at 50%: each id and the path it reads. */
  private static Map<Long, String> keyedRows(int count) throws SQLException {
    Map<Long, String> expected = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      long id = byKeyColumn.seededRowWithDrift();
      boolean readsNew = StickyBucket.of(RenameOnTheWire.ID, Long.toString(id)) <= 50;
      expected.put(id, readsNew ? "new-only" : "old");
    }
    byKeyColumn.phase(Phase.READS, 50);
    assertThat(new HashSet<>(expected.values())).as("%d keys at 50%%", count).hasSize(2);
    return expected;
  }

  private static long keyOn(Map<Long, String> expected, String path) {
    return expected.entrySet().stream()
        .filter(e -> e.getValue().equals(path))
        .findFirst()
        .orElseThrow()
        .getKey();
  }

  private static Connection keyed(String property, String value) throws SQLException {
    Properties p = new Properties();
    p.setProperty(property, value);
    return byKeyColumn.turnout().connectThroughTurnout(p);
  }

  private static String readByKey(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(READ_BY_PARAMETER)) {
      ps.setLong(1, id);
      return first(ps);
    }
  }

  private static String first(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  /** A Bind of the unnamed statement with {@code key} in binary format (int8), text results. */
  private static byte[] bindInt8(long key) {
    ByteBuffer b = ByteBuffer.allocate(2 + 2 + 2 + 2 + 4 + 8 + 2);
    b.put(new byte[] {0, 0}); // portal "", statement ""
    b.putShort((short) 1).putShort((short) 1); // one format code: binary
    b.putShort((short) 1).putInt(8).putLong(key);
    b.putShort((short) 0); // results in text
    return Frames.frame('B', b.array());
  }

  private static byte[] execute() {
    return Frames.execute("");
  }

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
