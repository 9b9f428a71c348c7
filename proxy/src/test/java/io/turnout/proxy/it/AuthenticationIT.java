package io.turnout.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.turnout.testkit.AuthUser;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Password authentication relayed through Turnout untouched: md5, SCRAM-SHA-256 and cleartext,
 * right and wrong passwords. The fixture roles exist only on servers the testkit manages.
 */
class AuthenticationIT {
  @RegisterExtension static final TurnoutFixture turnout = TurnoutFixture.defaults();

  /** The Authentication request code PostgreSQL sends first for each pg_hba method. */
  private static final Map<String, Integer> FIRST_REQUEST =
      Map.of("md5", 5, "scram-sha-256", 10, "password", 3);

  static Stream<AuthUser> users() {
    return AuthUser.FIXTURES.stream();
  }

  @BeforeEach
  void requireManagedServer() {
    assumeTrue(
        turnout.postgres().managed(),
        "auth fixture roles exist only on a server the testkit manages, not on "
            + turnout.postgres().provider());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("users")
  void rightPassword_throughTurnout_logsIn(AuthUser fixture) throws SQLException {
    AuthUser user = turnout.postgres().authUser(fixture.method());
    try (Connection c = connect(user.name(), user.password());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select current_user, 6 * 7")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(user.name());
      assertThat(rs.getInt(2)).isEqualTo(42);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("users")
  void wrongPassword_throughTurnout_fails28P01AndOthersCarryOn(AuthUser fixture)
      throws SQLException {
    AuthUser user = turnout.postgres().authUser(fixture.method());
    try (Connection bystander = turnout.connectThroughTurnout()) {
      assertThatThrownBy(() -> connect(user.name(), user.password() + "-wrong").close())
          .isInstanceOf(SQLException.class)
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("28P01");
      assertSelectOne(bystander);
      try (Connection again = connect(user.name(), user.password())) {
        assertSelectOne(again);
      }
    }
    try (Connection fresh = turnout.connectThroughTurnout()) {
      assertSelectOne(fresh);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("users")
  void authenticationRequest_throughTurnout_isWhatPostgresAsks(AuthUser fixture) throws Exception {
    AuthUser user = turnout.postgres().authUser(fixture.method());
    RawPgConnection.Message viaTurnout = firstAuthRequest(turnout.address(), user);
    RawPgConnection.Message direct =
        firstAuthRequest(
            new InetSocketAddress(turnout.postgres().host(), turnout.postgres().port()), user);
    assertThat(direct.authCode())
        .as("PostgreSQL's own request for %s", user)
        .isEqualTo(FIRST_REQUEST.get(user.method()));
    assertThat(viaTurnout.authCode())
        .as("request relayed by Turnout for %s", user)
        .isEqualTo(direct.authCode());
    if (direct.authCode() == 10) {
      assertThat(new String(viaTurnout.body(), StandardCharsets.UTF_8)).contains("SCRAM-SHA-256");
    }
  }

  private static RawPgConnection.Message firstAuthRequest(InetSocketAddress address, AuthUser user)
      throws Exception {
    try (RawPgConnection raw = RawPgConnection.open(address)) {
      raw.sendStartupMessage(Map.of("user", user.name(), "database", turnout.database()));
      RawPgConnection.Message m = raw.read();
      assertThat(m.type()).as("first message for %s: %s", user, m).isEqualTo('R');
      return m;
    }
  }

  private static Connection connect(String user, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    return DriverManager.getConnection(turnout.turnoutUrl(turnout.database()), p);
  }

  private static void assertSelectOne(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select 1")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
  }
}
