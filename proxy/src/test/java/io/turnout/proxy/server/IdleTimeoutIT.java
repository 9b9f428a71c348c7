package io.turnout.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.turnout.proxy.session.SessionSettings;
import io.turnout.testkit.PostgresServer;
import io.turnout.testkit.junit.PostgresExtension;
import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * idle_timeout closes clients that sit idle, never a client whose query is still running; the
 * authentication timeout closes connections that never finish startup.
 */
@ExtendWith(PostgresExtension.class)
class IdleTimeoutIT {
  private static final Duration IDLE = Duration.ofMillis(800);
  private static final Duration AUTHENTICATION = Duration.ofMillis(1500);

  private ProxyServer proxy;
  private PostgresServer pg;

  @BeforeEach
  void start(PostgresServer pg) throws InterruptedException {
    this.pg = pg;
    SessionSettings session =
        new SessionSettings(
            new InetSocketAddress(pg.host(), pg.port()),
            1 << 20,
            Duration.ofSeconds(5),
            AUTHENTICATION,
            IDLE,
            Optional.empty());
    proxy =
        new ProxyServer(
                new ProxySettings(
                    new InetSocketAddress("127.0.0.1", 0), session, 10, Duration.ofSeconds(2), 1))
            .start();
  }

  @AfterEach
  void stop() {
    proxy.close();
  }

  private Connection connect() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", pg.superuser());
    if (pg.superuserPassword() != null) {
      props.setProperty("password", pg.superuserPassword());
    }
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + proxy.address().getPort() + "/" + pg.database(), props);
  }

  @Test
  void idleSession_isClosedWithIdleSessionTimeout() throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.execute("select 1");
      Thread.sleep(IDLE.multipliedBy(3).toMillis());
      assertThatThrownBy(() -> s.execute("select 1"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57P05"));
    }
  }

  @Test
  void idleInTransaction_isClosedWithIdleInTransactionTimeout() throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("select 1");
      Thread.sleep(IDLE.multipliedBy(3).toMillis());
      assertThatThrownBy(() -> s.execute("select 1"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25P03"));
    }
  }

  @Test
  void queryRunningLongerThanIdleTimeout_isNotInterrupted() throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      double seconds = IDLE.multipliedBy(3).toMillis() / 1000.0;
      try (ResultSet rs = s.executeQuery("select pg_sleep(" + seconds + "), 7")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(2)).isEqualTo(7);
      }
      try (ResultSet rs = s.executeQuery("select 8")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(8);
      }
    }
  }

  @Test
  void clientThatNeverSendsStartup_isClosedAfterAuthenticationTimeout() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", proxy.address().getPort())) {
      socket.setSoTimeout((int) AUTHENTICATION.multipliedBy(4).toMillis());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      assertThat(in.readByte()).isEqualTo((byte) 'E');
      byte[] body = new byte[in.readInt() - 4];
      in.readFully(body);
      assertThat(new String(body, StandardCharsets.UTF_8))
          .contains("C08006")
          .contains("authentication timeout");
      assertThat(in.read()).isEqualTo(-1);
    }
  }
}
