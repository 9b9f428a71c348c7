package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bytes no driver sends, over a raw socket: each gets what PostgreSQL gives it (an ErrorResponse
 * with its SQLSTATE, or for a startup packet with no valid length, no reply) and a closed
 * connection, and costs nobody else anything. Also the negotiation answers and the connection
 * limit.
 */
class MalformedClientIT {
  private static final int MAX_MESSAGE = 8 * 1024;

  @RegisterExtension
  static final TurnoutFixture turnout =
      TurnoutFixture.builder().maxMessageSize(MAX_MESSAGE).build();

  /** A well-behaved client connected before the bad one, checked after it. */
  private Connection bystander;

  @BeforeEach
  void connectBystander() throws SQLException {
    bystander = turnout.connectThroughTurnout();
    assertServes(bystander);
  }

  @AfterEach
  void bystanderAndNewcomersUnaffected() throws SQLException {
    try {
      assertServes(bystander);
      try (Connection newcomer = turnout.connectThroughTurnout()) {
        assertServes(newcomer);
      }
    } finally {
      bystander.close();
    }
  }

  /**
   * Bytes that are no startup packet length (here an HTTP request) get no reply from PostgreSQL,
   * only a line in its log ("invalid length of startup packet"): Turnout does the same.
   */
  @Test
  void garbageBeforeStartup_isClosedWithoutAReply_likePostgres() throws Exception {
    byte[] http = "GET / HTTP/1.1\r\nHost: turnout\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    assertClosedWithoutReply(directAddress(), http);
    assertClosedWithoutReply(turnout.address(), http);
  }

  /** A client that connects and ends at once sends Terminate where the startup packet goes. */
  @Test
  void terminateBeforeStartup_isClosedWithoutAReply_likePostgres() throws Exception {
    byte[] terminate = {'X', 0, 0, 0, 4};
    assertClosedWithoutReply(directAddress(), terminate);
    assertClosedWithoutReply(turnout.address(), terminate);
  }

  private static InetSocketAddress directAddress() {
    return new InetSocketAddress(turnout.postgres().host(), turnout.postgres().port());
  }

  private static void assertClosedWithoutReply(InetSocketAddress address, byte[] bytes)
      throws Exception {
    try (RawPgConnection raw = RawPgConnection.open(address)) {
      raw.send(bytes);
      assertThat(raw.readByte())
          .as("first byte from %s (-1: closed without a reply)", address)
          .isEqualTo(-1);
    }
  }

  @Test
  void unsupportedProtocolVersion_gets0A000AndClose() throws Exception {
    try (RawPgConnection raw = RawPgConnection.open(turnout.address())) {
      raw.sendStartupPacket(2 << 16, "user\0postgres\0\0".getBytes(StandardCharsets.US_ASCII));
      assertFatalAndClosed(raw, "0A000");
    }
  }

  @Test
  void startupWithoutUser_gets28000AndClose() throws Exception {
    try (RawPgConnection raw = RawPgConnection.open(turnout.address())) {
      raw.sendStartupMessage(Map.of("database", "postgres"));
      assertFatalAndClosed(raw, "28000");
    }
  }

  @Test
  void frameWithLengthBelowFour_gets08P01AndClose() throws Exception {
    try (RawPgConnection raw = turnout.rawThroughTurnout()) {
      raw.send(ByteBuffer.allocate(5).put((byte) 'Q').putInt(2).array());
      assertFatalAndClosed(raw, "08P01");
    }
  }

  @Test
  void frameWithUnknownTypeByte_gets08P01AndClose() throws Exception {
    try (RawPgConnection raw = turnout.rawThroughTurnout()) {
      raw.sendFrame('z', "select 1\0".getBytes(StandardCharsets.US_ASCII));
      assertFatalAndClosed(raw, "08P01");
    }
  }

