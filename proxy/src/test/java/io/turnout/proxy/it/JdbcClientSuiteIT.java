package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.math.BigDecimal;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One pgJDBC + HikariCP client suite, run directly against PostgreSQL and through Turnout, in every
 * query mode pgJDBC has (vertx-sql-client's shared-suite idea): whatever holds directly must hold
 * through the proxy.
 */
@ParameterizedClass(name = "{0}, {1}")
@MethodSource("routesAndModes")
class JdbcClientSuiteIT {
  @RegisterExtension static final TurnoutFixture turnout = TurnoutFixture.defaults();

  /** Where the client connects. */
  enum Route {
    DIRECT,
    TURNOUT
  }

  /** pgJDBC's ways of talking to the server. */
  enum QueryMode {
    /** The default: extended protocol, named server-side statements from the 5th execution. */
    EXTENDED(Map.of()),
    /** Simple Query messages only, parameters interpolated by the driver. */
    SIMPLE(Map.of("preferQueryMode", "simple")),
    /** Extended protocol for PreparedStatements only, simple for plain Statements. */
    EXTENDED_FOR_PREPARED(Map.of("preferQueryMode", "extendedForPrepared")),
    /** Extended protocol, named server-side statements from the first execution. */
    SERVER_PREPARED(Map.of("prepareThreshold", "1"));

    final Map<String, String> properties;

    QueryMode(Map<String, String> properties) {
      this.properties = properties;
    }

    /** Whether a PreparedStatement executed often enough becomes a named server-side statement. */
    boolean preparesOnServer() {
      return this != SIMPLE;
    }
  }

  static Stream<Arguments> routesAndModes() {
    List<Arguments> all = new ArrayList<>();
    for (Route r : Route.values()) {
      for (QueryMode m : QueryMode.values()) {
        all.add(Arguments.of(r, m));
      }
    }
    return all.stream();
  }

  private static final AtomicInteger TABLES = new AtomicInteger();
  private static HikariDataSource pool;

  @Parameter(0)
  Route route;

  @Parameter(1)
  QueryMode mode;

  @BeforeParameterizedClassInvocation
  static void openPool(Route route, QueryMode mode) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("it-" + route + "-" + mode);
    config.setJdbcUrl(url(route));
    config.setDataSourceProperties(driverProperties(mode, Map.of()));
    config.setMaximumPoolSize(4);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(10_000);
    pool = new HikariDataSource(config);
  }

  @AfterParameterizedClassInvocation
  static void closePool() {
    pool.close();
  }

  private static String url(Route route) {
    return route == Route.TURNOUT
        ? turnout.turnoutUrl(turnout.database())
        : turnout.directUrl(turnout.database());
  }

  private static Properties driverProperties(QueryMode mode, Map<String, String> extra) {
    Properties p = turnout.superuser();
    mode.properties.forEach(p::setProperty);
    extra.forEach(p::setProperty);
    return p;
  }

  /** A connection outside the pool, with extra driver properties. */
  private Connection connect(Map<String, String> extra) throws SQLException {
    return DriverManager.getConnection(url(route), driverProperties(mode, extra));
  }

  /** A fresh table name: the suite's runs share one database. */
  private String table(String base) {
    return base
        + "_"
        + route.name().toLowerCase()
        + "_"
        + mode.name().toLowerCase()
        + "_"
        + TABLES.incrementAndGet();
  }

  @Test
  void statement_returnsRowsAndUpdateCounts() throws SQLException {
    String t = table("items");
    try (Connection c = pool.getConnection();
        Statement st = c.createStatement()) {
      st.execute("create table " + t + " (id int primary key, name text not null)");
      assertThat(
              st.executeUpdate("insert into " + t + " values (1, 'one'), (2, 'two'), (3, 'three')"))
          .isEqualTo(3);
      assertThat(st.executeUpdate("update " + t + " set name = upper(name) where id >= 2"))
          .isEqualTo(2);
      List<String> rows = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("select id, name from " + t + " order by id")) {
        assertThat(rs.getMetaData().getColumnLabel(2)).isEqualTo("name");
        while (rs.next()) {
          rows.add(rs.getInt(1) + ":" + rs.getString(2));
        }
      }
      assertThat(rows).containsExactly("1:one", "2:TWO", "3:THREE");
      assertThat(st.executeUpdate("delete from " + t)).isEqualTo(3);
    }
  }

  @Test
  void preparedStatement_bindsAndReturnsTypedValues() throws SQLException {
    UUID uuid = UUID.randomUUID();
    OffsetDateTime ts = OffsetDateTime.of(2024, 2, 29, 23, 59, 58, 123_456_000, ZoneOffset.UTC);
    byte[] bytes = {0, 1, 2, (byte) 0xFF, '\\', '\''};
    String text = "it's \"quoted\", ünïcødé ✓ and a \\ backslash";
    try (Connection c = pool.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select ?::int4, ?::text, ?::numeric, ?::timestamptz, ?::bytea, ?::uuid, ?::jsonb ->> 'k',"
                    + " ?::int4[], ?::text is null")) {
      ps.setInt(1, -42);
      ps.setString(2, text);
      ps.setBigDecimal(3, new BigDecimal("12345678901234567890.0123456789"));
      ps.setObject(4, ts);
      ps.setBytes(5, bytes);
      ps.setObject(6, uuid);
      ps.setString(7, "{\"k\": \"v\"}");
      ps.setArray(8, c.createArrayOf("int4", new Integer[] {3, 1, 2}));
      ps.setNull(9, java.sql.Types.VARCHAR);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(-42);
        assertThat(rs.getString(2)).isEqualTo(text);
        assertThat(rs.getBigDecimal(3))
            .isEqualTo(new BigDecimal("12345678901234567890.0123456789"));
        assertThat(rs.getObject(4, OffsetDateTime.class).toInstant()).isEqualTo(ts.toInstant());
        assertThat(rs.getBytes(5)).isEqualTo(bytes);
        assertThat(rs.getObject(6)).isEqualTo(uuid);
        assertThat(rs.getString(7)).isEqualTo("v");
        assertThat((Integer[]) rs.getArray(8).getArray()).containsExactly(3, 1, 2);
        assertThat(rs.getBoolean(9)).isTrue();
        assertThat(rs.next()).isFalse();
      }
    }
  }

  @Test
  void executeBatch_runsEveryStatementOnce() throws SQLException {
    String t = table("batch");
    try (Connection c = pool.getConnection()) {
      try (Statement st = c.createStatement()) {
        st.execute("create table " + t + " (id int primary key, v text)");
      }
      try (PreparedStatement ps = c.prepareStatement("insert into " + t + " values (?, ?)")) {
        for (int i = 1; i <= 200; i++) {
          ps.setInt(1, i);
          ps.setString(2, "v" + i);
          ps.addBatch();
        }
        int[] counts = ps.executeBatch();
        assertThat(counts).hasSize(200).containsOnly(1);
      }
      assertCountAndSum(c, t, 200, 200L * 201 / 2);
    }
  }

  @Test
  void executeBatch_withRewrittenInserts_insertsEveryRow() throws SQLException {
    String t = table("rewritten");
    try (Connection c = connect(Map.of("reWriteBatchedInserts", "true"))) {
      try (Statement st = c.createStatement()) {
        st.execute("create table " + t + " (id int primary key, v text)");
      }
      try (PreparedStatement ps =
          c.prepareStatement("insert into " + t + " (id, v) values (?, ?)")) {
        for (int i = 1; i <= 1000; i++) {
          ps.setInt(1, i);
          ps.setString(2, "v" + i);
          ps.addBatch();
        }
        int[] counts = ps.executeBatch();
        // Rewritten multi-row inserts report SUCCESS_NO_INFO per statement.
        assertThat(counts).hasSize(1000).containsOnly(Statement.SUCCESS_NO_INFO);
      }
      assertCountAndSum(c, t, 1000, 1000L * 1001 / 2);
    }
  }

  @Test
  void executeBatch_withFailingEntry_reportsItAndSessionRecoversAfterRollback()
      throws SQLException {
    String t = table("batch_fail");
    try (Connection c = pool.getConnection()) {
      try (Statement st = c.createStatement()) {
        st.execute("create table " + t + " (id int primary key)");
      }
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("insert into " + t + " values (?)")) {
        for (int id : new int[] {1, 2, 3, 2, 5}) {
          ps.setInt(1, id);
          ps.addBatch();
        }
        assertThatThrownBy(ps::executeBatch)
            .isInstanceOf(BatchUpdateException.class)
            .extracting(e -> ((SQLException) e).getSQLState())
            .isEqualTo("23505");
        c.rollback();
        for (int id = 10; id < 15; id++) {
          ps.setInt(1, id);
          ps.addBatch();
        }
        assertThat(ps.executeBatch()).containsOnly(1);
        c.commit();
      } finally {
        c.setAutoCommit(true);
      }
      assertCountAndSum(c, t, 5, 10 + 11 + 12 + 13 + 14);
    }
  }

  @Test
  void preparedStatement_metadataBeforeExecution_describesColumns() throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select ?::int4 as answer, now() as at, 'x'::text as label")) {
      if (mode
          == QueryMode.SIMPLE) { // no Describe message in simple mode: the driver refuses up front
        assertThatThrownBy(ps::getMetaData)
            .hasMessageContaining("Simple mode does not support describe");
        return;
      }
      ResultSetMetaData md = ps.getMetaData(); // Parse + Describe + Sync, nothing executed
      assertThat(md.getColumnCount()).isEqualTo(3);
      assertThat(md.getColumnLabel(1)).isEqualTo("answer");
      assertThat(md.getColumnTypeName(1)).isEqualTo("int4");
      assertThat(md.getColumnTypeName(2)).isEqualTo("timestamptz");
      assertThat(md.getColumnTypeName(3)).isEqualTo("text");
    }
  }

  @Test
  void setApplicationName_isReportedBackThroughParameterStatus() throws SQLException {
    String name = "suite-" + route + "-" + mode;
    try (Connection c = connect(Map.of())) {
      try (Statement st = c.createStatement()) {
        st.execute("set application_name = '" + name + "'");
      }
      // pgJDBC learns the new value only from the ParameterStatus message the server sends.
      assertThat(c.getClientInfo("ApplicationName")).isEqualTo(name);
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("show application_name")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo(name);
      }
    }
  }

  @Test
  void preparedStatement_executedRepeatedly_becomesNamedServerStatementUnlessSimple()
      throws SQLException {
    String marker = "marker_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("select ?::int + 1 as " + marker)) {
      for (int i = 0; i < 6; i++) { // past pgJDBC's default prepareThreshold of 5
        ps.setInt(1, i);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(i + 1);
        }
      }
      int named;
      try (Statement st = c.createStatement();
          // Concatenated so that this query's own text never matches.
          ResultSet rs =
              st.executeQuery(
                  "select count(*) from pg_prepared_statements"
                      + " where statement like '%' || '"
                      + marker.substring(0, 10)
                      + "' || '"
                      + marker.substring(10)
                      + "%' and not from_sql")) {
        rs.next();
        named = rs.getInt(1);
      }
      assertThat(named)
          .as("named statements for the marker query in %s mode", mode)
          .isEqualTo(mode.preparesOnServer() ? 1 : 0);
    }
  }

  @Test
  void transaction_rollbackDiscardsAndCommitPublishes() throws SQLException {
    String t = table("tx");
    try (Connection c = pool.getConnection();
        Connection other = pool.getConnection()) {
      try (Statement st = c.createStatement()) {
        st.execute("create table " + t + " (id int primary key)");
      }
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.executeUpdate("insert into " + t + " values (1)");
        assertThat(count(other, t)).as("uncommitted row seen by another session").isZero();
        c.rollback();
        st.executeUpdate("insert into " + t + " values (2)");
        c.commit();
      } finally {
        c.setAutoCommit(true);
      }
      try (Statement st = other.createStatement();
          ResultSet rs = st.executeQuery("select id from " + t)) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(2);
        assertThat(rs.next()).isFalse();
      }
    }
  }

  @Test
  void errorMidTransaction_rollbackLeavesSessionUsable() throws SQLException {
    String t = table("failing");
    try (Connection c = pool.getConnection()) {
      try (Statement st = c.createStatement()) {
        st.execute("create table " + t + " (id int primary key)");
      }
      c.setAutoCommit(false);
      try (Statement st = c.createStatement();
          PreparedStatement insert = c.prepareStatement("insert into " + t + " values (?)")) {
        insert.setInt(1, 1);
        insert.executeUpdate();
        assertThatThrownBy(() -> st.executeQuery("select * from no_such_table_" + t))
            .isInstanceOf(SQLException.class)
            .extracting(e -> ((SQLException) e).getSQLState())
            .isEqualTo("42P01");
        assertThatThrownBy(() -> st.executeQuery("select 1"))
            .as("statements in a failed transaction")
            .extracting(e -> ((SQLException) e).getSQLState())
            .isEqualTo("25P02");
        c.rollback();
        insert.setInt(1, 2);
        assertThat(insert.executeUpdate()).isEqualTo(1);
        c.commit();
      } finally {
        c.setAutoCommit(true);
      }
      assertCountAndSum(c, t, 1, 2);
    }
  }

  @Test
  void multiStatementString_returnsEveryResultInOrder() throws SQLException {
    String t = table("multi");
    try (Connection c = pool.getConnection();
        Statement st = c.createStatement()) {
      boolean isResultSet =
          st.execute(
              "create table "
                  + t
                  + " (id int); insert into "
                  + t
                  + " values (1), (2); select count(*) from "
                  + t
                  + "; select 'a' as x union all select 'b'");
      assertThat(isResultSet).isFalse();
      assertThat(st.getUpdateCount()).isZero(); // CREATE TABLE
      assertThat(st.getMoreResults()).isFalse();
      assertThat(st.getUpdateCount()).isEqualTo(2); // INSERT 0 2
      assertThat(st.getMoreResults()).isTrue();
      try (ResultSet rs = st.getResultSet()) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(2);
      }
      assertThat(st.getMoreResults()).isTrue();
      List<String> xs = new ArrayList<>();
      try (ResultSet rs = st.getResultSet()) {
        while (rs.next()) {
          xs.add(rs.getString("x"));
        }
      }
      assertThat(xs).containsExactly("a", "b");
      assertThat(st.getMoreResults()).isFalse();
      assertThat(st.getUpdateCount()).isEqualTo(-1);
    }
  }

  @Test
  void raiseNotice_reachesClientAsWarning() throws SQLException {
    try (Connection c = pool.getConnection();
        Statement st = c.createStatement()) {
      st.execute("do $$ begin raise notice 'turnout says %', 42; end $$");
      SQLWarning warning = st.getWarnings();
      assertThat((Throwable) warning).isNotNull();
      assertThat(warning.getMessage()).contains("turnout says 42");
      assertThat(warning.getSQLState()).isEqualTo("00000");
    }
  }

  @Test
  void fetchSizeInTransaction_streamsWholeResult() throws SQLException {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.setFetchSize(100);
        long sum = 0;
        int rows = 0;
        try (ResultSet rs = st.executeQuery("select i from generate_series(1, 20000) i")) {
          while (rs.next()) {
            sum += rs.getInt(1);
            rows++;
          }
        }
        assertThat(rows).isEqualTo(20000);
        assertThat(sum).isEqualTo(20000L * 20001 / 2);
        c.commit();
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  @Test
  void largeParameterAndResult_roundTripIntact() throws SQLException {
    byte[] blob = new byte[4 << 20];
    new Random(7).nextBytes(blob);
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("select ?::bytea as b, length(?::bytea) as n")) {
      ps.setBytes(1, blob);
      ps.setBytes(2, blob);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getBytes("b")).isEqualTo(blob);
        assertThat(rs.getInt("n")).isEqualTo(blob.length);
      }
    }
  }

  @Test
  void concurrentClients_eachGetTheirOwnAnswers() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int base = t * 1000;
        results.add(
            threads.submit(
                () -> {
                  int correct = 0;
                  for (int i = 0; i < 50; i++) {
                    try (Connection c = pool.getConnection();
                        PreparedStatement ps =
                            c.prepareStatement("select ?::int * 2, pg_backend_pid()")) {
                      ps.setInt(1, base + i);
                      try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getInt(1) == (base + i) * 2) {
                          correct++;
                        }
                      }
                    }
                  }
                  return correct;
                }));
      }
      for (Future<Integer> f : results) {
        assertThat(f.get()).isEqualTo(50);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private static long count(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void assertCountAndSum(Connection c, String table, long count, long sum)
      throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select count(*), coalesce(sum(id), 0) from " + table)) {
      rs.next();
      assertThat(rs.getLong(1)).as("rows in %s", table).isEqualTo(count);
      assertThat(rs.getLong(2)).as("sum of ids in %s", table).isEqualTo(sum);
    }
  }
}