  @Test
  void frameOverMaxMessageSize_gets54000AndClose() throws Exception {
    try (RawPgConnection raw = turnout.rawThroughTurnout()) {
      // Only the header and a little of the body: the proxy must refuse on the length alone.
      byte[] start = ByteBuffer.allocate(5 + 100).put((byte) 'Q').putInt(100_000).array();
      raw.send(start);
      assertFatalAndClosed(raw, "54000");
    }
  }

  @Test
  void frameOfExactlyMaxMessageSize_isRelayed() throws Exception {
    try (RawPgConnection raw = turnout.rawThroughTurnout()) {
      // A Query of exactly MAX_MESSAGE bytes on the wire: type, length, SQL text, terminator.
      int sqlLength = MAX_MESSAGE - 1 - 4 - 1;
      String literal = "x".repeat(sqlLength - "select ''".length());
      raw.sendQuery("select '" + literal + "'");
      RawPgConnection.Message row = raw.readUntil('D');
      assertThat(row.body().length).isGreaterThan(literal.length());
      assertThat(raw.readUntil('Z').type()).isEqualTo('Z');
    }
  }

  @Test
  void gssEncRequest_answeredNAndStartupProceedsOnSameConnection() throws Exception {
    try (RawPgConnection raw = RawPgConnection.open(turnout.address())) {
      raw.sendStartupPacket(RawPgConnection.GSSENC_REQUEST_CODE, new byte[0]);
      assertThat((char) raw.readByte()).isEqualTo('N');
      raw.startup(
          turnout.postgres().superuser(),
          turnout.database(),
          turnout.postgres().superuserPassword());
      raw.sendQuery("select 'after gssenc'");
      RawPgConnection.Message row = raw.readUntil('D');
      assertThat(new String(row.body(), StandardCharsets.UTF_8)).endsWith("after gssenc");
      assertThat(raw.readUntil('Z').type()).isEqualTo('Z');
    }
  }

  @Test
  void connectionLimit_thirdClientGets53300ButCancelGetsThroughAndSlotFreesOnLeave()
      throws Exception {
    try (TurnoutFixture limited = TurnoutFixture.builder().maxClients(2).build().start()) {
      String url = limited.turnoutUrl(turnout.database());
      try (Connection first = DriverManager.getConnection(url, limited.superuser())) {
        try (Connection second = DriverManager.getConnection(url, limited.superuser())) {
          assertServes(second);
          assertThatThrownBy(() -> DriverManager.getConnection(url, limited.superuser()).close())
              .isInstanceOf(SQLException.class)
              .extracting(e -> ((SQLException) e).getSQLState())
              .isEqualTo("53300");
          assertServes(first);
          assertCancelGetsThrough(first);
        }
        awaitSessions(limited, 1);
        try (Connection third = DriverManager.getConnection(url, limited.superuser())) {
          assertServes(third);
        }
      }
    }
  }

  /** A CancelRequest is not a session: it must get through while the limit is reached. */
  private static void assertCancelGetsThrough(Connection c) throws Exception {
    try (Connection direct = turnout.connectDirect();
        Statement st = c.createStatement()) {
      try (SleepingQuery sleeping = SleepingQuery.start(st, 30, direct, Backends.pid(c))) {
        sleeping.cancel();
        SQLException error = sleeping.outcome().error();
        assertThat((Throwable) error)
            .as("pg_sleep cancelled while the connection limit is reached")
            .isNotNull();
        assertThat(error.getSQLState()).isEqualTo("57014");
      }
    }
  }

  private static void awaitSessions(TurnoutFixture fixture, int count) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (fixture.proxy().sessions().size() > count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(fixture.proxy().sessions().size())
        .as("sessions after a client left")
        .isEqualTo(count);
  }

  private static void assertFatalAndClosed(RawPgConnection raw, String sqlState) throws Exception {
    RawPgConnection.Message m = raw.read();
    assertThat(m.type()).as("answer: %s", m).isEqualTo('E');
    assertThat(m.fields()).containsEntry('S', "FATAL").containsEntry('C', sqlState);
    assertThat(raw.closedByServer()).as("connection closed after the error").isTrue();
  }

  private static void assertServes(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select 40 + 2")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(42);
    }
  }
}
